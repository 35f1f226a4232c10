// Spare helpers (see lxd_spare.h). The request is one SOCK_SEQPACKET message: a header, then
// argc NUL-terminated strings; the descriptors ride along as SCM_RIGHTS.
#include "lxd_spare.h"
#include "lxd_os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

enum {
    SPARE_MAGIC = 0x4c584453, // "LXDS"
    SPARE_MAX_FDS = 8,
    SPARE_SOCKET_FD = 3,
};

struct spare_header {
    uint32_t magic;
    int32_t flags;
    int32_t argc;
    int32_t nfds;
    // For each target descriptor i < nfds: its index among the passed descriptors, or -1.
    int32_t slot[SPARE_MAX_FDS];
};

int lxd_spare_socketpair(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : -errno;
}

int lxd_spare_send(int sock, char *const argv[], const int *fds, int nfds, int flags) {
    if (nfds < 0 || nfds > SPARE_MAX_FDS)
        return -E2BIG;
    struct spare_header header = {.magic = SPARE_MAGIC, .flags = flags, .argc = 0, .nfds = nfds};
    size_t total = sizeof(header);
    for (int i = 0; argv[i] != NULL; i++) {
        total += strlen(argv[i]) + 1;
        header.argc++;
    }
    if (total > LXD_SPARE_MAX_REQUEST)
        return -E2BIG;

    // Each distinct open descriptor is passed once (stdout and stderr are often the same).
    int passed[SPARE_MAX_FDS];
    int npassed = 0;
    for (int i = 0; i < nfds; i++) {
        header.slot[i] = -1;
        if (fds[i] < 0)
            continue;
        int found = -1;
        for (int j = 0; j < npassed; j++) {
            if (passed[j] == fds[i])
                found = j;
        }
        if (found < 0) {
            found = npassed;
            passed[npassed++] = fds[i];
        }
        header.slot[i] = found;
    }

    char *buffer = malloc(total);
    if (buffer == NULL)
        return -ENOMEM;
    memcpy(buffer, &header, sizeof(header));
    char *cursor = buffer + sizeof(header);
    for (int i = 0; argv[i] != NULL; i++) {
        size_t length = strlen(argv[i]) + 1;
        memcpy(cursor, argv[i], length);
        cursor += length;
    }

    struct iovec iov = {.iov_base = buffer, .iov_len = total};
    union {
        char buf[CMSG_SPACE(sizeof(int) * SPARE_MAX_FDS)];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (npassed > 0) {
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)npassed);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)npassed);
        memcpy(CMSG_DATA(cmsg), passed, sizeof(int) * (size_t)npassed);
    }
    ssize_t sent;
    do {
        sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    int err = errno;
    free(buffer);
    if (sent < 0)
        return -err;
    return sent == (ssize_t)total ? 0 : -EPIPE;
}

// Everything below runs in the spare: a single-threaded C process (no Swift runtime has been
// initialised: the constructor dispatch runs first), so plain exit paths are fine.

static int spare_fail(const char *what) {
    // Before the request stderr is /dev/null; after it, the helper's own stderr (a log).
    dprintf(STDERR_FILENO, "forkspare: %s\n", what);
    return 127;
}

int lxd_forkspare_main(int argc, char **argv, int (*dispatch)(int argc, char **argv)) {
    (void)argc;
    (void)argv;
    char *buffer = malloc(LXD_SPARE_MAX_REQUEST);
    if (buffer == NULL)
        return spare_fail("malloc");
    union {
        char buf[CMSG_SPACE(sizeof(int) * SPARE_MAX_FDS)];
        struct cmsghdr align;
    } control;
    struct iovec iov = {.iov_base = buffer, .iov_len = LXD_SPARE_MAX_REQUEST};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf)};
    ssize_t got;
    do {
        got = recvmsg(SPARE_SOCKET_FD, &msg, MSG_CMSG_CLOEXEC);
    } while (got < 0 && errno == EINTR);
    if (got == 0)
        exit(0); // the daemon went away or retired this spare
    if (got < 0)
        return spare_fail("recvmsg");

    int received[SPARE_MAX_FDS];
    int nreceived = 0;
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
            continue;
        size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count && nreceived < SPARE_MAX_FDS; i++)
            memcpy(&received[nreceived++], CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
    }
    close(SPARE_SOCKET_FD);

    struct spare_header header;
    if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || (size_t)got < sizeof(header))
        return spare_fail("short request");
    memcpy(&header, buffer, sizeof(header));
    if (header.magic != SPARE_MAGIC || header.argc < 2 || header.nfds < 0 || header.nfds > SPARE_MAX_FDS)
        return spare_fail("bad header");

    // The strings, each NUL-terminated inside what was received.
    char **args = calloc((size_t)header.argc + 1, sizeof(char *));
    if (args == NULL)
        return spare_fail("calloc");
    char *cursor = buffer + sizeof(header);
    char *end = buffer + got;
    for (int i = 0; i < header.argc; i++) {
        char *nul = cursor < end ? memchr(cursor, '\0', (size_t)(end - cursor)) : NULL;
        if (nul == NULL)
            return spare_fail("unterminated argument");
        args[i] = cursor;
        cursor = nul + 1;
    }
    if (strcmp(args[1], "forkspare") == 0)
        return spare_fail("a spare cannot become a spare");

    // As lxd_os_spawn's child: every passed descriptor above the target range first, then
    // onto 0..nfds-1 (dup2 clears close-on-exec), then nothing else stays open.
    int nfds = header.nfds;
    int moved[SPARE_MAX_FDS];
    for (int i = 0; i < nfds; i++) {
        moved[i] = -1;
        int slot = header.slot[i];
        if (slot < 0)
            continue;
        if (slot >= nreceived)
            return spare_fail("missing descriptor");
        moved[i] = fcntl(received[slot], F_DUPFD_CLOEXEC, SPARE_MAX_FDS + 64);
        if (moved[i] < 0)
            return spare_fail("fcntl");
    }
    for (int i = 0; i < nfds; i++) {
        if (moved[i] < 0) {
            close(i);
            continue;
        }
        if (dup2(moved[i], i) < 0)
            return spare_fail("dup2");
    }
    lxd_os_close_range_from(nfds);

    if (header.flags & LXD_SPAWN_SETSID)
        setsid();
    if ((header.flags & LXD_SPAWN_SETCTTY) && nfds > 0 && ioctl(0, TIOCSCTTY, 0) != 0)
        return spare_fail("TIOCSCTTY");
    // `ps` and `top` name the helper it became (argv in /proc/PID/cmdline stays "lxd forkspare").
    prctl(PR_SET_NAME, args[1], 0, 0, 0);

    int status = dispatch(header.argc, args);
    return status < 0 ? spare_fail("unknown helper") : status;
}
