// `lxd forkfile`: one file operation inside a container's own view of its filesystem, as LXD's
// file API does it. Runs in a freshly exec'd, single-threaded `lxd` (no Swift code).
//
// A running container is entered with setns(pidfd, CLONE_NEWUSER | CLONE_NEWNS): paths see the
// container's mounts (a tmpfs on /tmp, disk devices) and ids are the container's own. A stopped
// container's rootfs is reached through a new user namespace holding the container's idmap, so
// the kernel shifts ids exactly as it does for the running container. Either way every path is
// resolved with openat2(RESOLVE_IN_ROOT): `..` and absolute symlinks stay inside the rootfs.
// The process is non-dumpable, so container processes cannot ptrace it while it is in their
// user namespace.
#include "lxd_forkfile.h"
#include "lxd_fs.h"
#include "lxd_os.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPLY_FD 3
#define TARGET_FD 4

// MARK: - Replies

static void write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

// Sends the header line, with `passfd` attached when >= 0.
static void send_header(int passfd, const char *fmt, ...) {
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (len < 0)
        return;
    if ((size_t)len >= sizeof(line))
        len = sizeof(line) - 1;
    struct iovec iov = {.iov_base = line, .iov_len = (size_t)len};
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int))];
    if (passfd >= 0) {
        memset(control, 0, sizeof(control));
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &passfd, sizeof(int));
    }
    ssize_t n;
    do {
        n = sendmsg(REPLY_FD, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n >= 0 && n < len)
        write_all(REPLY_FD, line + n, (size_t)(len - n));
}

static int fail(int err, const char *op) {
    send_header(-1, "err %d %s\n", err, op);
    return 1;
}

static const char *type_name(mode_t mode) {
    if (S_ISDIR(mode))
        return "directory";
    if (S_ISLNK(mode))
        return "symlink";
    if (S_ISREG(mode))
        return "file";
    return "other";
}

static void send_stat(int passfd, const struct stat *st) {
    send_header(passfd, "ok %s %lu %lu %o %lld %lld\n", type_name(st->st_mode), (unsigned long)st->st_uid,
                (unsigned long)st->st_gid, (unsigned)(st->st_mode & 0777), (long long)st->st_mtim.tv_sec,
                (long long)st->st_size);
}

// MARK: - Paths

// Splits `path` into its parent (opened as an O_PATH directory inside the root) and its last
// component, trailing slashes ignored. `leaf` is empty for "/"; "." and ".." are returned as is.
static int open_parent(int rootfd, const char *path, char *leaf, size_t leafsize) {
    char copy[PATH_MAX];
    if (strlen(path) >= sizeof(copy))
        return -ENAMETOOLONG;
    strcpy(copy, path);
    size_t len = strlen(copy);
    while (len > 1 && copy[len - 1] == '/')
        copy[--len] = '\0';
    char *slash = strrchr(copy, '/');
    const char *name = copy;
    const char *parent = ".";
    if (slash != NULL) {
        *slash = '\0';
        name = slash + 1;
        parent = copy[0] == '\0' ? "/" : copy;
    }
    if (strlen(name) >= leafsize)
        return -ENAMETOOLONG;
    strcpy(leaf, name);
    return lxd_fs_open_in_root(rootfd, parent, O_PATH | O_DIRECTORY, 0);
}

static bool is_dot_or_dotdot(const char *leaf) { return strcmp(leaf, ".") == 0 || strcmp(leaf, "..") == 0; }

// MARK: - Operations

