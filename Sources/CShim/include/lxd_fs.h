#ifndef LXD_FS_H
#define LXD_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// Opens `path` relative to the directory `rootfd` as if `rootfd` were `/`: absolute symlinks
/// and `..` cannot leave it (openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). Used to
/// write into a container's rootfs without following its symlinks onto the host.
/// Always close-on-exec. Returns the fd, or -errno.
int lxd_fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode);

/// mkdir relative to a directory fd, resolving in root like lxd_fs_open_in_root (the parent
/// must exist). Returns 0 or -errno (EEXIST included).
int lxd_fs_mkdir_in_root(int rootfd, const char *path, mode_t mode);

/// Adds uid_base/gid_base to the owner of `path` and of everything below it, never following
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

/// Changes the owner of `path` and of everything below it from one container id map to
/// another (a container whose idmap changed, LXD's `volatile.last_state.idmap` remap): each uid
/// in a run of `uids` moves by that run, each gid by `gids`; ids in no run stay. Never follows
/// symlinks; set-id bits survive. 0 or -errno.
int lxd_fs_remap_tree(const char *path, const struct lxd_id_run *uids, size_t nuids, const struct lxd_id_run *gids,
                      size_t ngids);

#endif
