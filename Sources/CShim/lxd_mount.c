// `lxd forkmount`: mount injection into a running container (see lxd_mount.h).
#include "lxd_mount.h"
#include "lxd_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 0x00000008
#endif
#ifndef MNT_DETACH
#define MNT_DETACH 0x00000002
#endif

static int fail(const char *what, int err) {
    fprintf(stderr, "forkmount: %s: %s\n", what, strerror(err));
    return 1;
}

// mkdir -p of `path` (relative to the container's root fd), each step resolved in root.
static int make_parents(int rootfd, const char *path, int include_last) {
    char copy[PATH_MAX];
    if (strlen(path) >= sizeof(copy))
        return -ENAMETOOLONG;
    strcpy(copy, path);
    size_t len = strlen(copy);
    for (size_t i = 1; i <= len; i++) {
        if (copy[i] != '/' && copy[i] != '\0')
            continue;
        if (copy[i] == '\0' && !include_last)
            break;
        char saved = copy[i];
        copy[i] = '\0';
        int ret = lxd_fs_mkdir_in_root(rootfd, copy, 0755);
        copy[i] = saved;
        if (ret != 0 && ret != -EEXIST)
            return ret;
    }
    return 0;
}

static int join_mount_namespace(const char *pid) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
    int ns = open(path, O_RDONLY | O_CLOEXEC);
    if (ns < 0)
        return -errno;
    int ret = setns(ns, CLONE_NEWNS) == 0 ? 0 : -errno;
    close(ns);
    return ret;
}

static int open_root(const char *pid) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%s/root", pid);
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

// The host uid and gid of the container's init (its root): mount points are created with
// them, so that a filesystem of the container's own (its /dev tmpfs) accepts the new inode.
static void container_root_ids(const char *pid, uid_t *uid, gid_t *gid) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%s/status", pid);
    FILE *f = fopen(path, "re");
    *uid = 0;
    *gid = 0;
    if (f == NULL)
        return;
    char line[256];
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long value;
        if (sscanf(line, "Uid: %lu", &value) == 1)
            *uid = (uid_t)value;
        else if (sscanf(line, "Gid: %lu", &value) == 1)
            *gid = (gid_t)value;
    }
    fclose(f);
}

static int do_mount(const char *pid, const char *source, const char *target, int is_file, int readonly) {
    const char *relative = target;
    while (*relative == '/')
        relative++;
    if (*relative == '\0')
        return fail("Refusing to mount over the container's root", EINVAL);
    int rootfd = open_root(pid);
    if (rootfd < 0)
        return fail("Opening the container's root", -rootfd);

    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0)
        return fail("Cloning the source mount", errno);
    if (readonly) {
        struct mount_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) != 0)
            return fail("Making the mount read-only", errno);
    }

    uid_t root_uid;
    gid_t root_gid;
    container_root_ids(pid, &root_uid, &root_gid);
    setfsgid(root_gid);
    setfsuid(root_uid);
    int ret = make_parents(rootfd, relative, !is_file);
    if (ret != 0)
        return fail("Creating the mount point", -ret);
    if (is_file) {
        int fd = lxd_fs_open_in_root(rootfd, relative, O_WRONLY | O_CREAT | O_NOFOLLOW, 0644);
        if (fd < 0 && fd != -EISDIR)
            return fail("Creating the mount point", -fd);
        if (fd >= 0)
            close(fd);
    }
    setfsuid(0);
    setfsgid(0);
    int targetfd = lxd_fs_open_in_root(rootfd, relative, O_PATH, 0);
    if (targetfd < 0)
        return fail("Opening the mount point", -targetfd);

    ret = join_mount_namespace(pid);
    if (ret != 0)
        return fail("Joining the container's mount namespace", -ret);
    if (syscall(SYS_move_mount, tree, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        return fail("Attaching the mount", errno);
    return 0;
}

static int do_umount(const char *pid, const char *target, int remove_file) {
    const char *relative = target;
    while (*relative == '/')
        relative++;
    char parent[PATH_MAX];
    if (strlen(relative) >= sizeof(parent))
        return fail("Target path", ENAMETOOLONG);
    strcpy(parent, relative);
    char *slash = strrchr(parent, '/');
    const char *leaf = relative;
    if (slash != NULL) {
        *slash = '\0';
        leaf = relative + (slash - parent) + 1;
    } else {
        strcpy(parent, ".");
    }
    if (*leaf == '\0')
        return fail("Target path", EINVAL);
    int rootfd = open_root(pid);
    if (rootfd < 0)
        return fail("Opening the container's root", -rootfd);
    int parentfd = lxd_fs_open_in_root(rootfd, parent, O_PATH | O_DIRECTORY, 0);
    if (parentfd < 0)
        return fail("Opening the mount point's folder", -parentfd);
    int ret = join_mount_namespace(pid);
    if (ret != 0)
        return fail("Joining the container's mount namespace", -ret);
    if (fchdir(parentfd) != 0)
        return fail("Entering the mount point's folder", errno);
    // EINVAL: nothing mounted there any more (the container unmounted it itself).
    if (syscall(SYS_umount2, leaf, MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && !(errno == EINVAL && remove_file))
        return fail("Unmounting", errno);
    // A unix device's mount point is a file of its own: it goes with the device.
    if (remove_file)
        if (unlink(leaf) != 0 && errno != ENOENT)
            return fail("Removing the device node", errno);
    return 0;
}

int lxd_forkmount(int argc, char **argv) {
    if (argc == 8 && strcmp(argv[2], "mount") == 0) {
        int is_file = strcmp(argv[6], "file") == 0;
        int readonly = strcmp(argv[7], "ro") == 0;
        return do_mount(argv[3], argv[4], argv[5], is_file, readonly);
    }
    if ((argc == 5 || (argc == 6 && strcmp(argv[5], "remove") == 0)) && strcmp(argv[2], "umount") == 0)
        return do_umount(argv[3], argv[4], argc == 6);
    fprintf(stderr, "Usage: lxd forkmount mount PID SOURCE TARGET dir|file ro|rw\n       lxd forkmount umount PID TARGET [remove]\n");
    return 1;
}
