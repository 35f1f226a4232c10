// liblxc shims and the hidden `lxd fork*` subcommands. The fork helpers run in a freshly
// exec'd `lxd` before any Swift thread exists, so they are plain C from start to exit.
#include "lxd_lxc.h"
#include "lxd_forkfile.h"
#include "lxd_mount.h"
#include "lxd_os.h"
#include "lxd_spare.h"

#include <lxc/attach_options.h>
#include <lxc/lxccontainer.h>
#include <lxc/version.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

// MARK: - Flat wrappers

struct lxc_container *lxd_lxc_new(const char *name, const char *lxcpath) {
    return lxc_container_new(name, lxcpath);
}

void lxd_lxc_put(struct lxc_container *c) { lxc_container_put(c); }

void lxd_lxc_clear_config(struct lxc_container *c) { c->clear_config(c); }

bool lxd_lxc_load_config(struct lxc_container *c, const char *path) { return c->load_config(c, path); }

const char *lxd_lxc_state(struct lxc_container *c) { return c->state(c); }

bool lxd_lxc_is_running(struct lxc_container *c) { return c->is_running(c); }

pid_t lxd_lxc_init_pid(struct lxc_container *c) { return c->init_pid(c); }

bool lxd_lxc_stop(struct lxc_container *c) { return c->stop(c); }

bool lxd_lxc_shutdown(struct lxc_container *c, int timeout) { return c->shutdown(c, timeout); }

bool lxd_lxc_freeze(struct lxc_container *c) { return c->freeze(c); }

bool lxd_lxc_unfreeze(struct lxc_container *c) { return c->unfreeze(c); }

int lxd_lxc_get_cgroup_item(struct lxc_container *c, const char *key, char *buf, int len) {
    return c->get_cgroup_item(c, key, buf, len);
}

bool lxd_lxc_set_cgroup_item(struct lxc_container *c, const char *key, const char *value) {
    return c->set_cgroup_item(c, key, value);
}

char *lxd_lxc_get_running_config_item(struct lxc_container *c, const char *key) {
    return c->get_running_config_item(c, key);
}

char *lxd_lxc_get_config_item(struct lxc_container *c, const char *key) {
    int len = c->get_config_item(c, key, NULL, 0);
    if (len < 0)
        return NULL;
    char *buf = calloc((size_t)len + 1, 1);
    if (buf == NULL)
        return NULL;
    if (c->get_config_item(c, key, buf, len + 1) < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

int lxd_lxc_devpts_fd(struct lxc_container *c) {
    int fd = c->devpts_fd(c);
    if (fd < 0)
        return errno > 0 ? -errno : -EBADF;
    return fd;
}

int lxd_lxc_init_pidfd(struct lxc_container *c) {
    int fd = c->init_pidfd(c);
    if (fd < 0)
        return errno > 0 ? -errno : -EBADF;
    return fd;
}

int lxd_lxc_console_getfd(struct lxc_container *c, int ttynum, int *ptxfd) {
    int tty = ttynum;
    *ptxfd = -1;
    int fd = c->console_getfd(c, &tty, ptxfd);
    if (fd < 0)
        return errno > 0 ? -errno : -EBUSY;
    // liblxc receives both without close-on-exec on some paths: no child may inherit them.
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (*ptxfd >= 0)
        fcntl(*ptxfd, F_SETFD, FD_CLOEXEC);
    return fd;
}

int lxd_lxc_console_log(struct lxc_container *c, bool clear, bool read, char **data, size_t *length) {
    uint64_t read_max = 0;
    struct lxc_console_log log = {.clear = clear, .read = read, .read_max = &read_max, .data = NULL};
    *data = NULL;
    *length = 0;
    int ret = c->console_log(c, &log);
    if (ret < 0)
        return ret;
    *data = log.data;
    *length = (size_t)read_max;
    return 0;
}

const char *lxd_lxc_error_string(struct lxc_container *c) { return c->error_string; }

int lxd_lxc_error_num(struct lxc_container *c) { return c->error_num; }

void lxd_lxc_free(void *p) { free(p); }

const char *lxd_lxc_version(void) { return lxc_get_version(); }

// MARK: - Fork helpers

static struct lxc_container *load_container(const char *cmd, const char *name, const char *lxcpath,
                                            const char *config) {
    struct lxc_container *c = lxc_container_new(name, lxcpath);
    if (c == NULL) {
        fprintf(stderr, "%s: Failed creating liblxc handle for \"%s\" in \"%s\"\n", cmd, name, lxcpath);
        return NULL;
    }
    c->clear_config(c);
    if (!c->load_config(c, config)) {
        fprintf(stderr, "%s: Failed loading config \"%s\"\n", cmd, config);
        lxc_container_put(c);
        return NULL;
    }
    return c;
}

static int forkstart(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "Usage: lxd forkstart NAME LXCPATH CONFIG\n");
        return 1;
    }
    struct lxc_container *c = load_container("forkstart", argv[2], argv[3], argv[4]);
    if (c == NULL)
        return 1;
    if (c->is_running(c)) {
        fprintf(stderr, "forkstart: The container is already running\n");
        lxc_container_put(c);
        return 1;
    }
    // liblxc maps the container's ids through shadow's setuid newuidmap/newgidmap when it finds
    // them on PATH (a shell and the tool, twice: ~5 ms of a start here) and writes the maps
    // itself otherwise, which root may. The container's environment is built from scratch and
    // the hooks are absolute paths, so nothing else here looks at PATH.
    unsetenv("PATH");
    c->want_daemonize(c, true);
    bool ok = c->start(c, 0, NULL);
    if (!ok) {
        fprintf(stderr, "forkstart: Failed starting container \"%s\": %s\n", argv[2],
                c->error_string != NULL ? c->error_string : "see the container's lxc.log");
    }
    lxc_container_put(c);
    fflush(stdout);
    fflush(stderr);
    return ok ? 0 : 1;
}

