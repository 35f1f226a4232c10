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

// MARK: - Changing the owners of a tree

// Called for the tree's root (name "", the fd itself) and for every entry below it.
typedef int (*visit_fn)(int dirfd, const char *name, const struct stat *st, void *ctx);

// chown without following symlinks; chown clears set-id bits, so they are put back.
static int set_owner(int dirfd, const char *name, const struct stat *st, uid_t uid, gid_t gid) {
    if (uid == st->st_uid && gid == st->st_gid)
        return 0;
    int flags = AT_SYMLINK_NOFOLLOW | (name[0] == '\0' ? AT_EMPTY_PATH : 0);
    if (fchownat(dirfd, name, uid, gid, flags) != 0)
        return -errno;
    if (!S_ISLNK(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID))) {
        if (name[0] == '\0')
            fchmod(dirfd, st->st_mode & 07777);
        else
            fchmodat(dirfd, name, st->st_mode & 07777, 0);
    }
    return 0;
}

// Visits one directory's entries, then recurses; `dirfd` is consumed.
static int walk_dir(int dirfd, visit_fn visit, void *ctx, int depth) {
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
        ret = visit(dirfd, entry->d_name, &st, ctx);
        if (ret == 0 && S_ISDIR(st.st_mode)) {
            int child = openat(dirfd, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child < 0) {
                ret = -errno;
                break;
            }
            ret = walk_dir(child, visit, ctx, depth + 1);
        }
    }
    closedir(dir);
    return ret;
}

static int walk_tree(const char *path, visit_fn visit, void *ctx) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    int ret = visit(fd, "", &st, ctx);
    if (ret != 0) {
        close(fd);
        return ret;
    }
    return walk_dir(fd, visit, ctx, 0);
}

struct shift_ctx {
    uid_t uid_base;
    gid_t gid_base;
    unsigned long range;
};

static int shift_visit(int dirfd, const char *name, const struct stat *st, void *data) {
    const struct shift_ctx *ctx = data;
    if (st->st_uid >= ctx->range || st->st_gid >= ctx->range)
        return -ERANGE;
    return set_owner(dirfd, name, st, ctx->uid_base + st->st_uid, ctx->gid_base + st->st_gid);
}

int lxd_fs_shift_tree(const char *path, uid_t uid_base, gid_t gid_base, unsigned long range) {
    struct shift_ctx ctx = {.uid_base = uid_base, .gid_base = gid_base, .range = range};
    return walk_tree(path, shift_visit, &ctx);
}

struct remap_ctx {
    const struct lxd_id_run *uids;
    size_t nuids;
    const struct lxd_id_run *gids;
    size_t ngids;
};

static uint32_t remap_id(uint32_t id, const struct lxd_id_run *runs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (id >= runs[i].from && id - runs[i].from < runs[i].count)
            return runs[i].to + (id - runs[i].from);
    }
    return id;
}

static int remap_visit(int dirfd, const char *name, const struct stat *st, void *data) {
    const struct remap_ctx *ctx = data;
    return set_owner(dirfd, name, st, remap_id(st->st_uid, ctx->uids, ctx->nuids), remap_id(st->st_gid, ctx->gids, ctx->ngids));
}

int lxd_fs_remap_tree(const char *path, const struct lxd_id_run *uids, size_t nuids, const struct lxd_id_run *gids,
                      size_t ngids) {
    struct remap_ctx ctx = {.uids = uids, .nuids = nuids, .gids = gids, .ngids = ngids};
    return walk_tree(path, remap_visit, &ctx);
}

long lxd_fs_magic(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -errno;
    return (long)info.f_type;
}
