#include "lxd_os.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int lxd_os_close_range_from(int first) {
    if (syscall(SYS_close_range, (unsigned int)first, ~0U, 0) == 0)
        return 0;
    // Old kernels: close what /proc says is open would need allocation; walk a bounded range.
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = first; fd < max; fd++)
        close(fd);
    return 0;
}

// Runs in the forked child only: async-signal-safe calls, no allocation.
static void spawn_child(const char *path, char *const argv[], char *const envp[], const int *fds, int nfds,
                        int flags) {
    sigset_t all;
    sigemptyset(&all);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        signal(sig, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, &all, NULL);

    if (flags & LXD_SPAWN_SETSID)
        setsid();
    if (flags & LXD_SPAWN_PDEATHSIG)
        prctl(PR_SET_PDEATHSIG, SIGKILL);

    // Move every requested fd above the target range first so that dup2 never clobbers a
    // source that is still needed.
    int moved[64];
    if (nfds > 64)
        _exit(127);
    for (int i = 0; i < nfds; i++) {
        moved[i] = -1;
        if (fds[i] < 0)
            continue;
        moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, nfds + 64);
        if (moved[i] < 0)
            _exit(127);
    }
    for (int i = 0; i < nfds; i++) {
        if (moved[i] < 0) {
            close(i);
            continue;
        }
        if (dup2(moved[i], i) < 0)
            _exit(127);
    }
    lxd_os_close_range_from(nfds);

    if ((flags & LXD_SPAWN_SETCTTY) && nfds > 0)
        ioctl(0, TIOCSCTTY, 0);

    execve(path, argv, envp);
    _exit(127);
}

// What a spawned child needs, read from the parent's memory (shared until execve).
struct spawn_request {
    const char *path;
    char *const *argv;
    char *const *envp;
    const int *fds;
    int nfds;
    int flags;
    int errfd; // -1: unchecked spawn
};

static void spawn_checked_child(const char *path, char *const argv[], char *const envp[], const int *fds,
                                int nfds, int flags, int errfd);

static int spawn_entry(void *arg) {
    const struct spawn_request *r = arg;
    if (r->errfd < 0)
        spawn_child(r->path, r->argv, r->envp, r->fds, r->nfds, r->flags);
    else
        spawn_checked_child(r->path, r->argv, r->envp, r->fds, r->nfds, r->flags, r->errfd);
    _exit(127);
}

// Starts the child as posix_spawn does: clone(CLONE_VM | CLONE_VFORK) on a small stack of its
// own, the parent suspended until the child has exec'd or exited. A fork() would copy the
// daemon's page tables (its many threads' stacks and heaps) only for execve to drop them; that
// copy and its teardown were the daemon's largest costs per exec (perf). Every signal is blocked
// around the clone so that no handler of the daemon's can run in the child before it resets
// them (the child has its own copy of the handler table: no CLONE_SIGHAND).
static pid_t spawn_vfork(struct spawn_request *r) {
    const size_t size = 256 * 1024;
    char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return -errno;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = clone(spawn_entry, stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD, r);
    int err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    munmap(stack, size);
    return pid < 0 ? -err : pid;
}

pid_t lxd_os_spawn(const char *path, char *const argv[], char *const envp[], const int *fds, int nfds,
                   int flags) {
    struct spawn_request r = {path, argv, envp, fds, nfds, flags, -1};
    return spawn_vfork(&r);
}

int lxd_os_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC) == 0 ? 0 : -errno; }

int lxd_os_accept_cloexec(int sockfd) {
    int fd;
    do {
        fd = accept4(sockfd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd >= 0 ? fd : -errno;
}

int lxd_os_socket_cloexec(int domain, int type, int protocol) {
    int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
    return fd >= 0 ? fd : -errno;
}

int lxd_os_pidfd_open(pid_t pid) {
    long fd = syscall(SYS_pidfd_open, pid, 0);
    return fd >= 0 ? (int)fd : -errno;
}

int lxd_os_set_winsize(int fd, unsigned short width, unsigned short height) {
    struct winsize ws = {.ws_row = height, .ws_col = width};
    return ioctl(fd, TIOCSWINSZ, &ws) == 0 ? 0 : -errno;
}

int lxd_os_openpty(int *master, int *slave, unsigned short width, unsigned short height) {
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0)
        return -errno;
    if (grantpt(m) != 0 || unlockpt(m) != 0) {
        int err = errno;
        close(m);
        return -err;
    }
    char name[128];
    if (ptsname_r(m, name, sizeof(name)) != 0) {
        int err = errno;
        close(m);
        return -err;
    }
    int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        int err = errno;
        close(m);
        return -err;
    }
    if (width > 0 && height > 0)
        lxd_os_set_winsize(m, width, height);
    *master = m;
    *slave = s;
    return 0;
}

bool lxd_os_wifexited(int status) { return WIFEXITED(status); }
int lxd_os_wexitstatus(int status) { return WEXITSTATUS(status); }
bool lxd_os_wifsignaled(int status) { return WIFSIGNALED(status); }
int lxd_os_wtermsig(int status) { return WTERMSIG(status); }

