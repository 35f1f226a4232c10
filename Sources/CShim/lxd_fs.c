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
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/xattr.h>

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

// MARK: - Id maps over owners, POSIX ACLs and file capabilities

static int map_one(uint32_t id, const struct lxd_id_run *runs, size_t n, int strict, uint32_t *out) {
    for (size_t i = 0; i < n; i++) {
        if (id >= runs[i].from && id - runs[i].from < runs[i].count) {
            *out = runs[i].to + (id - runs[i].from);
            return 0;
        }
    }
    if (strict)
        return -ERANGE;
    *out = id;
    return 0;
}

static int map_uid(const struct lxd_id_map *map, uint32_t id, uint32_t *out) {
    return map_one(id, map->uids, map->nuids, map->strict, out);
}

static int map_gid(const struct lxd_id_map *map, uint32_t id, uint32_t *out) {
    return map_one(id, map->gids, map->ngids, map->strict, out);
}

// The on-disk layout of `system.posix_acl_*` (little endian): a version word, then
// (tag, permissions, id) entries; only named user and group entries carry an id.
#define ACL_XATTR_VERSION 2
#define ACL_XATTR_USER 0x02
#define ACL_XATTR_GROUP 0x08

int lxd_fs_map_acl_xattr(void *value, size_t size, const struct lxd_id_map *map) {
    uint8_t *bytes = value;
    if (size < 4 || (size - 4) % 8 != 0)
        return -EINVAL;
    uint32_t version;
    memcpy(&version, bytes, 4);
    if (le32toh(version) != ACL_XATTR_VERSION)
        return -EINVAL;
    for (size_t offset = 4; offset < size; offset += 8) {
        uint16_t tag;
        uint32_t id;
        memcpy(&tag, bytes + offset, 2);
        memcpy(&id, bytes + offset + 4, 4);
        tag = le16toh(tag);
        if (tag != ACL_XATTR_USER && tag != ACL_XATTR_GROUP)
            continue;
        uint32_t mapped;
        int ret = tag == ACL_XATTR_USER ? map_uid(map, le32toh(id), &mapped) : map_gid(map, le32toh(id), &mapped);
        if (ret != 0)
            return ret;
        mapped = htole32(mapped);
        memcpy(bytes + offset + 4, &mapped, 4);
    }
    return 0;
}

// `security.capability`: revision 1 and 2 hold no owner (the capabilities of the initial
// namespace's root, host uid 0); revision 3 names the uid of the namespace root they belong
// to. The kernel ignores a revision 3 capability whose root is not the executing container's
// root, and chown drops the attribute, so both travel with the owners.
#define CAP_MAGIC_MASK 0xFF000000u
#define CAP_REVISION_1 0x01000000u
#define CAP_REVISION_2 0x02000000u
#define CAP_REVISION_3 0x03000000u
#define CAP_SIZE_1 12
#define CAP_SIZE_2 20
#define CAP_SIZE_3 24

long lxd_fs_map_caps_xattr(const void *value, size_t size, const struct lxd_id_map *map, void *out, size_t out_size) {
    if (out_size < CAP_SIZE_3 || size < 4)
        return -EINVAL;
    uint32_t magic;
    memcpy(&magic, value, 4);
    magic = le32toh(magic);
    uint32_t revision = magic & CAP_MAGIC_MASK;
    uint32_t rootid = 0;
    if (revision == CAP_REVISION_3 && size == CAP_SIZE_3) {
        memcpy(&rootid, (const uint8_t *)value + 20, 4);
        rootid = le32toh(rootid);
    } else if (!((revision == CAP_REVISION_2 && size == CAP_SIZE_2) || (revision == CAP_REVISION_1 && size == CAP_SIZE_1))) {
        return -EINVAL;
    }
    uint32_t mapped;
    int ret = map_uid(map, rootid, &mapped);
    if (ret != 0)
        return ret;
    if (mapped == 0 && revision != CAP_REVISION_3) {
        // Still the initial namespace's root: the attribute stays as it was.
        memcpy(out, value, size);
        return (long)size;
    }
    uint8_t *bytes = out;
    memset(bytes, 0, CAP_SIZE_3);
    memcpy(bytes + 4, (const uint8_t *)value + 4, size == CAP_SIZE_1 ? 8 : 16);
    uint32_t flags = magic & ~CAP_MAGIC_MASK;
    if (mapped == 0) {
        uint32_t header = htole32(CAP_REVISION_2 | flags);
        memcpy(bytes, &header, 4);
        return CAP_SIZE_2;
    }
    uint32_t header = htole32(CAP_REVISION_3 | flags);
    uint32_t root = htole32(mapped);
    memcpy(bytes, &header, 4);
    memcpy(bytes + 20, &root, 4);
    return CAP_SIZE_3;
}

static const char *const acl_names[] = {"system.posix_acl_access", "system.posix_acl_default"};
#define CAPS_NAME "security.capability"

// Whether `list` (llistxattr's NUL-separated names) holds `name`.
static int has_xattr(const char *list, ssize_t size, const char *name) {
    for (ssize_t offset = 0; offset < size; offset += (ssize_t)strlen(list + offset) + 1) {
        if (strcmp(list + offset, name) == 0)
            return 1;
    }
    return 0;
}

