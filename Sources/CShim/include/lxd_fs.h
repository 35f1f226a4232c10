#ifndef LXD_FS_H
#define LXD_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/xattr.h>

/// Opens `path` relative to the directory `rootfd` as if `rootfd` were `/`: absolute symlinks
/// and `..` cannot leave it (openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). Used to
/// write into a container's rootfs without following its symlinks onto the host.
/// Always close-on-exec. Returns the fd, or -errno.
int lxd_fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode);

/// mkdir relative to a directory fd, resolving in root like lxd_fs_open_in_root (the parent
/// must exist). Returns 0 or -errno (EEXIST included).
int lxd_fs_mkdir_in_root(int rootfd, const char *path, mode_t mode);

/// Adds uid_base/gid_base to the owner (ACL entries, capability root) of `path` and of everything below it, never following
/// symlinks (an unpacked squashfs rootfs into the container's id range). -ERANGE when an id is
/// not below `range`; 0 or -errno otherwise.
int lxd_fs_shift_tree(const char *path, uid_t uid_base, gid_t gid_base, unsigned long range);

/// The filesystem magic (`statfs` f_type) of the filesystem holding `path`, or -errno.
long lxd_fs_magic(const char *path);

/// One run of ids that moves: host ids [from, from+count) become [to, to+count).
struct lxd_id_run {
    uint32_t from;
    uint32_t to;
    uint32_t count;
};

/// An id map applied to a tree: uids through `uids`, gids through `gids`. With `strict`, an id
/// in no run is refused (-ERANGE: an image's file outside the container's range); otherwise it
/// stays as it is.
struct lxd_id_map {
    const struct lxd_id_run *uids;
    size_t nuids;
    const struct lxd_id_run *gids;
    size_t ngids;
    int strict;
};

/// Maps the ids of named user and group entries in a `system.posix_acl_access/default` value,
/// in place. 0, -EINVAL (not an ACL value) or -ERANGE (strict map).
int lxd_fs_map_acl_xattr(void *value, size_t size, const struct lxd_id_map *map);

/// Maps the owner of a `security.capability` value into `out` (at least 24 bytes): the
/// capabilities' root (revision 3's rootid, or host uid 0 for revisions 1 and 2) goes through
/// the uid map; a root that lands on 0 is written as revision 2, any other as revision 3.
/// Returns the new size, -EINVAL or -ERANGE.
long lxd_fs_map_caps_xattr(const void *value, size_t size, const struct lxd_id_map *map, void *out, size_t out_size);

/// Maps the ACLs of `path` (never following a symlink) and, when `caps` is given, writes it
/// mapped as the file's capability (callers read it before a chown dropped it). 0 or -errno.
int lxd_fs_map_file_xattrs(const char *path, const struct lxd_id_map *map, const void *caps, size_t caps_size);

/// Moves the owners, ACL entries and file capabilities of `path` and everything below it
/// through `map`, never following symlinks; set-id bits survive. 0 or -errno.
int lxd_fs_map_tree(const char *path, const struct lxd_id_map *map);

/// Changes the owner (and ACL entries and file capabilities) of `path` and of everything below
/// it from one container id map to another (a container whose idmap changed, LXD's `volatile.last_state.idmap` remap): each uid
/// in a run of `uids` moves by that run, each gid by `gids`; ids in no run stay. Never follows
/// symlinks; set-id bits survive. 0 or -errno.
int lxd_fs_remap_tree(const char *path, const struct lxd_id_run *uids, size_t nuids, const struct lxd_id_run *gids,
                      size_t ngids);

#endif
