#ifndef LXD_FORKFILE_H
#define LXD_FORKFILE_H

#include <stddef.h>

/// `lxd forkfile OP running|stopped UIDMAP GIDMAP IDSOK PATH [ARGS...]`: one file operation in
/// a container's own view (see lxd_forkfile.c). fd 3 is a unix stream socket for the reply; fd 4
/// is the running container's init pidfd, or the stopped container's rootfs (a directory fd).
/// Every other fd is closed first. PATH is absolute, in the container. UIDMAP/GIDMAP: the stopped
/// container's map, "NSID HOSTID RANGE" entries joined with commas, or "-" for a privileged one
/// (when running, only "-" or not matters: a privileged container's user namespace is ours). IDSOK: "1" when the ids a push asks for are mapped in the container;
/// otherwise a push that would create something fails with EINVAL (chown) before creating it.
///
/// OP: `stat PATH` (lstat), `get PATH` (as stat, plus a read fd for a regular file),
/// `push PATH file|directory|symlink UID GID MODE overwrite|append [TARGET]` (-1 keeps an id or
/// the default mode; a written file's fd comes back), `delete PATH`.
///
/// Reply on fd 3: one header line, `ok TYPE UID GID MODE(octal) MTIME SIZE\n` (push and delete
/// send just `ok\n`) or `err ERRNO OP\n`; a regular file's fd rides on the header (SCM_RIGHTS).
/// Then: a symlink's target (raw bytes to EOF), or a directory's entries, each NUL-terminated,
/// followed by "\n" once the listing is complete. Exit status 0 on success.
int lxd_forkfile_main(int argc, char **argv);

/// recvmsg retried on EINTR, with MSG_CMSG_CLOEXEC; `*fd` gets the first descriptor passed
/// (SCM_RIGHTS) or -1. Returns the byte count (0 at EOF) or -errno.
int lxd_os_recv_with_fd(int sock, void *buf, size_t len, int *fd);

/// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): 0 or -errno.
int lxd_os_socketpair_cloexec(int fds[2]);

#endif
