import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import LXDHTTP

/// `lxc query` (LXD's query.go): one raw request, its metadata printed as indented JSON.
struct QueryCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "query", usage: "[<remote>:]<API path>", short: "Send a raw query to LXD",
            example: """
                lxc query -X DELETE --wait /1.0/instances/c1
                    Delete local instance "c1".
                """,
            flags: [
                Flag("data", short: "d", .string, usage: "Input data"),
                Flag("raw", usage: "Print the raw response"),
                Flag("request", short: "X", .string, usage: "Action (defaults to GET) (default \"GET\")", default: "GET"),
                Flag("wait", usage: "Wait for the operation to complete"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        if !args.string("project").isEmpty { throw UsageError("--project cannot be used with the query command") }
        let argument = args.positional[0]
        // As LXD's ParseRemote: a colon after a slash is part of the path, not a remote.
        let (remote, _) = CLIContext.splitRemote(argument)
        let server: LXDServer
        let path: String
        if let remote, !remote.contains("/") {
            (server, path) = try ctx.resolve(argument)
        } else {
            (server, path) = (try ctx.server(), argument)
        }
        guard path.hasPrefix("/") else { throw UsageError("Query path must start with /") }
        let method = args.string("request", default: "GET")
        let data = args.string("data")

        // The data goes as JSON when it is JSON, else as a JSON string (LXD's client guesses so).
        let json =
            (try? OrderedJSON.parse(data)).map { GoJSON.compact($0, sortKeys: true) } ?? GoJSON.compact(.string(data), sortKeys: false)
        var headers = HTTPHeaders([("Host", "unix.socket"), ("User-Agent", "LXD 5.0.2"), ("Content-Type", "application/json")])
        let response = try send(server, method, path, headers: headers, body: Data((json + "\n").utf8))
        guard var envelope = try? OrderedJSON.parse(response.body), case .object = envelope else {
            // Not JSON (a file, a log): the same request as plain text, printed as it comes.
            let syntaxError = GoJSON.syntaxError(response.body)
            headers["Content-Type"] = "plain/text"
            let plain = try send(server, method, path, headers: headers, body: data.isEmpty ? nil : Data(data.utf8))
            guard plain.status == 200 else { throw UsageError(syntaxError) }
            ctx.stdout.write(String(decoding: plain.body, as: UTF8.self))
            return
        }
        try Self.checkError(envelope, status: response.status)

        let operation = envelope.member("operation")?.string ?? ""
        if args.bool("wait") && !operation.isEmpty {
            let (operationPath, query) = Self.splitQuery(operation)
            let waited = try send(server, "GET", "\(operationPath)/wait?\(query)", headers: headers, body: Data("\"\"\n".utf8))
            envelope = try OrderedJSON.parse(waited.body)
            try Self.checkError(envelope, status: waited.status)
            if let failure = envelope.member("metadata")?.member("err")?.string, !failure.isEmpty { throw UsageError(failure) }
        }

        if args.bool("raw") {
            ctx.stdout.write(GoJSON.indented(Self.responseInGoOrder(envelope), sortKeys: false) + "\n\n")
            return
        }
        guard let metadata = envelope.member("metadata"), metadata != .null else { return }
        if case .object(let pairs) = metadata, pairs.isEmpty { return }
        ctx.stdout.write(GoJSON.indented(metadata, sortKeys: true) + "\n\n")
    }

    private func send(_ server: LXDServer, _ method: String, _ path: String, headers: HTTPHeaders, body: Data?) throws -> HTTPResponse {
        do {
            return try server.http.request(method, path, headers: headers, body: body)
        } catch {
            throw LXDError(.internalServerError, String(describing: error))
        }
    }

    static func splitQuery(_ url: String) -> (path: String, query: String) {
        guard let mark = url.firstIndex(of: "?") else { return (url, "") }
        return (String(url[..<mark]), String(url[url.index(after: mark)...]))
    }

    static func checkError(_ envelope: OrderedJSON, status: Int) throws {
        guard envelope.member("type")?.string == "error" else { return }
        let message = envelope.member("error")?.string ?? ""
        throw LXDError(HTTPStatus(status), message)
    }

    /// `api.Response`'s fields in its Go declaration order, metadata as the server sent it.
    static func responseInGoOrder(_ envelope: OrderedJSON) -> OrderedJSON {
        let defaults: [(String, OrderedJSON)] = [
            ("type", .string("")), ("status", .string("")), ("status_code", .number("0")), ("operation", .string("")),
            ("error_code", .number("0")), ("error", .string("")), ("metadata", .null),
        ]
        return .object(defaults.map { key, fallback in (key: key, value: envelope.member(key) ?? fallback) })
    }
}

