#include "lxd_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_in_root(int rootfd, const char *path, int flags, mode_t mode) {
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (unsigned long long)(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    long fd;
    do {
        fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
    } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return fd >= 0 ? (int)fd : -errno;
}

int lxd_fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode) {
    return open_in_root(rootfd, path, flags, mode);
}

int lxd_fs_mkdir_in_root(int rootfd, const char *path, mode_t mode) {
    char copy[PATH_MAX];
    if (strlen(path) >= sizeof(copy))
        return -ENAMETOOLONG;
    strcpy(copy, path);
    char *slash = strrchr(copy, '/');
    const char *leaf = path;
    int parent = rootfd;
    int opened = -1;
    if (slash != NULL) {
        *slash = '\0';
        leaf = slash + 1;
        if (copy[0] != '\0') {
            opened = open_in_root(rootfd, copy, O_PATH | O_DIRECTORY, 0);
            if (opened < 0)
                return opened;
            parent = opened;
        }
    }
    int ret = mkdirat(parent, leaf, mode) == 0 ? 0 : -errno;
    if (opened >= 0)
        close(opened);
    return ret;
}
