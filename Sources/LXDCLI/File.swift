import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine

/// `lxc file` (LXD's file.go): push, pull, delete and edit files in instances. `mount` needs
/// the SFTP endpoint and sshfs, which this client does not have.
struct FileCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "file", short: "Manage files in instances") }

    var subcommands: [any LXCCommand] {
        [
            FileDeleteCommand(), FileEditCommand(), FilePullCommand(), FilePushCommand(), FileMountCommand(),
        ]
    }
}

/// The mode of folders `lxc file` makes on the local side.
private let localDirectoryMode: mode_t = 0o755

/// `instance/path` split at the first slash; nil without one.
private func splitInstancePath(_ text: String) -> (instance: String, path: String)? {
    guard let slash = text.firstIndex(of: "/") else { return nil }
    return (String(text[..<slash]), String(text[text.index(after: slash)...]))
}

/// Go's `filepath.Clean`.
func cleanLocalPath(_ path: String) -> String {
    guard !path.isEmpty else { return "." }
    let isAbsolute = path.hasPrefix("/")
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
        if part == "." { continue }
        if part == ".." {
            if let last = parts.last, last != ".." {
                parts.removeLast()
            } else if !isAbsolute {
                parts.append(part)
            }
            continue
        }
        parts.append(part)
    }
    let joined = parts.joined(separator: "/")
    if isAbsolute { return "/" + joined }
    return joined.isEmpty ? "." : joined
}

/// Go's `path.Join`: the non-empty elements joined, then cleaned.
func joinPath(_ elements: String...) -> String {
    let nonEmpty = elements.filter { !$0.isEmpty }
    return nonEmpty.isEmpty ? "" : cleanLocalPath(nonEmpty.joined(separator: "/"))
}

/// Go's `path.Base` and `path.Dir`.
func basePath(_ path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    if trimmed.isEmpty { return "." }
    if trimmed == "/" { return "/" }
    return String(trimmed.split(separator: "/").last ?? "")
}

func dirPath(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return cleanLocalPath(String(path[...slash]))
}

/// A Go `*os.PathError` message: `open /x: no such file or directory`.
func osError(_ operation: String, _ path: String, _ code: Int32 = errno) -> LXDError {
    LXDError(.badRequest, "\(operation) \(path): \(goErrnoText(code))")
}

func goErrnoText(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    return text.prefix(1).lowercased() + text.dropFirst()
}

/// `os.MkdirAll`.
func makeDirectories(_ path: String, mode: mode_t) throws {
    var info = stat()
    if stat(path, &info) == 0 {
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw osError("mkdir", path, ENOTDIR) }
        return
    }
    let parent = dirPath(path)
    if parent != path && parent != "." && parent != "/" { try makeDirectories(parent, mode: mode) }
    if mkdir(path, mode) != 0 && errno != EEXIST { throw osError("mkdir", path) }
}

/// Progress as LXD's ioprogress trackers report it: at most once a second, and at the end.
final class TransferProgress: @unchecked Sendable {
    // Used by the one thread moving the bytes.
    let renderer: ProgressRenderer
    let length: Int64?
    private let start: Date
    /// As LXD's tracker: the first report comes a second after the start (or at the end of a
    /// transfer of known length), so a quick pull prints nothing.
    private var last: Date
    private var lastText = ""

    init(_ renderer: ProgressRenderer, length: Int64?) {
        self.renderer = renderer
        self.length = length
        let now = Date()
        start = now
        last = now
    }

    func update(_ total: Int64) {
        let elapsed = max(Date().timeIntervalSince(start), 0.001)
        let speed = Int64(Double(total) / elapsed)
        let text: String
        if let length, length > 0 {
            text = "\(min(100, total * 100 / length))% (\(Units.byteSize(speed))/s)"
        } else {
            text = "\(Units.byteSize(total)) (\(Units.byteSize(speed))/s)"
        }
        let isDone = length.map { total >= $0 } ?? false
        guard text != lastText, isDone || Date().timeIntervalSince(last) >= 1 else { return }
        last = Date()
        lastText = text
        renderer.update(text)
    }
}

