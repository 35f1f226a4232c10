#ifndef LXD_OS_H
#define LXD_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// Spawn flags for lxd_os_spawn.
enum {
    LXD_SPAWN_SETSID = 1 << 0,   ///< start a new session (detach from the daemon's terminal)
    LXD_SPAWN_PDEATHSIG = 1 << 1, ///< SIGKILL the child when the spawning thread dies
    LXD_SPAWN_SETCTTY = 1 << 2,  ///< with SETSID: make fd 0 the controlling terminal
};

/// Forks and execs `path`. In the child, before exec: signal mask and dispositions are reset,
/// `fds[i]` becomes descriptor `i` for i < nfds (-1 means: leave i closed), every other
/// descriptor is closed, and `flags` apply. No allocation and no Swift code run in the child.
/// Returns the child's pid, or -errno.
pid_t lxd_os_spawn(const char *path, char *const argv[], char *const envp[],
                   const int *fds, int nfds, int flags);

int lxd_os_pipe_cloexec(int fds[2]);
int lxd_os_accept_cloexec(int sockfd);
int lxd_os_socket_cloexec(int domain, int type, int protocol);
int lxd_os_pidfd_open(pid_t pid);
int lxd_os_close_range_from(int first);

/// Opens a pty pair (master and slave, both close-on-exec) and sets its window size when
/// width and height are non-zero. Returns 0 or -errno.
int lxd_os_openpty(int *master, int *slave, unsigned short width, unsigned short height);
int lxd_os_set_winsize(int fd, unsigned short width, unsigned short height);

/// waitpid status decoding (function-like macros in C).
bool lxd_os_wifexited(int status);
int lxd_os_wexitstatus(int status);
bool lxd_os_wifsignaled(int status);
int lxd_os_wtermsig(int status);

/// SO_PEERCRED of a unix socket: 0 or -errno.
int lxd_os_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

int lxd_os_errno(void);

#endif
