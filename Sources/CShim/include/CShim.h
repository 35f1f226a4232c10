// Umbrella header of our own C code: what Swift cannot call directly (GNU-only calls,
// function-like macros, variadics) and everything that must run between fork and exec.
// What calls liblxc is in CLXCShim; SQLite's one macro is in CSQLite's shim.
#ifndef LXD_CSHIM_H
#define LXD_CSHIM_H

#include "lxd_os.h"
#include "lxd_ssl.h"
#include "lxd_fs.h"
#include "lxd_forkfile.h"
#include "lxd_mount.h"
#include "lxd_spare.h"

#endif
