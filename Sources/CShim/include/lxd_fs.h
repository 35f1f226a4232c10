#ifndef LXD_FS_H
#define LXD_FS_H

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

/// Moves the owners of `path` and everything below it from one id range to another (a
/// migrated rootfs from the source's idmap into ours), never following symlinks; ids outside
/// [from, from + range) are left alone. 0 or -errno.
int lxd_fs_remap_tree(const char *path, uid_t from_uid, gid_t from_gid, uid_t to_uid, gid_t to_gid, unsigned long range);

#endif
