import CLXCShim
import Glibc
import LXDDaemon

// The hidden helpers (forkstart, forkexec, ...) run entirely in C and exit. A binary named `lxd`
// has already run them from a constructor in CLXCShim (lxd_lxc.c), before Swift's initialisers;
// this call serves the same binary under another name.
_ = lxd_fork_dispatch(CommandLine.argc, CommandLine.unsafeArgv)
exit(DaemonCommand.main(CommandLine.arguments))