// Rewrites the ACLs of `path` through `map`. 0 or -errno.
static int map_acls(const char *path, const char *list, ssize_t list_size, const struct lxd_id_map *map) {
    for (size_t i = 0; i < sizeof(acl_names) / sizeof(acl_names[0]); i++) {
        if (!has_xattr(list, list_size, acl_names[i]))
            continue;
        ssize_t size = lgetxattr(path, acl_names[i], NULL, 0);
        if (size < 0)
            return errno == ENODATA ? 0 : -errno;
        uint8_t *value = malloc((size_t)size + 1);
        if (value == NULL)
            return -ENOMEM;
        size = lgetxattr(path, acl_names[i], value, (size_t)size);
        int ret = size < 0 ? -errno : lxd_fs_map_acl_xattr(value, (size_t)size, map);
        if (ret == 0 && lsetxattr(path, acl_names[i], value, (size_t)size, 0) != 0)
            ret = -errno;
        free(value);
        if (ret != 0)
            return ret;
    }
    return 0;
}

// Writes `caps` (the attribute as it was before the owner changed) through `map`.
static int map_caps(const char *path, const void *caps, size_t size, const struct lxd_id_map *map) {
    uint8_t out[CAP_SIZE_3];
    long mapped = lxd_fs_map_caps_xattr(caps, size, map, out, sizeof(out));
    if (mapped < 0)
        return (int)mapped;
    return lsetxattr(path, CAPS_NAME, out, (size_t)mapped, 0) == 0 ? 0 : -errno;
}

int lxd_fs_map_file_xattrs(const char *path, const struct lxd_id_map *map, const void *caps, size_t caps_size) {
    char list[1024];
    ssize_t list_size = llistxattr(path, list, sizeof(list));
    if (list_size < 0 && errno == ERANGE) {
        // Many attributes: look the ACLs up directly.
        list_size = 0;
        for (size_t i = 0; i < sizeof(acl_names) / sizeof(acl_names[0]); i++) {
            size_t length = strlen(acl_names[i]) + 1;
            memcpy(list + list_size, acl_names[i], length);
            list_size += (ssize_t)length;
        }
    }
    if (list_size > 0) {
        int ret = map_acls(path, list, list_size, map);
        if (ret != 0)
            return ret;
    }
    if (caps != NULL && caps_size > 0)
        return map_caps(path, caps, caps_size, map);
    return 0;
}

// "/proc/self/fd/N/name" reaches an entry of a directory fd by path (xattr calls take paths;
// the name is never a symlink's target here: callers skip symlinks).
static int entry_path(char *buffer, size_t size, int dirfd, const char *name) {
    int n = name[0] == '\0' ? snprintf(buffer, size, "/proc/self/fd/%d", dirfd)
                            : snprintf(buffer, size, "/proc/self/fd/%d/%s", dirfd, name);
    return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

static int map_visit(int dirfd, const char *name, const struct stat *st, void *data) {
    const struct lxd_id_map *map = data;
    uint32_t uid, gid;
    int ret = map_uid(map, st->st_uid, &uid);
    if (ret == 0)
        ret = map_gid(map, st->st_gid, &gid);
    if (ret != 0)
        return ret;
    if (S_ISLNK(st->st_mode))
        return set_owner(dirfd, name, st, uid, gid);

    char path[PATH_MAX + 32];
    if ((ret = entry_path(path, sizeof(path), dirfd, name)) != 0)
        return ret;
    char list[1024];
    ssize_t list_size = llistxattr(path, list, sizeof(list));
    int has_xattrs = list_size > 0 || (list_size < 0 && errno == ERANGE);
    uint8_t caps[CAP_SIZE_3];
    ssize_t caps_size = 0;
    if (has_xattrs) {
        caps_size = lgetxattr(path, CAPS_NAME, caps, sizeof(caps));
        if (caps_size < 0)
            caps_size = 0;
    }
    // chown drops the capability attribute: read above, written back mapped below.
    if ((ret = set_owner(dirfd, name, st, uid, gid)) != 0)
        return ret;
    if (!has_xattrs)
        return 0;
    return lxd_fs_map_file_xattrs(path, map, caps_size > 0 ? caps : NULL, (size_t)caps_size);
}

int lxd_fs_map_tree(const char *path, const struct lxd_id_map *map) {
    return walk_tree(path, map_visit, (void *)map);
}

int lxd_fs_shift_tree(const char *path, uid_t uid_base, gid_t gid_base, unsigned long range) {
    struct lxd_id_run uids = {.from = 0, .to = uid_base, .count = (uint32_t)range};
    struct lxd_id_run gids = {.from = 0, .to = gid_base, .count = (uint32_t)range};
    struct lxd_id_map map = {.uids = &uids, .nuids = 1, .gids = &gids, .ngids = 1, .strict = 1};
    return lxd_fs_map_tree(path, &map);
}

int lxd_fs_remap_tree(const char *path, const struct lxd_id_run *uids, size_t nuids, const struct lxd_id_run *gids,
                      size_t ngids) {
    struct lxd_id_map map = {.uids = uids, .nuids = nuids, .gids = gids, .ngids = ngids, .strict = 0};
    return lxd_fs_map_tree(path, &map);
}

long lxd_fs_magic(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -errno;
    return (long)info.f_type;
}
