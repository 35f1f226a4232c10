#ifndef LXD_MOUNT_H
#define LXD_MOUNT_H

/// `lxd forkmount`: adds or removes a bind mount in a running container's mount namespace
/// (LXD's disk and unix device hot-plug). Runs in a freshly exec'd, single-threaded `lxd`,
/// from `lxd_fork_dispatch`, so that setns(CLONE_NEWNS) is allowed; the daemon never setns.
///
///   lxd forkmount mount PID SOURCE TARGET dir|file ro|rw
///       Clones SOURCE (a host path) as a detached bind mount (open_tree), makes it read-only
///       when asked (mount_setattr), creates TARGET inside the container when missing (a
///       directory or an empty file, every path step resolved inside the container's root
///       through /proc/PID/root, so its symlinks cannot lead to the host), then joins the
///       mount namespace of PID and attaches the mount there (move_mount).
///   lxd forkmount umount PID TARGET [remove]
///       Joins the mount namespace of PID and lazily unmounts TARGET (never following a
///       symlink in its last step; the parent resolved inside the container's root); with
///       `remove`, then deletes the mount point (a unix device's node file).
///
/// Exit 0 on success; 1 with "forkmount: ..." on stderr otherwise.
int lxd_forkmount(int argc, char **argv);

#endif
