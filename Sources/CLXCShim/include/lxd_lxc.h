#ifndef LXD_LXC_SHIM_H
#define LXD_LXC_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/// Entry point for the hidden `lxd fork*` subcommands, which run entirely in C in a freshly
/// exec'd, single-threaded process. Returns -1 when argv names no fork subcommand (the caller
/// then goes on as the daemon or client); otherwise it never returns (it exits).
///
///   lxd forkstart NAME LXCPATH CONFIG
///       lxc_container_new(NAME, LXCPATH), clear_config, load_config(CONFIG), want_daemonize,
///       start. Exit 0 once the container runs, 1 with a message on stderr otherwise. The
///       caller points stdout/stderr at a log file and closes every other fd.
///
///   lxd forkexec NAME LXCPATH CONFIG CWD UID GID [KEY=VALUE ...] -- CMD [ARG ...]
///       Runs CMD (looked up with PATH from the given environment) inside the running
///       container with liblxc attach: all namespaces, the container's cgroup, a cleared
///       environment holding exactly the KEY=VALUE pairs (every entry before `--` must
///       contain `=`), CWD (empty: liblxc's default), UID/GID (-1: the container's root).
///       The command's stdin/stdout/stderr are forkexec's fds 0, 1 and 2; when fd 0 is a
///       terminal the command gets it as its controlling terminal (new session).
///       Every other fd is closed first, except fd 3 when it is open: the status pipe.
///       Status pipe protocol (lines, then EOF):
///         "<pid>\n"              host pid of the command, as soon as it exists (signal it
///                                directly to forward signals);
///         "exec-failed <errno>\n" only when execvp failed inside the container;
///       EOF comes once the command has exec'd (or failed to). No pid line at all means the
///       attach itself failed (message on stderr, exit 1).
///       Exit code: the command's exit code; 128+N when it was killed by signal N; 127 when
///       the command was not found (ENOENT/ENOTDIR), 126 when it could not be executed
///       (EACCES, ENOEXEC, ...), as a shell does; 1 when the attach failed.
///
///   lxd forkfile OP running|stopped UIDBASE GIDBASE RANGE PATH [ARGS...]
///       One file operation in the container's own view: see lxd_forkfile.h.
int lxd_fork_dispatch(int argc, char **argv);

// Flat wrappers over liblxc's struct-of-function-pointers (go-lxc style). The handle is opaque
// here so that Swift only ever sees an OpaquePointer. None of these fork; `shutdown` and
// `freeze` block (up to `timeout` seconds for shutdown): call them off the cooperative pool.
struct lxc_container;

/// lxc_container_new; NULL on failure.
struct lxc_container *lxd_lxc_new(const char *name, const char *lxcpath);
void lxd_lxc_put(struct lxc_container *c);
void lxd_lxc_clear_config(struct lxc_container *c);
bool lxd_lxc_load_config(struct lxc_container *c, const char *path);
/// Static string owned by liblxc ("RUNNING", "STOPPED", ...).
const char *lxd_lxc_state(struct lxc_container *c);
bool lxd_lxc_is_running(struct lxc_container *c);
pid_t lxd_lxc_init_pid(struct lxc_container *c);
bool lxd_lxc_stop(struct lxc_container *c);
bool lxd_lxc_shutdown(struct lxc_container *c, int timeout);
bool lxd_lxc_freeze(struct lxc_container *c);
bool lxd_lxc_unfreeze(struct lxc_container *c);
/// get_cgroup_item: the full length of the value (may exceed `len`), or a negative value.
int lxd_lxc_get_cgroup_item(struct lxc_container *c, const char *key, char *buf, int len);
bool lxd_lxc_set_cgroup_item(struct lxc_container *c, const char *key, const char *value);
/// malloc'd string (free with lxd_lxc_free) or NULL.
char *lxd_lxc_get_running_config_item(struct lxc_container *c, const char *key);
/// get_config_item from the loaded config: malloc'd string (free with lxd_lxc_free) or NULL.
char *lxd_lxc_get_config_item(struct lxc_container *c, const char *key);
/// An O_CLOEXEC fd of the running container's devpts `ptmx`-capable mount (open a pty
/// inside the container from it), or -errno.
int lxd_lxc_devpts_fd(struct lxc_container *c);
/// A pidfd of the container's init, or -errno.
int lxd_lxc_init_pidfd(struct lxc_container *c);
/// Attaches to the running container's tty `ttynum` (0: its console) through its monitor, without
/// forking: returns the command socket (keep it open while attached; closing it frees the
/// console) and sets `*ptxfd` to the pty master to read and write; both close-on-exec. -errno
/// on failure.
int lxd_lxc_console_getfd(struct lxc_container *c, int ttynum, int *ptxfd);
/// Reads and/or clears the console ring buffer. `*data` is malloc'd (free with lxd_lxc_free), `*length` its size. 0, or -errno
/// (-ENODATA: the buffer is empty).
int lxd_lxc_console_log(struct lxc_container *c, bool clear, bool read, char **data, size_t *length);
/// The last error liblxc recorded on this handle (may be NULL) and its number.
const char *lxd_lxc_error_string(struct lxc_container *c);
int lxd_lxc_error_num(struct lxc_container *c);
void lxd_lxc_free(void *p);
const char *lxd_lxc_version(void);

#endif
