#include <lxc/lxccontainer.h>
#include <lxc/attach_options.h>
#include <lxc/version.h>
