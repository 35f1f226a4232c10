// Umbrella header of our C code that calls liblxc: the container handle's flat wrappers and the
// `lxd fork*` helpers' dispatch. Apart from CShim so that only the daemon (`lxd`) and LibLXC
// link liblxc and what it brings (libseccomp, libselinux, libapparmor, libcap): `lxc` loads
// none of them for each command.
#ifndef LXD_CLXCSHIM_H
#define LXD_CLXCSHIM_H

#include "lxd_lxc.h"

#endif
