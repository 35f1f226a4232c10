#ifndef LXD_SPARE_H
#define LXD_SPARE_H

#include <sys/types.h>

/// Spare helpers: `lxd forkspare` is our binary exec'd ahead of need, with the daemon's end of a
/// SOCK_SEQPACKET socket as fd 3. It waits, loaded and relocated, for one request (the argv of
/// a fork helper, the fds that become its 0..n-1 and spawn flags), then becomes that helper as
/// if it had just been exec'd with it. Starts and execs then skip loading the binary.

/// The largest request (argv strings and header) a spare accepts.
enum { LXD_SPARE_MAX_REQUEST = 64 * 1024 };

/// Daemon side: the socket pair between the daemon and a spare (SOCK_SEQPACKET, both ends
/// close-on-exec). 0 or -errno.
int lxd_spare_socketpair(int fds[2]);

/// Daemon side: sends one request to a spare. `fds[i]` becomes the helper's descriptor `i`
/// (-1: left closed), at most 8; `flags` are LXD_SPAWN_SETSID / LXD_SPAWN_SETCTTY.
/// Returns 0, or -errno (-E2BIG when the request does not fit; -EPIPE when the spare is gone).
int lxd_spare_send(int sock, char *const argv[], const int *fds, int nfds, int flags);

/// Helper side (`lxd forkspare`, dispatched from the constructor): waits on fd 3 for a request
/// and runs it through `dispatch` (lxd_fork_dispatch); exits 0 when the daemon closes the socket unused.
int lxd_forkspare_main(int argc, char **argv, int (*dispatch)(int argc, char **argv));

#endif