extension OrderedJSON {
    /// The member named `key` of an object.
    func member(_ key: String) -> OrderedJSON? { self[key] }
}

/// Go's `encoding/json` output for decoded values: `SetEscapeHTML(false)`, maps with sorted keys,
/// numbers as float64 prints them, `SetIndent("", "\t")`.
enum GoJSON {
    static func compact(_ value: OrderedJSON, sortKeys: Bool) -> String {
        var out = ""
        write(value, sortKeys: sortKeys, indent: nil, depth: 0, into: &out)
        return out
    }

    static func indented(_ value: OrderedJSON, sortKeys: Bool) -> String {
        var out = ""
        write(value, sortKeys: sortKeys, indent: "\t", depth: 0, into: &out)
        return out
    }

    private static func write(_ value: OrderedJSON, sortKeys: Bool, indent: String?, depth: Int, into out: inout String) {
        func newline(_ level: Int) {
            guard let indent else { return }
            out += "\n" + String(repeating: indent, count: level)
        }
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let text): out += sortKeys ? goNumber(text) : text
        case .string(let text): writeString(text, into: &out)
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                newline(depth + 1)
                write(item, sortKeys: sortKeys, indent: indent, depth: depth + 1, into: &out)
            }
            newline(depth)
            out += "]"
        case .object(let pairs):
            guard !pairs.isEmpty else {
                out += "{}"
                return
            }
            let ordered = sortKeys ? pairs.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) } : pairs
            out += "{"
            for (index, pair) in ordered.enumerated() {
                if index > 0 { out += "," }
                newline(depth + 1)
                writeString(pair.key, into: &out)
                out += indent == nil ? ":" : ": "
                write(pair.value, sortKeys: sortKeys, indent: indent, depth: depth + 1, into: &out)
            }
            newline(depth)
            out += "}"
        }
    }

    static func writeString(_ text: String, into out: inout String) {
        OrderedJSON.writeString(text, escapeHTML: false, into: &out)
    }

    /// A number decoded into float64 and encoded again, as Go does: shortest digits, plain
    /// notation between 1e-6 and 1e21, else `1e+21` / `1e-7`.
    static func goNumber(_ text: String) -> String {
        guard let value = Double(text), value.isFinite else { return text }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let magnitude = abs(value)
        let shortest = "\(magnitude)"  // Swift's shortest round-trip digits
        var digits = ""
        var exponent = 0  // value = 0.digits * 10^exponent
        if let e = shortest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let mantissa = shortest[..<e]
            let power = Int(shortest[shortest.index(after: e)...]) ?? 0
            let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
            let whole = String(parts[0])
            let fraction = parts.count > 1 ? String(parts[1]) : ""
            digits = whole + fraction
            exponent = whole.count + power
        } else {
            let parts = shortest.split(separator: ".", omittingEmptySubsequences: false)
            let whole = String(parts[0])
            let fraction = parts.count > 1 ? String(parts[1]) : ""
            digits = whole + fraction
            exponent = whole.count
        }
        // Normalise: no leading zeros, no trailing zeros.
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sign = value < 0 ? "-" : ""
        if magnitude < 1e-6 || magnitude >= 1e21 {
            let first = digits.prefix(1)
            let rest = digits.dropFirst()
            let power = exponent - 1
            let powerText = power < 0 ? "-" + String(-power) : "+" + String(power)
            return sign + first + (rest.isEmpty ? "" : "." + rest) + "e" + powerText
        }
        if exponent <= 0 { return sign + "0." + String(repeating: "0", count: -exponent) + digits }
        if exponent >= digits.count { return sign + digits + String(repeating: "0", count: exponent - digits.count) }
        let index = digits.index(digits.startIndex, offsetBy: exponent)
        return sign + digits[..<index] + "." + digits[index...]
    }

    /// Go's `*json.SyntaxError` text for a body that is not JSON.
    static func syntaxError(_ body: Data) -> String {
        let bytes = [UInt8](body)
        guard let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return "unexpected end of JSON input" }
        let character: String
        switch first {
        case UInt8(ascii: "'"): character = "'\\''"
        case 0x20..<0x7F: character = "'\(Character(Unicode.Scalar(first)))'"
        default: character = "'\\x" + String(first, radix: 16) + "'"
        }
        return "invalid character \(character) looking for beginning of value"
    }
}
