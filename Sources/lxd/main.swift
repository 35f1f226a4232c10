import CShim
import Glibc
import LXDDaemon

// The hidden fork helpers (forkstart, forkexec) run entirely in C and exit.
_ = lxd_fork_dispatch(CommandLine.argc, CommandLine.unsafeArgv)
