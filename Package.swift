// swift-tools-version: 6.2
// SwiftLXD: LXD's daemon and client in Swift. No outside Swift packages; C libraries come from
// Debian through the system-library targets below.
import PackageDescription

let cSettings: [CSetting] = [.define("_GNU_SOURCE")]

let package = Package(
    name: "SwiftLXD",
    products: [
        .executable(name: "lxd", targets: ["lxd"]),
        .executable(name: "lxc", targets: ["lxc"]),
    ],
    targets: [
        // System libraries: a module map and a shim header each.
        .systemLibrary(name: "CLXC", pkgConfig: "lxc", providers: [.apt(["lxc-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CHTTPParser", providers: [.apt(["libhttp-parser-dev"])]),

        // Our own C: spawning, GNU-only calls, macro shims and the liblxc fork helpers.
        .target(name: "CShim", dependencies: ["COpenSSL"], cSettings: cSettings),
        // Our C that calls liblxc: linked by the daemon and LibLXC only, not by `lxc`.
        .target(name: "CLXCShim", dependencies: ["CLXC", "CShim"], cSettings: cSettings),

        // Swift owners of the C libraries and of the OS.
        .target(name: "LXDOS", dependencies: ["CShim"]),
        .target(name: "SQLite", dependencies: ["CSQLite", "CShim"]),
        .target(name: "YAML", dependencies: ["CYAML"]),
        .target(name: "Archive", dependencies: ["CArchive", "CShim"]),
        .target(name: "LibLXC", dependencies: ["CLXC", "CShim", "CLXCShim"]),
        .target(name: "TLS", dependencies: ["CShim"]),

        // Shared layers.
        .target(name: "LXDCore", dependencies: ["COpenSSL", "CShim"]),
        .target(name: "LXDAPI", dependencies: ["LXDCore"]),
        .target(name: "LXDHTTP", dependencies: ["LXDCore", "LXDOS", "CHTTPParser", "CShim", "COpenSSL", "TLS"]),
        .target(name: "LXDClient", dependencies: ["LXDAPI", "LXDHTTP", "LXDCore", "TLS"]),
        .target(name: "LXDCommandLine", dependencies: ["LXDAPI", "LXDCore", "YAML"]),

        // The daemon and the client as libraries; the executables are a few lines.
        .target(
            name: "LXDDaemon",
            dependencies: [
                "LXDAPI", "LXDHTTP", "LXDClient", "LXDCore", "LXDOS", "SQLite", "YAML", "Archive", "LibLXC", "CShim", "TLS",
                "LXDCommandLine",
            ]),
        .target(name: "LXDCLI", dependencies: ["LXDClient", "LXDCommandLine", "LXDAPI", "LXDCore", "LXDOS", "YAML", "TLS"]),
        // Swift's runtime and Foundation linked in: `lxd` is re-executed for every start, exec
        // and hook (`lxd forkstart`, `forkexec`, `callhook`) and `lxc` runs once per command;
        // binding ~40 shared libraries' symbols cost each of them ~25M instructions (callgrind).
        .executableTarget(name: "lxd", dependencies: ["LXDDaemon", "CLXCShim"], linkerSettings: staticSwift),
        .executableTarget(name: "lxc", dependencies: ["LXDCLI"], linkerSettings: staticSwift),
        .executableTarget(name: "swiftlxd-bench", dependencies: ["LXDHTTP", "LXDAPI", "LXDCore"]),

        .target(name: "LXDTestSupport", dependencies: ["LXDClient", "LXDHTTP", "LXDAPI", "LXDOS", "LXDCore"]),

        // Unit tests, one target per library.
        .testTarget(name: "LXDOSTests", dependencies: ["LXDOS"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive"]),
        .testTarget(name: "LXDCoreTests", dependencies: ["LXDCore"]),
        .testTarget(name: "LXDAPITests", dependencies: ["LXDAPI"]),
        .testTarget(name: "LXDHTTPTests", dependencies: ["LXDHTTP"]),
        .testTarget(name: "TLSTests", dependencies: ["TLS"]),
        .testTarget(name: "LXDDaemonTests", dependencies: ["LXDDaemon", "LXDTestSupport"]),
        .testTarget(name: "LXDCLITests", dependencies: ["LXDCLI", "LXDCommandLine"]),
        // Integration tests: a real daemon in a private LXD_DIR, driven through the lxc binaries.
        .testTarget(name: "IntegrationTests", dependencies: ["LXDTestSupport", "LXDAPI", "LXDHTTP", "LXDOS", "TLS", "lxd", "lxc"]),
    ],
    swiftLanguageModes: [.v6]
)

/// `-static-stdlib` for the executables started most often (see the `lxd` target), in release
/// builds (test bundles link the executables' objects with these flags, and Swift Testing has no
/// static library). Our objects were compiled against the shared Foundation, whose modules
/// autolink only `-lFoundation`: the static archives it needs come in one linker group. lld
/// (the toolchain's) does not repeat glibc's link-time `mktemp` warning from Foundation.
var staticSwift: [LinkerSetting] {
    let archives = [
        "Foundation", "FoundationEssentials", "FoundationInternationalization", "CoreFoundation", "_FoundationICU",
        "_FoundationCShims", "_FoundationCollections", "swiftSynchronization", "swiftDispatch", "dispatch", "BlocksRuntime",
        "stdc++",
    ]
    let flags = ["-static-stdlib", "-use-ld=lld", "-Xlinker", "--start-group"] + archives.flatMap { ["-Xlinker", "-l\($0)"] } + ["-Xlinker", "--end-group"]
    return [.unsafeFlags(flags, .when(configuration: .release))]
}