struct exec_payload {
    char **argv;
    int exec_error_fd; // close-on-exec; gets errno when execvp fails
};

// Runs inside the container (all namespaces joined, ids switched) in the attached process.
static int exec_in_container(void *data) {
    struct exec_payload *p = data;
    if (isatty(STDIN_FILENO)) {
        // The pty slave becomes the controlling terminal of a new session (lxc_make_controlling_terminal
        // is only used by liblxc for stdin_fd > 0, and our stdin is 0).
        setsid();
        ioctl(STDIN_FILENO, TIOCSCTTY, 0);
    }
    execvp(p->argv[0], p->argv);
    int err = errno;
    ssize_t unused = write(p->exec_error_fd, &err, sizeof(err));
    (void)unused;
    return (err == ENOENT || err == ENOTDIR || err == ELOOP || err == ENAMETOOLONG) ? 127 : 126;
}

static bool parse_id(const char *s, long *out) {
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < -1 || v > (long)UINT32_MAX - 1)
        return false;
    *out = v;
    return true;
}

static void write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

static int forkexec(int argc, char **argv) {
    // lxd forkexec NAME LXCPATH CONFIG CWD UID GID [KEY=VALUE ...] -- CMD [ARG ...]
    const char *usage = "Usage: lxd forkexec NAME LXCPATH CONFIG CWD UID GID [KEY=VALUE ...] -- CMD [ARG ...]\n";
    if (argc < 10) {
        fprintf(stderr, "%s", usage);
        return 1;
    }
    int sep = -1;
    for (int i = 8; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            sep = i;
            break;
        }
        if (strchr(argv[i], '=') == NULL) {
            fprintf(stderr, "forkexec: Invalid environment entry \"%s\"\n", argv[i]);
            return 1;
        }
    }
    long uid, gid;
    if (sep < 0 || sep + 1 >= argc || !parse_id(argv[6], &uid) || !parse_id(argv[7], &gid)) {
        fprintf(stderr, "%s", usage);
        return 1;
    }

    // Only 0, 1, 2 and the status pipe survive; the pipe is close-on-exec so the command never
    // inherits it (liblxc attach passes every fd without FD_CLOEXEC into the container).
    int status_fd = fcntl(3, F_GETFD) >= 0 ? 3 : -1;
    lxd_os_close_range_from(status_fd == 3 ? 4 : 3);
    if (status_fd >= 0 && fcntl(status_fd, F_SETFD, FD_CLOEXEC) != 0) {
        fprintf(stderr, "forkexec: Failed setting close-on-exec on the status pipe: %s\n", strerror(errno));
        return 1;
    }
    // The daemon may have blocked or ignored signals; the command must see the defaults.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);

    struct lxc_container *c = load_container("forkexec", argv[2], argv[3], argv[4]);
    if (c == NULL)
        return 1;
    if (!c->is_running(c)) {
        fprintf(stderr, "forkexec: The instance is not running\n");
        lxc_container_put(c);
        return 1;
    }

    int exec_error[2];
    if (lxd_os_pipe_cloexec(exec_error) != 0) {
        fprintf(stderr, "forkexec: Failed creating pipe: %s\n", strerror(errno));
        lxc_container_put(c);
        return 1;
    }

    int nenv = sep - 8;
    char **env = calloc((size_t)nenv + 1, sizeof(char *));
    if (env == NULL) {
        lxc_container_put(c);
        return 1;
    }
    for (int i = 0; i < nenv; i++)
        env[i] = argv[8 + i];

    lxc_attach_options_t options = LXC_ATTACH_OPTIONS_DEFAULT;
    options.attach_flags = LXC_ATTACH_DEFAULT;
    options.namespaces = -1; // all of the container's namespaces
    options.env_policy = LXC_ATTACH_CLEAR_ENV;
    options.extra_env_vars = env;
    options.initial_cwd = argv[5][0] != '\0' ? argv[5] : NULL;
    options.uid = (uid_t)uid;
    options.gid = (gid_t)gid;
    options.stdin_fd = STDIN_FILENO;
    options.stdout_fd = STDOUT_FILENO;
    options.stderr_fd = STDERR_FILENO;

    struct exec_payload payload = {.argv = &argv[sep + 1], .exec_error_fd = exec_error[1]};
    pid_t pid = -1;
    int ret = c->attach(c, exec_in_container, &payload, &options, &pid);
    close(exec_error[1]);
    if (ret < 0 || pid <= 0) {
        fprintf(stderr, "forkexec: Failed attaching to instance \"%s\"\n", argv[2]);
        lxc_container_put(c);
        return 1;
    }

    char line[64];
    if (status_fd >= 0) {
        int n = snprintf(line, sizeof(line), "%d\n", (int)pid);
        write_all(status_fd, line, (size_t)n);
    }
    // EOF on the exec-error pipe: the command exec'd (or died before trying).
    int exec_errno = 0;
    ssize_t got;
    do {
        got = read(exec_error[0], &exec_errno, sizeof(exec_errno));
    } while (got < 0 && errno == EINTR);
    close(exec_error[0]);
    if (got == (ssize_t)sizeof(exec_errno)) {
        if (status_fd >= 0) {
            int n = snprintf(line, sizeof(line), "exec-failed %d\n", exec_errno);
            write_all(status_fd, line, (size_t)n);
        }
    }
    if (status_fd >= 0)
        close(status_fd);

    int status = 0;
    pid_t w;
    do {
        w = waitpid(pid, &status, 0);
    } while (w < 0 && errno == EINTR);
    lxc_container_put(c);
    free(env);
    if (w < 0) {
        fprintf(stderr, "forkexec: Failed waiting for %d: %s\n", (int)pid, strerror(errno));
        return 1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}

