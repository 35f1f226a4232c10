import Foundation
import LXDAPI
import LXDCommandLine
import LXDOS

/// The `edit` commands' YAML round trip, as LXD's client does it: with stdin not a terminal the
/// new YAML is read from stdin; otherwise the current object (under a commented header) opens in
/// `$VISUAL`, `$EDITOR` or the first of editor/vi/emacs/nano, and a text that fails to parse or
/// to apply is reported and reopened until it applies or the user gives up (ctrl+c).
struct YAMLEditor {
    let ctx: CLIContext

    /// Whether stdin is a terminal (LXD's `termios.IsTerminal(stdin)`).
    var isInteractive: Bool { isatty(0) == 1 }

    /// Everything on stdin, as `edit` reads it when stdin is not a terminal.
    static func standardInput() throws -> String {
        String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }

    /// A whole `edit` command as LXD's client runs it. With stdin not a terminal, `apply` gets
    /// stdin and no ETag (the client writes without reading first); otherwise `current` gives the
    /// object as YAML with its ETag, which open in the editor under `header` until `apply`
    /// succeeds with the edited text and that ETag (sent back as `If-Match`).
    func run(
        header: String?, failure: String = "Config parsing error", current: () throws -> (yaml: String, etag: String),
        apply: (String, String) throws -> Void
    ) throws {
        guard isInteractive else { return try apply(try Self.standardInput(), "") }
        let (yaml, etag) = try current()
        try edit(header: header, yaml: yaml, failure: failure) { try apply($0, etag) }
    }

    /// Opens `header` + a blank line + `yaml` (or `yaml` alone without a header) in the editor and
    /// passes the result to `apply` until it succeeds.
    func edit(header: String?, yaml: String, failure: String = "Config parsing error", apply: (String) throws -> Void) throws {
        var content = try runEditor(header.map { $0 + "\n\n" + yaml } ?? yaml)
        while true {
            do {
                try apply(content)
                return
            } catch {
                ctx.stderr.write("\(failure): \(LXCMain.message(for: error))\n")
                ctx.print("Press enter to open the editor again or ctrl+c to abort change")
                var byte: UInt8 = 0
                guard Glibc.read(0, &byte, 1) >= 0 else { throw LXDError(.internalServerError, String(cString: strerror(errno))) }
                content = try runEditor(content)
            }
        }
    }

    /// The editor command line: `$VISUAL`, else `$EDITOR`, else the first editor on `PATH`.
    func editorCommand() throws -> [String] {
        for variable in ["VISUAL", "EDITOR"] {
            if let value = ctx.environment[variable], !value.isEmpty {
                return value.split(whereSeparator: \.isWhitespace).map(String.init)
            }
        }
        for candidate in ["editor", "vi", "emacs", "nano"] where lookPath(candidate) != nil {
            return [candidate]
        }
        throw UsageError("No text editor found, please set the EDITOR environment variable")
    }

    /// `name` itself when it has a slash, else its first executable match on `PATH`.
    func lookPath(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = ctx.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = (folder.isEmpty ? "." : String(folder)) + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Writes `content` to a private `lxd_editor_*.yaml` file, runs the editor on it with this
    /// terminal, and returns what it saved. The file is removed afterwards.
    func runEditor(_ content: String) throws -> String {
        let command = try editorCommand()
        guard let program = command.first, let path = lookPath(program) else {
            throw UsageError("exec: \"\(command.first ?? "")\": executable file not found in $PATH")
        }
        let file = try Self.temporaryFile(content, folder: ctx.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        defer { unlink(file) }
        let environment = ctx.environment.map { "\($0.key)=\($0.value)" }
        let pid: Int32
        do {
            pid = try Command(path: path, arguments: command + [file], environment: environment).spawn()
        } catch {
            throw UsageError("fork/exec \(path): \(error)")
        }
        // Only this thread waits for the editor (the supervisor reaps only pids it is asked for).
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Linux's wait status: the low 7 bits are the terminating signal, else the exit code follows.
        if status & 0x7f != 0 { throw UsageError("signal: \(String(cString: strsignal(status & 0x7f)))") }
        if (status >> 8) & 0xff != 0 { throw UsageError("exit status \((status >> 8) & 0xff)") }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw UsageError("open \(file): no such file or directory")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A new 0600 file `lxd_editor_<random digits>.yaml` in `folder` holding `content` (Go's
    /// `os.CreateTemp` naming, as LXD's editor files).
    static func temporaryFile(_ content: String, folder: String) throws -> String {
        var path = ""
        var fd: Int32 = -1
        for _ in 0..<100 {
            path = folder + "/lxd_editor_\(UInt32.random(in: 0...UInt32.max)).yaml"
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw UsageError("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        do {
            try FileHandle(fileDescriptor: fd, closeOnDealloc: false).write(contentsOf: Data(content.utf8))
        } catch {
            unlink(path)
            throw UsageError("write \(path): \(error.localizedDescription)")
        }
        return path
    }
}
