#ifndef LXD_LXC_SHIM_H
#define LXD_LXC_SHIM_H

#include <stdbool.h>
#include <sys/types.h>

/// Entry point for the hidden `lxd fork*` subcommands, which run entirely in C in a freshly
/// exec'd, single-threaded process. Returns -1 when argv names no fork subcommand (the caller
/// then goes on as the daemon or client); otherwise it never returns (it exits).
int lxd_fork_dispatch(int argc, char **argv);

#endif
