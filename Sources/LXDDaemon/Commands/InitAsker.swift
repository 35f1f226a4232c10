import Foundation

/// Asks `lxd init`'s questions on stdout and reads the answers from stdin, one line each
/// (LXD's `cli.Asker`): an empty answer takes the default, an answer that does not fit is asked
/// again after "Invalid input, try again.".
final class InitAsker {
    private let input: Int32
    private let write: (String) -> Void

    init(input: Int32 = 0, write: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }) {
        self.input = input
        self.write = write
    }

    struct EndOfInput: Error, CustomStringConvertible {
        var description: String { "EOF" }
    }

    /// One line, without its end (a pty may end it with `\r`).
    func readLine() throws -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(input, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                if bytes.isEmpty { throw EndOfInput() }
                break
            }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        while bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    private func invalid() { write("Invalid input, try again.\n\n") }

    func askBool(_ question: String, default value: Bool) throws -> Bool {
        while true {
            write(question)
            let answer = try readLine().lowercased()
            if answer.isEmpty { return value }
            if ["yes", "y"].contains(answer) { return true }
            if ["no", "n"].contains(answer) { return false }
            invalid()
        }
    }

    func askChoice(_ question: String, choices: [String], default value: String) throws -> String {
        while true {
            write(question)
            let answer = try readLine()
            if answer.isEmpty { return value }
            if choices.contains(answer) { return answer }
            invalid()
        }
    }

    /// A string; `validate` returns an error text for answers it refuses.
    func askString(_ question: String, default value: String?, validate: (String) -> String? = { _ in nil }) throws -> String {
        while true {
            write(question)
            var answer = try readLine()
            if answer.isEmpty {
                guard let value else {
                    invalid()
                    continue
                }
                answer = value
            }
            if let problem = validate(answer) {
                write("Invalid input: \(problem)\n\n")
                continue
            }
            return answer
        }
    }

    /// A password typed twice, without echo where stdin is a terminal.
    func askPassword(_ question: String) throws -> String {
        while true {
            write(question)
            let first = try withoutEcho { try readLine() }
            write("\nAgain: ")
            let second = try withoutEcho { try readLine() }
            write("\n")
            if first == second { return first }
            invalid()
        }
    }

    private func withoutEcho<T>(_ body: () throws -> T) rethrows -> T {
        var saved = termios()
        guard tcgetattr(input, &saved) == 0 else { return try body() }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(input, TCSANOW, &quiet)
        defer { tcsetattr(input, TCSANOW, &saved) }
        return try body()
    }
}
