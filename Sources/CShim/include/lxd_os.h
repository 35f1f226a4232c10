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

/// Names the calling thread (first 15 bytes of `name`, visible in /proc/<pid>/task/*/comm): 0 or -errno.
int lxd_os_thread_set_name(const char *name);

// --- Added with LXDOS.Command / PTY / ProcessSupervisor --------------------------------------

/// As lxd_os_spawn, and also reports a failed execve: returns the child's pid once it has
/// exec'd, or -errno when fork or the exec failed (the child is then reaped here). The
/// errno reaches us over a close-on-exec pipe, so an exec that succeeds costs one read.
pid_t lxd_os_spawn_checked(const char *path, char *const argv[], char *const envp[],
                           const int *fds, int nfds, int flags);

/// Opens a pty inside a devpts mount given as an fd (liblxc's devpts_fd): master from
/// `ptmx` in it, slave with TIOCGPTPEER (so it is that mount's /dev/pts/N); both O_CLOEXEC.
int lxd_os_openpty_at(int devpts_fd, int *master, int *slave, unsigned short width, unsigned short height);

/// 0 or -errno.
int lxd_os_set_cloexec(int fd, bool on);
int lxd_os_set_nonblocking(int fd, bool on);
/// Whether fd is an open descriptor.
bool lxd_os_fd_is_open(int fd);
/// pidfd_send_signal (no pid reuse race), 0 or -errno.
int lxd_os_pidfd_send_signal(int pidfd, int sig);
/// waitpid(pid, &status, WNOHANG|...) retried on EINTR: pid, 0 when still running, or -errno.
pid_t lxd_os_waitpid_nohang(pid_t pid, int *status);

#endif