// stat/get: lstat semantics (the last symlink is not followed). `get` attaches a read fd for a
// regular file; both add the symlink target or the directory's entries after the header.
static int op_stat(int rootfd, const char *path, bool with_content) {
    int fd = lxd_fs_open_in_root(rootfd, path, O_PATH | O_NOFOLLOW, 0);
    if (fd < 0)
        return fail(-fd, "lstat");
    struct stat st;
    if (fstat(fd, &st) != 0)
        return fail(errno, "lstat");

    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(fd, "", target, sizeof(target));
        if (n < 0)
            return fail(errno, "readlink");
        send_stat(-1, &st);
        write_all(REPLY_FD, target, (size_t)n);
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        send_stat(-1, &st);
        if (!with_content)
            return 0;
        int dirfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *dir = dirfd >= 0 ? fdopendir(dirfd) : NULL;
        if (dir == NULL)
            return 1; // the header went out: the daemon sees a truncated listing and fails
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (is_dot_or_dotdot(entry->d_name))
                continue;
            write_all(REPLY_FD, entry->d_name, strlen(entry->d_name) + 1);
        }
        write_all(REPLY_FD, "\n", 1); // end marker: a listing cut short has none
        closedir(dir);
        return 0;
    }
    if (!with_content || !S_ISREG(st.st_mode)) {
        send_stat(-1, &st);
        return 0;
    }
    // Reopen for reading; the path may have been swapped meanwhile, so check it is the same inode.
    int rfd = lxd_fs_open_in_root(rootfd, path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0);
    if (rfd < 0)
        return fail(-rfd, "open");
    struct stat again;
    if (fstat(rfd, &again) != 0 || again.st_dev != st.st_dev || again.st_ino != st.st_ino || !S_ISREG(again.st_mode))
        return fail(EAGAIN, "open");
    lxd_os_set_nonblocking(rfd, false);
    send_stat(rfd, &again);
    return 0;
}

static bool parse_long(const char *s, long min, long max, long *out) {
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

// push PATH TYPE UID GID MODE WRITE [TARGET]: LXD's rules. Ownership and mode apply only to
// what this call creates; ids must exist in the container (checked before anything is made).
static int op_push(int rootfd, const char *path, char **args, int nargs, bool ids_mapped) {
    long uid, gid, mode;
    if (nargs < 5 || !parse_long(args[1], -1, UINT32_MAX - 1, &uid) || !parse_long(args[2], -1, UINT32_MAX - 1, &gid) ||
        !parse_long(args[3], -1, 07777, &mode))
        return fail(EINVAL, "usage");
    const char *type = args[0];
    bool append = strcmp(args[4], "append") == 0;
    bool bad_ids = !ids_mapped;

    struct stat st;
    int probe = lxd_fs_open_in_root(rootfd, path, O_PATH, 0);
    bool exists = probe >= 0 && fstat(probe, &st) == 0;

    if (strcmp(type, "file") == 0) {
        if (!exists && bad_ids && !append)
            return fail(EINVAL, "chown");
        int flags = O_WRONLY | O_NOCTTY | O_NONBLOCK | (append ? O_APPEND : O_CREAT | O_TRUNC);
        int fd = lxd_fs_open_in_root(rootfd, path, flags, 0644);
        if (fd < 0)
            return fail(-fd, "open");
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
            return fail(S_ISDIR(st.st_mode) ? EISDIR : EINVAL, "open");
        lxd_os_set_nonblocking(fd, false);
        if (!exists) {
            // Owner first: chown clears set-id bits that the mode may ask for.
            if ((uid >= 0 || gid >= 0) && fchown(fd, (uid_t)uid, (gid_t)gid) != 0)
                return fail(errno, "chown");
            if (mode >= 0 && fchmod(fd, (mode_t)mode) != 0)
                return fail(errno, "chmod");
        }
        send_header(fd, "ok\n");
        return 0;
    }

    char leaf[NAME_MAX + 1];
    int parent = open_parent(rootfd, path, leaf, sizeof(leaf));
    if (parent < 0)
        return fail(-parent, strcmp(type, "directory") == 0 ? "mkdir" : "symlink");

    if (strcmp(type, "directory") == 0) {
        if (exists) {
            send_header(-1, "ok\n");
            return 0;
        }
        if (bad_ids)
            return fail(EINVAL, "chown");
        if (leaf[0] == '\0' || is_dot_or_dotdot(leaf))
            return fail(EEXIST, "mkdir");
        if (mkdirat(parent, leaf, mode >= 0 ? (mode_t)mode : 0750) != 0)
            return fail(errno, "mkdir");
        int dfd = openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
            return fail(errno, "chmod");
        if ((uid >= 0 || gid >= 0) && fchown(dfd, (uid_t)uid, (gid_t)gid) != 0)
            return fail(errno, "chown");
        if (fchmod(dfd, mode >= 0 ? (mode_t)mode : 0750) != 0)
            return fail(errno, "chmod");
        send_header(-1, "ok\n");
        return 0;
    }

    if (strcmp(type, "symlink") == 0) {
        if (nargs < 6)
            return fail(EINVAL, "usage");
        const char *target = args[5];
        if (leaf[0] == '\0' || is_dot_or_dotdot(leaf))
            return fail(EEXIST, "symlink");
        char current[PATH_MAX];
        ssize_t n = readlinkat(parent, leaf, current, sizeof(current) - 1);
        if (n >= 0) {
            current[n] = '\0';
            if (strcmp(current, target) == 0) {
                send_header(-1, "ok\n");
                return 0;
            }
        }
        if (symlinkat(target, parent, leaf) != 0)
            return fail(errno, "symlink");
        send_header(-1, "ok\n");
        return 0;
    }
    return fail(EINVAL, "type");
}

// delete PATH: the entry itself (a symlink, not its target); an empty directory too.
static int op_delete(int rootfd, const char *path) {
    char leaf[NAME_MAX + 1];
    int parent = open_parent(rootfd, path, leaf, sizeof(leaf));
    if (parent < 0)
        return fail(-parent, "remove");
    if (leaf[0] == '\0' || strcmp(leaf, "/") == 0)
        return fail(EBUSY, "remove");
    if (is_dot_or_dotdot(leaf))
        return fail(EINVAL, "remove");
    if (unlinkat(parent, leaf, 0) == 0) {
        send_header(-1, "ok\n");
        return 0;
    }
    int err = errno;
    if (err == EISDIR || err == EPERM) {
        if (unlinkat(parent, leaf, AT_REMOVEDIR) == 0) {
            send_header(-1, "ok\n");
            return 0;
        }
        if (err == EISDIR || errno != ENOTDIR)
            err = errno;
    }
    return fail(err, "remove");
}

// MARK: - Entering the container's view

static int become_root(void) {
    if (setgroups(0, NULL) != 0 && errno != EPERM)
        return -errno;
    if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0)
        return -errno;
    return 0;
}