/// Listed with LXD's help; mounting needs the SFTP endpoint and sshfs, neither of which exists here.
struct FileMountCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "mount", usage: "[<remote>:]<instance>[/<path>] [<target path>]", short: "Mount files from instances",
            example: """
                lxc file mount foo/root fooroot
                   To mount /root from the instance foo onto the local fooroot directory.
                """,
            flags: [
                Flag("auth-user", .string, usage: "Set authentication user when using SSH SFTP listener", valueName: "string"),
                Flag("listen", .string, usage: "Setup SSH SFTP listener on address:port instead of mounting", valueName: "string"),
                Flag("no-auth", usage: "Disable authentication when using SSH SFTP listener"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 2) else { return }
        throw UsageError("\"lxc file mount\" is not implemented by this client yet")
    }
}

// MARK: - delete

struct FileDeleteCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "delete", aliases: ["rm"], usage: "[<remote>:]<instance>/<path> [[<remote>:]<instance>/<path>...]",
            short: "Delete files in instances")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: -1) else { return }
        for argument in args.positional {
            let (server, name) = try ctx.resolve(argument)
            guard let (instance, path) = splitInstancePath(name) else { throw UsageError("Invalid path \(name)") }
            try server.deleteInstanceFile(instance, path: path)
        }
    }
}

// MARK: - pull

struct FilePullCommand: LXCCommand {
    /// Called by `edit`: the target is a temporary file.
    var isEdit = false

