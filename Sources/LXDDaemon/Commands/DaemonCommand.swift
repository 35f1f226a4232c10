import Foundation
import LXDAPI
import LXDHTTP
import YAML

/// The `lxd` command line: the daemon itself and its small client subcommands.
public enum DaemonCommand {
    static let usage = """
        Description:
          The LXD container manager (daemon)

          This is the LXD daemon command line. It's typically started directly by your
          init system and interacted with through a tool like `lxc`.

        Usage:
          lxd [flags]
          lxd [command]

        Available Commands:
          init          Configure the LXD daemon
          shutdown      Tell LXD to shutdown all containers and exit
          version       Show the server version
          waitready     Wait for LXD to be ready to process requests

        Flags:
              --debug          Show all debug messages
              --group string   The group of users that will be allowed to talk to LXD
          -h, --help           Print help
              --logfile string Path to the log file
          -v, --verbose        Show all information messages
              --version        Print version number

        """

    /// Runs `lxd ARGS...` and returns the exit code.
    public static func main(_ arguments: [String]) -> Int32 {
        var rest = Array(arguments.dropFirst())
        var options = DaemonOptions()
        var command: String?
        var commandArguments: [String] = []
        while !rest.isEmpty {
            let argument = rest.removeFirst()
            switch argument {
            case "--version":
                print(DaemonVersion.version)
                return 0
            case "-h", "--help":
                print(usage, terminator: "")
                return 0
            case "--debug", "-d":
                options.debug = true
            case "--verbose", "-v":
                options.verbose = true
            case "--group", "--logfile":
                guard !rest.isEmpty else { return fail("flag needs an argument: \(argument)") }
                let value = rest.removeFirst()
                if argument == "--group" { options.group = value } else { options.logFile = value }
            case let flag where flag.hasPrefix("--group="):
                options.group = String(flag.dropFirst("--group=".count))
            case let flag where flag.hasPrefix("--logfile="):
                options.logFile = String(flag.dropFirst("--logfile=".count))
            case let flag where flag.hasPrefix("-") && command == nil:
                return fail("unknown flag: \(flag)")
            default:
                if command == nil {
                    command = argument
                } else {
                    commandArguments.append(argument)
                }
            }
        }
        let paths = DaemonPaths.fromEnvironment()
        switch command {
        case nil:
            guard getuid() == 0 else { return fail("This must be run as root") }
            return Daemon(paths: paths, options: options).run()
        case "version":
            print(DaemonVersion.version)
            return 0
        case "waitready":
            return waitReady(paths, commandArguments)
        case "shutdown":
            return shutdown(paths, commandArguments)
        case "init":
            return DaemonInit.run(paths, commandArguments)
        case "activateifneeded":
            return 0
        case "callhook":
            return callHook(commandArguments)
        default:
            return fail("unknown command \"\(command ?? "")\" for \"lxd\"")
        }
    }

    static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        return 1
    }

    static func timeout(in arguments: [String], default value: Int) -> Int {
        for (index, argument) in arguments.enumerated() {
            if argument.hasPrefix("--timeout=") { return Int(argument.dropFirst("--timeout=".count)) ?? value }
            if argument == "--timeout" || argument == "-t", index + 1 < arguments.count { return Int(arguments[index + 1]) ?? value }
        }
        return value
    }

    /// `lxd callhook LXD_DIR NAME stop`, run by liblxc's post-stop hook: tells the daemon (if it
    /// runs) that the container stopped. Never fails the container's stop.
    static func callHook(_ arguments: [String]) -> Int32 {
        guard arguments.count >= 3, arguments[2] == "stop" else { return fail("usage: lxd callhook LXD_DIR NAME stop") }
        let client = HTTPClient(unixSocketPath: arguments[0] + "/unix.socket")
        let name = URLCoding.percentEncode(arguments[1])
        _ = try? client.request("POST", "/internal/containers/\(name)/onstop")
        return 0
    }

    /// `lxd waitready`: polls `/internal/ready` until it answers 200.
    static func waitReady(_ paths: DaemonPaths, _ arguments: [String]) -> Int32 {
        let timeout = timeout(in: arguments, default: 0)
        let client = HTTPClient(unixSocketPath: paths.socket)
        let start = Date()
        while true {
            if let response = try? client.request("GET", "/internal/ready"), response.status == 200 { return 0 }
            if timeout > 0, Date().timeIntervalSince(start) > Double(timeout) {
                return fail("LXD still not running after \(timeout)s timeout")
            }
            usleep(50_000)
        }
    }

    /// `lxd shutdown`: asks the daemon to stop its instances and exit, then waits until it is gone.
    static func shutdown(_ paths: DaemonPaths, _ arguments: [String]) -> Int32 {
        let timeout = timeout(in: arguments, default: 0)
        let client = HTTPClient(unixSocketPath: paths.socket)
        let target = timeout > 0 ? "/internal/shutdown?timeout=\(timeout)" : "/internal/shutdown"
        do {
            let response = try client.request("PUT", target)
            if response.status != 200 {
                let envelope = try? LXDJSON.decode(ResponseRaw.self, from: response.body)
                return fail(envelope?.error ?? "Shutdown failed (HTTP \(response.status))")
            }
        } catch {
            return fail("\(error)")
        }
        for _ in 0..<600 {
            if (try? client.request("GET", "/1.0")) == nil { return 0 }
            usleep(100_000)
        }
        return fail("LXD still running after shutdown request")
    }
}
