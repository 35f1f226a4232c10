#include "lxd_lxc.h"

#include <string.h>

int lxd_fork_dispatch(int argc, char **argv) {
    (void)argc;
    (void)argv;
    return -1;
}