    var spec: CommandSpec {
        CommandSpec(
            name: "pull", usage: "[<remote>:]<instance>/<path> [[<remote>:]<instance>/<path>...] <target path>",
            short: "Pull files from instances",
            example: """
                lxc file pull foo/etc/hosts .
                   To pull /etc/hosts from the instance and write it to the current directory.
                """,
            flags: [
                Flag("create-dirs", short: "p", usage: "Create any directories necessary"),
                Flag("recursive", short: "r", usage: "Recursively transfer files"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: -1) else { return }
        let arguments = args.positional
        let rawTarget = arguments[arguments.count - 1]
        let target = cleanLocalPath(rawTarget)
        let sources = arguments.dropLast()
        let recursive = args.bool("recursive")

        var targetIsDir = false
        var info = stat()
        if stat(target, &info) == 0 {
            targetIsDir = (info.st_mode & S_IFMT) == S_IFDIR
            if !targetIsDir && sources.count > 1 { throw UsageError("More than one file to download, but target is not a directory") }
        } else if errno != ENOENT {
            throw osError("stat", target)
        } else if rawTarget.hasSuffix("/") || sources.count > 1 {
            try makeDirectories(target, mode: localDirectoryMode)
            targetIsDir = true
        } else if args.bool("create-dirs") {
            try makeDirectories(dirPath(target), mode: localDirectoryMode)
        }

        for source in sources {
            let (server, name) = try ctx.resolve(source)
            guard let (instance, path) = splitInstancePath(name) else { throw UsageError("Invalid source \(name)") }
            let targetPath = targetIsDir ? joinPath(target, basePath(path)) : target
            let progress = ProgressRenderer(format: "Pulling \(targetPath) from \(path): %s", quiet: ctx.isQuiet, out: ctx.stdout)
            var output = LocalOutput(path: targetPath, progress: targetPath == "-" ? nil : TransferProgress(progress, length: nil))
            defer { output.close() }
            var response = try server.getInstanceFile(instance, path: path) { try output.open(mode: $0.mode) }

            if response.type == "directory" {
                guard recursive else { throw UsageError("Can't pull a directory without --recursive") }
                if !FileManager.default.fileExists(atPath: target) {
                    try makeDirectories(target, mode: localDirectoryMode)
                    targetIsDir = true
                }
                try pullRecursively(ctx, server, instance, path, into: target)
                continue
            }
            if response.type == "symlink" {
                guard targetPath == "-" || recursive else {
                    let link = response.linkTarget.trimmingCharacters(in: .whitespacesAndNewlines)
                    if symlink(link, targetPath) != 0 {
                        throw LXDError(.badRequest, "symlink \(link) \(targetPath): \(goErrnoText(errno))")
                    }
                    continue
                }
                // Follow the link (up to 255 hops) and pull what it points at.
                var hops = 0
                var linkTarget = response.linkTarget
                while true {
                    var next = linkTarget.hasSuffix("\n") ? String(linkTarget.dropLast()) : linkTarget
                    if !next.hasPrefix("/") { next = cleanLocalPath(joinPath(dirPath(path), next)) }
                    output.close()
                    output = LocalOutput(path: targetPath, progress: output.progress)
                    response = try server.getInstanceFile(instance, path: next) { try output.open(mode: $0.mode) }
                    if response.type != "symlink" { break }
                    hops += 1
                    if hops > 255 { throw UsageError("Too many links") }
                    linkTarget = response.linkTarget
                }
            }
            if response.type == "file" && !output.isOpen {
                // An empty file: nothing was streamed, so nothing opened the target yet.
                _ = try output.open(mode: response.mode)
            }
            try output.finish()
            progress.finish()
        }
    }

    /// LXD's `recursivePullFile`.
    private func pullRecursively(_ ctx: CLIContext, _ server: LXDServer, _ instance: String, _ path: String, into directory: String)
        throws
    {
        let target = joinPath(directory, basePath(path))
        let progress = ProgressRenderer(format: "Pulling \(path) from \(target): %s", quiet: ctx.isQuiet, out: ctx.stdout)
        var output = LocalOutput(path: target, progress: TransferProgress(progress, length: nil))
        defer { output.close() }
        let response = try server.getInstanceFile(instance, path: path) { try output.open(mode: $0.mode) }
        switch response.type {
        case "directory":
            if mkdir(target, mode_t(max(response.mode, 0))) != 0 { throw osError("mkdir", target) }
            for entry in response.entries {
                try pullRecursively(ctx, server, instance, joinPath(path, entry), into: target)
            }
        case "file":
            if !output.isOpen { _ = try output.open(mode: response.mode) }
            try output.finish()
            progress.finish()
        case "symlink":
            let link = response.linkTarget.trimmingCharacters(in: .whitespacesAndNewlines)
            if symlink(link, target) != 0 { throw LXDError(.badRequest, "symlink \(link) \(target): \(goErrnoText(errno))") }
        default:
            throw UsageError("Unknown file type '\(response.type)'")
        }
    }
}

/// Where a pulled file goes: a new local file (created and chmod'ed as LXD's client does once
/// the server has answered) or stdout for `-`.
struct LocalOutput {
    let path: String
    let progress: TransferProgress?
    private(set) var fd: Int32 = -1

    init(path: String, progress: TransferProgress?) {
        self.path = path
        self.progress = progress
    }

    var isOpen: Bool { fd >= 0 }

    mutating func open(mode: Int) throws -> (UnsafeRawBufferPointer) throws -> Void {
        if path == "-" {
            fd = 1
        } else if fd < 0 {
            fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            guard fd >= 0 else { throw osError("open", path) }
            if mode >= 0, fchmod(fd, mode_t(mode)) != 0 { throw osError("chmod", path) }
        }
        let fd = self.fd
        let path = self.path
        let progress = self.progress
        var total: Int64 = 0
        return { piece in
            var offset = 0
            while offset < piece.count {
                let written = write(fd, piece.baseAddress.map { $0 + offset }, piece.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw LXDError(.badRequest, "write \(path): \(goErrnoText(errno))")
                }
                offset += written
            }
            total += Int64(piece.count)
            progress?.update(total)
        }
    }

    func finish() throws {
        if fd > 1, Glibc.close(fd) != 0 { throw osError("close", path) }
    }

    mutating func close() {
        if fd > 1 { _ = Glibc.close(fd) }
        fd = -1
    }
}

// MARK: - push

struct FilePushCommand: LXCCommand {
    /// Called by `edit`: no mode, uid or gid is sent, and the source is taken as given.
    var isEdit = false

    var spec: CommandSpec {
        CommandSpec(
            name: "push", usage: "<source path>... [<remote>:]<instance>/<path>", short: "Push files into instances",
            example: """
                lxc file push /etc/hosts foo/etc/hosts
                   To push /etc/hosts into the instance "foo".
                """,
            flags: [
                Flag("create-dirs", short: "p", usage: "Create any directories necessary"),
                Flag("gid", .int, usage: "Set the file's gid on push (default -1)", default: "-1"),
                Flag("mode", .string, usage: "Set the file's perms on push"),
                Flag("recursive", short: "r", usage: "Recursively transfer files"),
                Flag("uid", .int, usage: "Set the file's uid on push (default -1)", default: "-1"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: -1) else { return }
        let arguments = args.positional
        let target = arguments[arguments.count - 1]
        guard let (instanceSpec, rawPath) = splitInstancePath(target) else { throw UsageError("Invalid target \(target)") }
        var targetIsDir = target.hasSuffix("/")
        let targetPath = cleanLocalPath("/" + rawPath)
        if targetPath.hasSuffix("/") { targetIsDir = true }
        let (server, instance) = try ctx.resolve(instanceSpec)
        let sources = arguments.dropLast().map { cleanLocalPath($0) }

        let flagUID = args.int("uid", default: -1)
        let flagGID = args.int("gid", default: -1)
        var flagMode = args.string("mode")
        var mode = Int(localDirectoryMode)
        if !flagMode.isEmpty {
            if flagMode.count == 3 { flagMode = "0" + flagMode }
            guard let parsed = goParseInt(flagMode) else { throw UsageError("strconv.ParseInt: parsing \"\(flagMode)\": invalid syntax") }
            mode = parsed
        }
        let transfer = FileTransfer(ctx: ctx, server: server, instance: instance)

        if args.bool("recursive") {
            if flagUID != -1 || flagGID != -1 || !flagMode.isEmpty { throw UsageError("Can't supply uid/gid/mode in recursive mode") }
            if args.bool("create-dirs") {
                var info = stat()
                guard stat(sources[0], &info) == 0 else { throw osError("open", sources[0]) }
                try transfer.makeDirectories(
                    targetPath, mode: Int(info.st_mode & 0o777), uid: Int64(info.st_uid), gid: Int64(info.st_gid))
            }
            for source in sources { try transfer.pushRecursively(source, to: targetPath) }
            return
        }

        var uid = flagUID >= 0 ? flagUID : 0
        var gid = flagGID >= 0 ? flagGID : 0
        if sources.count > 1 && !targetIsDir { throw UsageError("Missing target directory") }

        // Every source must open before anything is sent.
        var files: [(name: String, fd: Int32)] = []
        defer { for file in files where file.fd > 0 { close(file.fd) } }
        for source in sources {
            if source == "-" {
                files.append(("/dev/stdin", 0))
                continue
            }
            let fd = open(source, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw osError("open", source) }
            files.append((source, fd))
        }

        for file in files {
            let fpath = targetIsDir ? joinPath(targetPath, basePath(file.name)) : targetPath
            var info = stat()
            guard fstat(file.fd, &info) == 0 else { throw osError("stat", file.name) }
            if args.bool("create-dirs") {
                if flagUID == -1 { uid = Int(info.st_uid) }
                if flagGID == -1 { gid = Int(info.st_gid) }
                try transfer.makeDirectories(dirPath(fpath), mode: nil, uid: Int64(uid), gid: Int64(gid))
            }
            var fileArgs = InstanceFileArgs(type: "file", content: .fd(file.fd))
            if !isEdit {
                if flagMode.isEmpty { mode = Int(info.st_mode & 0o777) }
                if flagUID == -1 { uid = Int(info.st_uid) }
                if flagGID == -1 { gid = Int(info.st_gid) }
                fileArgs.uid = Int64(uid)
                fileArgs.gid = Int64(gid)
                fileArgs.mode = mode & 0o777
            }
            let isRegular = (info.st_mode & S_IFMT) == S_IFREG
            try transfer.push(fpath, fileArgs, label: file.name, length: isRegular ? Int64(info.st_size) : nil)
        }
    }

    /// `strconv.ParseInt(s, 0, 0)` for modes.
    func goParseInt(_ text: String) -> Int? {
        let lower = text.lowercased()
        if lower.hasPrefix("0x") { return Int(lower.dropFirst(2), radix: 16) }
        if lower.hasPrefix("0o") { return Int(lower.dropFirst(2), radix: 8) }
        if lower.hasPrefix("0b") { return Int(lower.dropFirst(2), radix: 2) }
        if lower.hasPrefix("0") && lower.count > 1 { return Int(lower.dropFirst(), radix: 8) }
        return Int(lower)
    }
}

/// The server-side steps push shares with its recursive mode.
struct FileTransfer {
    let ctx: CLIContext
    let server: LXDServer
    let instance: String

    func push(_ path: String, _ args: InstanceFileArgs, label: String, length: Int64?) throws {
        let renderer = ProgressRenderer(format: "Pushing \(label) to \(path): %s", quiet: ctx.isQuiet, out: ctx.stdout)
        let progress = TransferProgress(renderer, length: length)
        do {
            try server.createInstanceFile(instance, path: path, args) { progress.update($0) }
        } catch {
            if args.type != "directory" { renderer.finish() }
            throw error
        }
        if args.type != "directory" { renderer.finish() }
    }

    /// LXD's `recursiveMkdir`: finds the deepest folder that exists, then creates the rest.
    func makeDirectories(_ path: String, mode: Int?, uid: Int64, gid: Int64) throws {
        if path == "/" { return }
        let parts = cleanLocalPath(path).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var index = parts.count
        while index >= 1 {
            let current = cleanLocalPath(parts[..<index].filter { !$0.isEmpty }.joined(separator: "/"))
            guard let response = try? server.getInstanceFile(instance, path: current == "." ? "" : current) else {
                index -= 1
                continue
            }
            if response.type != "directory" { throw UsageError("\(current) is not a directory") }
            index += 1
            break
        }
        while index <= parts.count {
            let current = parts[..<max(index, 0)].filter { !$0.isEmpty }.joined(separator: "/")
            index += 1
            if current.isEmpty { continue }
            let args = InstanceFileArgs(uid: uid, gid: gid, mode: mode ?? -1, type: "directory")
            try server.createInstanceFile(instance, path: "/" + current, args)
        }
    }

    /// LXD's `recursivePushFile`: walks `source` (symlinks as links) and recreates it below `target`.
    func pushRecursively(_ source: String, to target: String) throws {
        let source = cleanLocalPath(source)
        let sourceDir = source.lastIndex(of: "/").map { String(source[...$0]) } ?? ""
        try walk(source) { path, info in
            let relative = String(path.dropFirst(sourceDir.count))
            let targetPath = joinPath(target, relative)
            var args = InstanceFileArgs(uid: Int64(info.st_uid), gid: Int64(info.st_gid), mode: Int(info.st_mode & 0o777))
            var length: Int64?
            var fd: Int32 = -1
            defer { if fd >= 0 { close(fd) } }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                args.type = "directory"
            case S_IFLNK:
                guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { throw osError("readlink", path) }
                args.type = "symlink"
                args.content = .data(Data(link.utf8))
                length = Int64(link.utf8.count)
            case S_IFREG:
                fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw osError("open", path) }
                args.type = "file"
                args.content = .fd(fd)
                length = Int64(info.st_size)
            default:
                throw UsageError("'\(path)' isn't a supported file type")
            }
            try push(targetPath, args, label: path, length: length)
        }
    }

    /// Go's `filepath.Walk`: lstat, the root first, then entries in lexical order.
    private func walk(_ path: String, _ visit: (String, stat) throws -> Void) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw UsageError("Failed to walk path for \(path): lstat \(path): \(goErrnoText(errno))")
        }
        try visit(path, info)
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted {
                Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
            }
        } catch {
            throw UsageError("Failed to walk path for \(path): open \(path): \(goErrnoText(EACCES))")
        }
        for name in names { try walk(joinPath(path, name), visit) }
    }
}

