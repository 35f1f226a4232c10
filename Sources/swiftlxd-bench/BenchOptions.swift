import Foundation

/// The command line of `swiftlxd-bench`.
struct BenchOptions: Sendable {
    var targets: [Target] = []
    var image = "busybox"
    var prefix = "bench"
    var iterations = 10
    var cliIterations = 5
    var snapshotIterations = 5
    var instanceCounts = [0, 20]
    var clients = 4
    var seconds = 2.0
    var rounds = 3
    var lxc: String? = "/usr/bin/lxc"
    var markdown: String?
    var json: String?
    var isSmoke = false

    static let usage = """
        Usage: swiftlxd-bench --target NAME=LXD_DIR[:PID] [--target NAME=LXD_DIR[:PID]] [options]

        Drives daemons that speak LXD's REST API over $LXD_DIR/unix.socket, alternating between
        them, and prints count, min, median, max and the ratio first/second per measurement.
        Each daemon needs a storage pool in its default profile and the image alias (--image).

          --target NAME=DIR[:PID]  a daemon (the first is "ours", the second the reference);
                                   without PID the daemon's pid comes from SO_PEERCRED
          --image ALIAS            cached image to create instances from (busybox)
          --prefix P               instance name prefix (bench)
          --iterations N           REST lifecycle rounds per daemon (10)
          --cli-iterations N       lxc CLI lifecycle rounds per daemon (5)
          --snapshot-iterations N  snapshot/copy rounds per daemon (5)
          --instances LIST         running-instance counts for throughput and RSS (0,20)
          --clients N              concurrent clients for throughput (4)
          --seconds S              length of one throughput round (2)
          --rounds N               throughput rounds per daemon and endpoint (3)
          --lxc PATH | --no-cli    the CLI to time (/usr/bin/lxc)
          --markdown FILE          also write the table there
          --json FILE              raw samples as JSON
          --smoke                  a short run (< 60 s) for the test suite: 2 rounds, 0 and 2
                                   instances, half-second throughput rounds; exits 1 on any failure
        """

    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        var specs: [String] = []
        var explicit: Set<String> = []
        var index = 0
        func value(_ flag: String) throws -> String {
            index += 1
            guard index < arguments.count else { throw BenchError("\(flag) needs a value") }
            return arguments[index]
        }
        func int(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let number = Int(text), number >= 0 else { throw BenchError("\(flag): not a count: \(text)") }
            explicit.insert(flag)
            return number
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--target": specs.append(try value(argument))
            case "--image": options.image = try value(argument)
            case "--prefix": options.prefix = try value(argument)
            case "--iterations": options.iterations = try int(argument)
            case "--cli-iterations": options.cliIterations = try int(argument)
            case "--snapshot-iterations": options.snapshotIterations = try int(argument)
            case "--clients": options.clients = max(1, try int(argument))
            case "--rounds": options.rounds = try int(argument)
            case "--seconds":
                let text = try value(argument)
                guard let seconds = Double(text), seconds > 0 else { throw BenchError("--seconds: not a duration: \(text)") }
                options.seconds = seconds
                explicit.insert(argument)
            case "--instances":
                let text = try value(argument)
                let counts = text.split(separator: ",").compactMap { Int($0) }
                guard !counts.isEmpty, counts.allSatisfy({ $0 >= 0 }) else {
                    throw BenchError("--instances: not a list of counts: \(text)")
                }
                options.instanceCounts = counts.sorted()
                explicit.insert(argument)
            case "--lxc": options.lxc = try value(argument)
            case "--no-cli": options.lxc = nil
            case "--markdown": options.markdown = try value(argument)
            case "--json": options.json = try value(argument)
            case "--smoke": options.isSmoke = true
            case "-h", "--help": throw BenchUsage()
            default: throw BenchError("unknown argument \(argument)")
            }
            index += 1
        }
        guard !specs.isEmpty else { throw BenchError("at least one --target is needed") }
        options.targets = try specs.map(Target.parse)
        guard Set(options.targets.map(\.name)).count == options.targets.count else { throw BenchError("target names must differ") }
        if options.isSmoke {
            if !explicit.contains("--iterations") { options.iterations = 2 }
            if !explicit.contains("--cli-iterations") { options.cliIterations = 1 }
            if !explicit.contains("--snapshot-iterations") { options.snapshotIterations = 1 }
            if !explicit.contains("--instances") { options.instanceCounts = [0, 2] }
            if !explicit.contains("--seconds") { options.seconds = 0.5 }
            if !explicit.contains("--rounds") { options.rounds = 1 }
        }
        if let lxc = options.lxc, !FileManager.default.isExecutableFile(atPath: lxc) {
            throw BenchError("\(lxc) is not executable (use --lxc PATH or --no-cli)")
        }
        return options
    }
}

struct BenchUsage: Error {}
