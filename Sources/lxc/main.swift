import Foundation
import LXDCLI

exit(LXCMain.run(CommandLine.arguments))
