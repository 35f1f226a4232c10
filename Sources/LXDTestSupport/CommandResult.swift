import Foundation

/// What a command printed and how it ended.
public struct CommandResult: Sendable, CustomStringConvertible {
    public let arguments: [String]
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var description: String {
        "\(arguments.joined(separator: " ")) -> \(status)\nstdout: \(stdout)\nstderr: \(stderr)"
    }

    /// Throws unless the command exited 0.
    @discardableResult
    public func check() throws -> CommandResult {
        guard status == 0 else { throw TestFailure("command failed: \(description)") }
        return self
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a program with Foundation's Process (tests only), feeding `stdin` and collecting output.
public func runCommand(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: Data? = nil, timeout: Double = 120
) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()
    if let stdin {
        input.fileHandleForWriting.write(stdin)
        try? input.fileHandleForWriting.close()
    }
    // Read both pipes concurrently so a chatty child never blocks on a full pipe.
    let outData = LockedData()
    let errData = LockedData()
    let group = DispatchGroup()
    for (pipe, sink) in [(out, outData), (err, errData)] {
        group.enter()
        DispatchQueue.global().async {
            sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
    }
    if group.wait(timeout: .now() + timeout) == .timedOut {
        process.terminate()
        throw TestFailure("timed out after \(timeout)s: \(executable) \(arguments.joined(separator: " "))")
    }
    process.waitUntilExit()
    return CommandResult(
        arguments: [executable] + arguments, status: process.terminationStatus,
        stdout: String(decoding: outData.get(), as: UTF8.self), stderr: String(decoding: errData.get(), as: UTF8.self))
}

final class LockedData: @unchecked Sendable {
    // Guarded by `lock`.
    private var data = Data()
    private let lock = NSLock()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
