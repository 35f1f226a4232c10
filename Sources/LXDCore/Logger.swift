import Foundation
import Synchronization

/// A small structured logger shaped like swift-log: a label, a level and key-value context.
/// Lines go to stderr and, when configured, to a log file (`$LXD_DIR/logs/lxd.log` or `--logfile`).
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable {
        case debug = 0, info, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }
    }

    public let label: String
    public let sink: LogSink
    public var metadata: [String: String] = [:]

    public init(label: String, sink: LogSink) {
        self.label = label
        self.sink = sink
    }

    public func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy.metadata[key] = value
        return copy
    }

    public func debug(_ message: @autoclosure () -> String, _ context: [String: String] = [:]) {
        log(.debug, message(), context)
    }

    public func info(_ message: @autoclosure () -> String, _ context: [String: String] = [:]) {
        log(.info, message(), context)
    }

    public func warning(_ message: @autoclosure () -> String, _ context: [String: String] = [:]) {
        log(.warning, message(), context)
    }

    public func error(_ message: @autoclosure () -> String, _ context: [String: String] = [:]) {
        log(.error, message(), context)
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String, _ context: [String: String] = [:]) {
        guard level >= sink.level else { return }
        sink.write(level: level, message: message(), context: metadata.merging(context) { _, new in new })
    }
}

/// Where log lines go. Thread-safe; one per process.
public final class LogSink: Sendable {
    public let level: Logger.Level
    private let fileDescriptor: Int32?
    private let toStderr: Bool
    private let lock = Mutex(())

    /// - Parameters:
    ///   - level: the lowest level written.
    ///   - path: a file to append to (opened close-on-exec), or nil.
    ///   - toStderr: also write to standard error.
    public init(level: Logger.Level, path: String? = nil, toStderr: Bool = true) {
        self.level = level
        self.toStderr = toStderr
        if let path {
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            fileDescriptor = fd >= 0 ? fd : nil
        } else {
            fileDescriptor = nil
        }
    }

    public static let discard = LogSink(level: .error, path: nil, toStderr: false)

    func write(level: Logger.Level, message: String, context: [String: String]) {
        var line = "time=\"\(GoTime.format(Date(), fractionDigits: 0))\" level=\(level.name) msg=\"\(message)\""
        for key in context.keys.sorted() {
            line += " \(key)=\"\(context[key] ?? "")\""
        }
        line += "\n"
        lock.withLock { _ in
            line.utf8CString.withUnsafeBufferPointer { buffer in
                let count = buffer.count - 1
                if toStderr { _ = Glibc.write(2, buffer.baseAddress, count) }
                if let fileDescriptor { _ = Glibc.write(fileDescriptor, buffer.baseAddress, count) }
            }
        }
    }
}
