import CShim
import Glibc
import LXDDaemon

// The hidden helpers (forkstart, forkexec) run entirely in C and exit; nothing else has run yet.
_ = lxd_fork_dispatch(CommandLine.argc, CommandLine.unsafeArgv)
exit(DaemonCommand.main(CommandLine.arguments))
