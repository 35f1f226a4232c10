#include "lxd_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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

#include <dirent.h>

// Shifts one directory's entries, then recurses; `dirfd` is consumed.
static int shift_dir(int dirfd, uid_t uid_base, gid_t gid_base, unsigned long range, int depth) {
    if (depth > 4096) {
        close(dirfd);
        return -ELOOP;
    }
    DIR *dir = fdopendir(dirfd);
    if (dir == NULL) {
        int err = errno;
        close(dirfd);
        return -err;
    }
    int ret = 0;
    struct dirent *entry;
    while (ret == 0 && (entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            ret = -errno;
            break;
        }
        if (st.st_uid >= range || st.st_gid >= range) {
            ret = -ERANGE;
            break;
        }
        if (fchownat(dirfd, entry->d_name, uid_base + st.st_uid, gid_base + st.st_gid, AT_SYMLINK_NOFOLLOW) != 0) {
            ret = -errno;
            break;
        }
        // chown clears set-id bits: put them back.
        if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID)))
            fchmodat(dirfd, entry->d_name, st.st_mode & 07777, 0);
        if (S_ISDIR(st.st_mode)) {
            int child = openat(dirfd, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child < 0) {
                ret = -errno;
                break;
            }
            ret = shift_dir(child, uid_base, gid_base, range, depth + 1);
        }
    }
    closedir(dir);
    return ret;
}

int lxd_fs_shift_tree(const char *path, uid_t uid_base, gid_t gid_base, unsigned long range) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    if (st.st_uid >= range || st.st_gid >= range) {
        close(fd);
        return -ERANGE;
    }
    if (fchown(fd, uid_base + st.st_uid, gid_base + st.st_gid) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return shift_dir(fd, uid_base, gid_base, range, 0);
}

long lxd_fs_magic(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -errno;
    return (long)info.f_type;
}