// MARK: - edit

struct FileEditCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "edit", usage: "[<remote>:]<instance>/<path>", short: "Edit files in instances")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let target = args.positional[0]
        var push = ParsedArguments()
        push.positional = ["/dev/stdin", target]
        // Not a terminal: the new content comes from stdin.
        if isatty(0) == 0 {
            try FilePushCommand(isEdit: true).run(ctx, push)
            return
        }
        var template = Array("/tmp/lxd_file_edit_XXXXXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw UsageError("Unable to create a temporary file: \(goErrnoText(errno))") }
        close(fd)
        let file = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        unlink(file)
        defer { unlink(file) }
        var pull = ParsedArguments()
        pull.positional = [target, file]
        try FilePullCommand(isEdit: true).run(ctx, pull)
        try runTextEditor(file, environment: ctx.environment)
        push.positional = [file, target]
        try FilePushCommand(isEdit: true).run(ctx, push)
    }
}

/// LXD's `shared.TextEditor`: `$VISUAL`, `$EDITOR`, else the first of editor, vi, emacs, nano.
func runTextEditor(_ file: String, environment: [String: String]) throws {
    var editor = environment["VISUAL"] ?? ""
    if editor.isEmpty { editor = environment["EDITOR"] ?? "" }
    if editor.isEmpty {
        let paths = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for candidate in ["editor", "vi", "emacs", "nano"] {
            if paths.contains(where: { access($0 + "/" + candidate, X_OK) == 0 }) {
                editor = candidate
                break
            }
        }
        if editor.isEmpty { throw UsageError("No text editor found, please set the EDITOR environment variable") }
    }
    let words = editor.split(separator: " ").map(String.init)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = words + [file]
    process.environment = environment
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw UsageError("exit status \(process.terminationStatus)") }
}