static int run_op(int rootfd, const char *op, const char *path, char **args, int nargs, bool ids_mapped) {
    umask(0);
    if (strcmp(op, "stat") == 0)
        return op_stat(rootfd, path, false);
    if (strcmp(op, "get") == 0)
        return op_stat(rootfd, path, true);
    if (strcmp(op, "push") == 0)
        return op_push(rootfd, path, args, nargs, ids_mapped);
    if (strcmp(op, "delete") == 0)
        return op_delete(rootfd, path);
    return fail(EINVAL, "usage");
}

// `map` is "NSID HOSTID RANGE" entries separated by commas; written as one line each.
static bool write_map(pid_t pid, const char *file, const char *map) {
    char path[64], text[4096];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    size_t len = strlen(map);
    if (len + 2 > sizeof(text))
        return false;
    for (size_t i = 0; i < len; i++)
        text[i] = map[i] == ',' ? '\n' : map[i];
    text[len] = '\n';
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write(fd, text, len + 1) == (ssize_t)(len + 1);
    close(fd);
    return ok;
}

// A child in a new user namespace holding the container's map runs the operation against the
// rootfs fd; this process writes the maps and passes on its exit code. A privileged container
// ("-": no map) is worked on as it is, by this process.
static int run_stopped(const char *op, const char *path, char **args, int nargs, const char *uid_map, const char *gid_map,
                       bool ids_mapped) {
    if (strcmp(uid_map, "-") == 0 && strcmp(gid_map, "-") == 0)
        return run_op(TARGET_FD, op, path, args, nargs, ids_mapped);
    int ready[2], mapped[2];
    if (lxd_os_pipe_cloexec(ready) != 0 || lxd_os_pipe_cloexec(mapped) != 0)
        return fail(errno, "pipe");
    pid_t pid = fork();
    if (pid < 0)
        return fail(errno, "fork");
    if (pid == 0) {
        close(ready[0]);
        close(mapped[1]);
        char byte = 0;
        if (unshare(CLONE_NEWUSER) != 0)
            _exit(fail(errno, "unshare"));
        write_all(ready[1], &byte, 1);
        close(ready[1]);
        if (read(mapped[0], &byte, 1) != 1 || byte != 1)
            _exit(1); // the parent reported the failure
        close(mapped[0]);
        int err = become_root();
        if (err != 0)
            _exit(fail(-err, "setuid"));
        _exit(run_op(TARGET_FD, op, path, args, nargs, ids_mapped));
    }
    close(ready[1]);
    close(mapped[0]);
    char byte = 0;
    ssize_t n;
    do {
        n = read(ready[0], &byte, 1);
    } while (n < 0 && errno == EINTR);
    bool ok = n == 1 && write_map(pid, "uid_map", uid_map) && write_map(pid, "gid_map", gid_map);
    if (n == 1 && !ok)
        fail(errno, "idmap");
    byte = ok ? 1 : 0;
    write_all(mapped[1], &byte, 1);
    close(mapped[1]);
    close(REPLY_FD); // the child holds the reply socket now
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

// A privileged container shares our user namespace (joining it again is EINVAL): only its
// mounts are entered then, and we already are its root.
static int run_running(const char *op, const char *path, char **args, int nargs, bool privileged, bool ids_mapped) {
    if (setns(TARGET_FD, privileged ? CLONE_NEWNS : CLONE_NEWUSER | CLONE_NEWNS) != 0)
        return fail(errno, "setns");
    int err = privileged ? 0 : become_root();
    if (err != 0)
        return fail(-err, "setuid");
    int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return fail(errno, "open");
    return run_op(rootfd, op, path, args, nargs, ids_mapped);
}

int lxd_forkfile_main(int argc, char **argv) {
    // lxd forkfile OP running|stopped UIDMAP GIDMAP IDSOK PATH [ARGS...]
    if (argc < 8 || fcntl(REPLY_FD, F_GETFD) < 0 || fcntl(TARGET_FD, F_GETFD) < 0) {
        fprintf(stderr, "Usage: lxd forkfile stat|get|push|delete running|stopped UIDMAP GIDMAP IDSOK PATH [ARGS...]\n"
                        "  (fd 3: reply socket, fd 4: the container's init pidfd, or its rootfs directory)\n");
        return 1;
    }
    lxd_os_close_range_from(TARGET_FD + 1);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    bool ids_mapped = strcmp(argv[6], "1") == 0;
    const char *op = argv[2];
    const char *path = argv[7];
    if (path[0] != '/')
        return fail(EINVAL, "usage");
    char **args = argv + 8;
    int nargs = argc - 8;
    if (strcmp(argv[3], "running") == 0)
        return run_running(op, path, args, nargs, strcmp(argv[4], "-") == 0, ids_mapped);
    if (strcmp(argv[3], "stopped") == 0)
        return run_stopped(op, path, args, nargs, argv[4], argv[5], ids_mapped);
    return fail(EINVAL, "usage");
}

int lxd_os_recv_with_fd(int sock, void *buf, size_t len, int *fd) {
    *fd = -1;
    struct iovec iov = {.iov_base = buf, .iov_len = len};
    char control[CMSG_SPACE(sizeof(int) * 4)];
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n;
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
            continue;
        size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int received;
            memcpy(&received, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
            if (*fd < 0)
                *fd = received;
            else
                close(received); // only one descriptor is ever expected
        }
    }
    return (int)n;
}

int lxd_os_socketpair_cloexec(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : -errno;
}
