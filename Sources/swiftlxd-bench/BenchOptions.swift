import Foundation

/// The command line of `swiftlxd-bench`.
struct BenchOptions: Sendable {
    /// A client binary to time, with the name its rows carry ("lxc (Debian)").
    struct Client: Sendable {
        var name: String
        var path: String
    }

    var targets: [Target] = []
    var image = "busybox"
    var prefix = "bench"
    var iterations = 10
    var cliIterations = 5
    var snapshotIterations = 5
    var instanceCounts = [0, 20, 100]
    var clients = 4
    var seconds = 2.0
    var rounds = 3
    var clis: [Client] = [Client(name: "Debian", path: "/usr/bin/lxc")]
    var launches = 50
    var batchSizes = [4, 10]
    var floorIterations = 10
    var lxcStart: String? = "/usr/bin/lxc-start"
    var peerTool: String? = "/usr/bin/lxd-benchmark"
    var peerCount = 20
    var peerParallel = 4
    var peerReport: String?
    /// Per target name, its daemon binary: idled as `BINARY waitready` on an empty folder for
    /// the memory floor (what the binary costs before it does anything).
    var idleBinaries: [String: String] = [:]
    var markdown: String?
    var json: String?
    var isSmoke = false

    static let usage = """
        Usage: swiftlxd-bench --target NAME=LXD_DIR[:PID] [--target NAME=LXD_DIR[:PID]] [options]

        Drives daemons that speak LXD's REST API over $LXD_DIR/unix.socket, alternating between
        them, and prints count, min, median, max and the ratio first/second per measurement, and
        how each of issue 5's targets fares. Each daemon needs a storage pool in its default
        profile and the image alias (--image).

          --target NAME=DIR[:PID]  a daemon (the first is "ours", the second the reference);
                                   without PID the daemon's pid comes from SO_PEERCRED
          --image ALIAS            cached image to create instances from (busybox)
          --prefix P               instance name prefix (bench)
          --iterations N           REST lifecycle rounds per daemon (10)
          --cli NAME=PATH          a client to time (repeatable; default Debian=/usr/bin/lxc)
          --no-cli                 time no client
          --cli-iterations N       lifecycle rounds per daemon and client (5)
          --snapshot-iterations N  snapshot/copy rounds per daemon (5)
          --instances LIST         running-instance counts for throughput (0,20,100)
          --clients N              concurrent clients for throughput (4)
          --seconds S              length of one throughput round (2)
          --rounds N               throughput rounds per daemon and endpoint (3)
          --launches N             instances per parallel-launch run (50; 0 skips)
          --batches LIST           parallel-launch batch sizes (4,10)
          --floor-iterations N     bare liblxc rounds on the first target's rootfs (10; 0 skips)
          --lxc-start PATH         liblxc's lxc-start for the floor (/usr/bin/lxc-start)
          --peer-tool PATH         lxd-benchmark (/usr/bin/lxd-benchmark); --no-peer-tool skips
          --peer-count N           lxd-benchmark launch --count (20)
          --peer-parallel N        lxd-benchmark --parallel (4)
          --peer-report FILE       lxd-benchmark's CSV report (in the scratch folder otherwise)
          --idle-binary NAME=PATH  a target's daemon binary, for the memory floor (its VmRSS
                                   as `PATH waitready` on an empty LXD_DIR); repeatable
          --markdown FILE          also write the tables there
          --json FILE              raw samples as JSON
          --smoke                  a short run (< 60 s) for the test suite: 2 rounds, 0 and 2
                                   instances, 4 launches in batches of 2, 2 floor rounds,
                                   half-second throughput rounds; exits 1 on any failure
        """

    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        var specs: [String] = []
        var clis: [Client] = []
        var noCLI = false
        var explicit: Set<String> = []
        var index = 0
        func value(_ flag: String) throws -> String {
            index += 1
            guard index < arguments.count else { throw BenchError("\(flag) needs a value") }
            explicit.insert(flag)
            return arguments[index]
        }
        func int(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let number = Int(text), number >= 0 else { throw BenchError("\(flag): not a count: \(text)") }
            return number
        }
        func counts(_ flag: String) throws -> [Int] {
            let text = try value(flag)
            let counts = text.split(separator: ",").compactMap { Int($0) }
            guard !counts.isEmpty, counts.allSatisfy({ $0 >= 0 }) else { throw BenchError("\(flag): not a list of counts: \(text)") }
            return counts
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--target": specs.append(try value(argument))
            case "--image": options.image = try value(argument)
            case "--prefix": options.prefix = try value(argument)
            case "--iterations": options.iterations = try int(argument)
            case "--cli":
                let spec = try value(argument)
                guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex else {
                    throw BenchError("--cli wants NAME=PATH, not \(spec)")
                }
                clis.append(Client(name: String(spec[..<equals]), path: String(spec[spec.index(after: equals)...])))
            case "--no-cli": noCLI = true
            case "--cli-iterations": options.cliIterations = try int(argument)
            case "--snapshot-iterations": options.snapshotIterations = try int(argument)
            case "--clients": options.clients = max(1, try int(argument))
            case "--rounds": options.rounds = try int(argument)
            case "--seconds":
                let text = try value(argument)
                guard let seconds = Double(text), seconds > 0 else { throw BenchError("--seconds: not a duration: \(text)") }
                options.seconds = seconds
            case "--instances": options.instanceCounts = try counts(argument).sorted()
            case "--launches": options.launches = try int(argument)
            case "--batches": options.batchSizes = try counts(argument).map { max(1, $0) }
            case "--floor-iterations": options.floorIterations = try int(argument)
            case "--lxc-start": options.lxcStart = try value(argument)
            case "--peer-tool": options.peerTool = try value(argument)
            case "--no-peer-tool": options.peerTool = nil
            case "--peer-count": options.peerCount = try int(argument)
            case "--peer-parallel": options.peerParallel = max(1, try int(argument))
            case "--peer-report": options.peerReport = try value(argument)
            case "--idle-binary":
                let spec = try value(argument)
                guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex else {
                    throw BenchError("--idle-binary wants NAME=PATH, not \(spec)")
                }
                options.idleBinaries[String(spec[..<equals])] = String(spec[spec.index(after: equals)...])
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
        if noCLI {
            options.clis = []
        } else if !clis.isEmpty {
            options.clis = clis
        }
        if options.isSmoke {
            let defaults: [(String, (inout BenchOptions) -> Void)] = [
                ("--iterations", { $0.iterations = 2 }),
                ("--cli-iterations", { $0.cliIterations = 1 }),
                ("--snapshot-iterations", { $0.snapshotIterations = 1 }),
                ("--instances", { $0.instanceCounts = [0, 2] }),
                ("--seconds", { $0.seconds = 0.5 }),
                ("--rounds", { $0.rounds = 1 }),
                ("--launches", { $0.launches = 4 }),
                ("--batches", { $0.batchSizes = [2] }),
                ("--floor-iterations", { $0.floorIterations = 2 }),
                ("--peer-count", { $0.peerCount = 2 }),
                ("--peer-parallel", { $0.peerParallel = 2 }),
            ]
            for (flag, apply) in defaults where !explicit.contains(flag) { apply(&options) }
        }
        for client in options.clis where !FileManager.default.isExecutableFile(atPath: client.path) {
            throw BenchError("\(client.path) is not executable (use --cli NAME=PATH or --no-cli)")
        }
        if let lxcStart = options.lxcStart, options.floorIterations > 0, !FileManager.default.isExecutableFile(atPath: lxcStart) {
            throw BenchError("\(lxcStart) is not executable (apt-get install lxc, or --floor-iterations 0)")
        }
        if let tool = options.peerTool, !FileManager.default.isExecutableFile(atPath: tool) {
            throw BenchError("\(tool) is not executable (apt-get install lxd-tools, or --no-peer-tool)")
        }
        return options
    }
}

struct BenchUsage: Error {}
