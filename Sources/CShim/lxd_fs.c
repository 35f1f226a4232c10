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

#include <dirent.h>

// An id mapping: ids in [from, from + range) move to [to, to + range). `strict` refuses ids
// outside the range (-ERANGE); otherwise they are left alone.
struct id_remap {
    uid_t from_uid, to_uid;
    gid_t from_gid, to_gid;
    unsigned long range;
    int strict;
};

static int remap_ids(const struct id_remap *m, const struct stat *st, uid_t *uid, gid_t *gid) {
    int uid_in = st->st_uid >= m->from_uid && st->st_uid - m->from_uid < m->range;
    int gid_in = st->st_gid >= m->from_gid && st->st_gid - m->from_gid < m->range;
    if (m->strict && (!uid_in || !gid_in))
        return -ERANGE;
    *uid = uid_in ? m->to_uid + (st->st_uid - m->from_uid) : st->st_uid;
    *gid = gid_in ? m->to_gid + (st->st_gid - m->from_gid) : st->st_gid;
    return 0;
}

// Remaps one directory's entries, then recurses; `dirfd` is consumed.
static int remap_dir(int dirfd, const struct id_remap *m, int depth) {
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
        uid_t uid;
        gid_t gid;
        ret = remap_ids(m, &st, &uid, &gid);
        if (ret != 0)
            break;
        if ((uid != st.st_uid || gid != st.st_gid) && fchownat(dirfd, entry->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
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
            ret = remap_dir(child, m, depth + 1);
        }
    }
    closedir(dir);
    return ret;
}

static int remap_tree(const char *path, const struct id_remap *m) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    uid_t uid;
    gid_t gid;
    int ret = remap_ids(m, &st, &uid, &gid);
    if (ret == 0 && (uid != st.st_uid || gid != st.st_gid) && fchown(fd, uid, gid) != 0)
        ret = -errno;
    if (ret != 0) {
        close(fd);
        return ret;
    }
    return remap_dir(fd, m, 0);
}

int lxd_fs_shift_tree(const char *path, uid_t uid_base, gid_t gid_base, unsigned long range) {
    struct id_remap m = {.from_uid = 0, .to_uid = uid_base, .from_gid = 0, .to_gid = gid_base, .range = range, .strict = 1};
    return remap_tree(path, &m);
}

int lxd_fs_remap_tree(const char *path, uid_t from_uid, gid_t from_gid, uid_t to_uid, gid_t to_gid, unsigned long range) {
    struct id_remap m = {.from_uid = from_uid, .to_uid = to_uid, .from_gid = from_gid, .to_gid = to_gid, .range = range, .strict = 0};
    return remap_tree(path, &m);
}