int lxd_fork_dispatch(int argc, char **argv) {
    if (argc < 2 || argv[1] == NULL)
        return -1;
    if (strcmp(argv[1], "forkstart") == 0)
        exit(forkstart(argc, argv));
    if (strcmp(argv[1], "forkexec") == 0)
        exit(forkexec(argc, argv));
    if (strcmp(argv[1], "forkfile") == 0)
        exit(lxd_forkfile_main(argc, argv));
    if (strcmp(argv[1], "forkmount") == 0)
        exit(lxd_forkmount(argc, argv));
    if (strcmp(argv[1], "forkspare") == 0)
        exit(lxd_forkspare_main(argc, argv, lxd_fork_dispatch));
    return -1;
}

// The helpers run from the binary's first constructor, before those of Swift's runtime,
// Foundation and libdispatch (linked statically into release builds): they read
// /proc/self/maps, size the CPU set and touch hundreds of pages that a helper never uses.
// Only for a program named `lxd` (the daemon spawns its helpers with argv[0] "lxd"); any
// other binary that links this object (lxc, test bundles) reaches the dispatch from main.
__attribute__((constructor(101))) static void lxd_fork_dispatch_early(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc < 2 || argv == NULL || argv[0] == NULL)
        return;
    const char *slash = strrchr(argv[0], '/');
    if (strcmp(slash != NULL ? slash + 1 : argv[0], "lxd") == 0)
        lxd_fork_dispatch(argc, argv);
}