int lxd_os_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return -errno;
    *pid = cred.pid;
    *uid = cred.uid;
    *gid = cred.gid;
    return 0;
}

int lxd_os_errno(void) { return errno; }

// --- Added with LXDOS.Command / PTY / ProcessSupervisor --------------------------------------

// Closes every fd >= first except `keep`.
static void close_from_except(int first, int keep) {
    if (keep >= first) {
        if (keep > first)
            syscall(SYS_close_range, (unsigned int)first, (unsigned int)(keep - 1), 0);
        lxd_os_close_range_from(keep + 1);
    } else {
        lxd_os_close_range_from(first);
    }
}

// Runs in the forked child only: async-signal-safe calls, no allocation. `errfd` is
// close-on-exec; it receives errno when something before or at execve fails.
static void spawn_checked_child(const char *path, char *const argv[], char *const envp[], const int *fds,
                                int nfds, int flags, int errfd) {
    int err = 0;
    sigset_t all;
    sigemptyset(&all);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        signal(sig, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, &all, NULL);

    if (flags & LXD_SPAWN_SETSID)
        setsid();
    if (flags & LXD_SPAWN_PDEATHSIG)
        prctl(PR_SET_PDEATHSIG, SIGKILL);

    // Keep the error pipe above everything we are about to dup2 onto.
    int high = nfds + 64;
    errfd = fcntl(errfd, F_DUPFD_CLOEXEC, high);
    if (errfd < 0)
        _exit(127);
    int moved[64];
    if (nfds > 64) {
        err = E2BIG;
        goto fail;
    }
    for (int i = 0; i < nfds; i++) {
        moved[i] = -1;
        if (fds[i] < 0)
            continue;
        moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, high);
        if (moved[i] < 0) {
            err = errno;
            goto fail;
        }
    }
    for (int i = 0; i < nfds; i++) {
        if (moved[i] < 0) {
            close(i);
            continue;
        }
        if (dup2(moved[i], i) < 0) {
            err = errno;
            goto fail;
        }
    }
    close_from_except(nfds, errfd);

    if ((flags & LXD_SPAWN_SETCTTY) && nfds > 0 && ioctl(0, TIOCSCTTY, 0) != 0) {
        err = errno;
        goto fail;
    }

    execve(path, argv, envp);
    err = errno;
fail:
    while (write(errfd, &err, sizeof(err)) < 0 && errno == EINTR) {
    }
    _exit(127);
}

pid_t lxd_os_spawn_checked(const char *path, char *const argv[], char *const envp[], const int *fds, int nfds,
                           int flags) {
    int ep[2];
    if (pipe2(ep, O_CLOEXEC) != 0)
        return -errno;
    // ep[0] is close-on-exec and closed by the child's close_from_except.
    struct spawn_request r = {path, argv, envp, fds, nfds, flags, ep[1]};
    pid_t pid = spawn_vfork(&r);
    if (pid < 0) {
        close(ep[0]);
        close(ep[1]);
        return pid;
    }
    close(ep[1]);
    int child_errno = 0;
    ssize_t n;
    do {
        n = read(ep[0], &child_errno, sizeof(child_errno));
    } while (n < 0 && errno == EINTR);
    close(ep[0]);
    if (n == (ssize_t)sizeof(child_errno)) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        return -(child_errno != 0 ? child_errno : ECHILD);
    }
    return pid;
}

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int lxd_os_openpty_at(int devpts_fd, int *master, int *slave, unsigned short width, unsigned short height) {
    int m = openat(devpts_fd, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0)
        return -errno;
    int unlock = 0;
    if (ioctl(m, TIOCSPTLCK, &unlock) != 0) {
        int err = errno;
        close(m);
        return -err;
    }
    int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        int err = errno;
        close(m);
        return -err;
    }
    if (width > 0 && height > 0)
        lxd_os_set_winsize(m, width, height);
    *master = m;
    *slave = s;
    return 0;
}

int lxd_os_set_cloexec(int fd, bool on) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0)
        return -errno;
    flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
    return fcntl(fd, F_SETFD, flags) == 0 ? 0 : -errno;
}

int lxd_os_set_nonblocking(int fd, bool on) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -errno;
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, flags) == 0 ? 0 : -errno;
}

bool lxd_os_fd_is_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

int lxd_os_pidfd_send_signal(int pidfd, int sig) {
    return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0 ? 0 : -errno;
}

pid_t lxd_os_waitpid_nohang(pid_t pid, int *status) {
    pid_t r;
    do {
        r = waitpid(pid, status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    return r >= 0 ? r : -errno;
}

int lxd_os_thread_set_name(const char *name) {
    char shortName[16];
    strncpy(shortName, name, sizeof(shortName) - 1);
    shortName[sizeof(shortName) - 1] = '\0';
    return -pthread_setname_np(pthread_self(), shortName);
}
