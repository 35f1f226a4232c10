import Foundation

/// One part of a `multipart/form-data` body, as its headers describe it.
public struct MultipartPart: Sendable, Equatable {
    /// `name=` of `Content-Disposition` (LXD's image upload: `metadata`, `rootfs`, `rootfs.img`).
    public var name: String
    public var filename: String
    public var headers: HTTPHeaders

    public static func == (lhs: MultipartPart, rhs: MultipartPart) -> Bool {
        lhs.name == rhs.name && lhs.filename == rhs.filename
    }
}

/// A push parser for `multipart/form-data` (RFC 7578) that never holds more than a part header
/// and one delimiter's worth of bytes: the body is fed in chunks as it arrives and each part's
/// bytes go straight to `onData` (image uploads are hundreds of megabytes).
public final class MultipartStreamParser {
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case missingBoundary
        case malformed(String)
        case truncated

        public var description: String {
            switch self {
            case .missingBoundary: "multipart body without a boundary"
            case .malformed(let detail): "malformed multipart body: \(detail)"
            case .truncated: "multipart body ended before its closing boundary"
            }
        }
    }

    private enum State {
        case preamble
        case afterDelimiter
        case headers
        case body
        case done
    }

    static let maxHeaderBytes = 16 << 10

    private let delimiter: [UInt8]
    private var buffer: [UInt8]
    private var state = State.preamble
    private let onPart: (MultipartPart) throws -> Void
    private let onData: (UnsafeRawBufferPointer) throws -> Void

    /// The boundary parameter of a `Content-Type: multipart/form-data; boundary=...` value.
    public static func boundary(fromContentType contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            let value =
                pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2
                ? String(pair[1].dropFirst().dropLast()) : pair[1]
            return value.isEmpty || value.utf8.count > 200 ? nil : value
        }
        return nil
    }

    public init(
        boundary: String, onPart: @escaping (MultipartPart) throws -> Void, onData: @escaping (UnsafeRawBufferPointer) throws -> Void
    ) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first delimiter has no CRLF before it; pretend it had one.
        buffer = [13, 10]
        self.onPart = onPart
        self.onData = onData
    }

    public var isComplete: Bool { state == .done }

    public func feed(_ bytes: UnsafeRawBufferPointer) throws {
        guard state != .done else { return }
        buffer.append(contentsOf: bytes)
        try process()
    }

    /// Call once the body has ended.
    public func finish() throws {
        guard state == .done else { throw ParseError.truncated }
    }

    private func process() throws {
        while true {
            switch state {
            case .preamble:
                guard let index = find(delimiter) else {
                    // Keep a tail that could start a delimiter.
                    if buffer.count > delimiter.count { buffer.removeFirst(buffer.count - delimiter.count) }
                    return
                }
                buffer.removeFirst(index + delimiter.count)
                state = .afterDelimiter
            case .afterDelimiter:
                guard buffer.count >= 2 else { return }
                if buffer[0] == UInt8(ascii: "-") && buffer[1] == UInt8(ascii: "-") {
                    state = .done
                    buffer = []
                    return
                }
                // Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
                var skip = 0
                while skip < buffer.count, buffer[skip] == 32 || buffer[skip] == 9 { skip += 1 }
                guard buffer.count >= skip + 2 else { return }
                guard buffer[skip] == 13, buffer[skip + 1] == 10 else { throw ParseError.malformed("no line break after a boundary") }
                buffer.removeFirst(skip + 2)
                state = .headers
            case .headers:
                guard let end = find([13, 10, 13, 10]) ?? (buffer.starts(with: [13, 10]) ? -2 : nil) else {
                    if buffer.count > Self.maxHeaderBytes { throw ParseError.malformed("part headers too large") }
                    return
                }
                let headerBytes = end < 0 ? [] : Array(buffer[0..<end])
                buffer.removeFirst(end < 0 ? 2 : end + 4)
                try onPart(try Self.part(fromHeaders: headerBytes))
                state = .body
            case .body:
                if let index = find(delimiter) {
                    if index > 0 { try buffer[0..<index].withUnsafeBytes { try onData($0) } }
                    buffer.removeFirst(index + delimiter.count)
                    state = .afterDelimiter
                    continue
                }
                let keep = delimiter.count - 1
                if buffer.count > keep {
                    let emit = buffer.count - keep
                    try buffer[0..<emit].withUnsafeBytes { try onData($0) }
                    buffer.removeFirst(emit)
                }
                return
            case .done:
                return
            }
        }
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count, let first = needle.first else { return nil }
        var index = 0
        let last = buffer.count - needle.count
        while index <= last {
            if buffer[index] == first {
                var matched = true
                for offset in 1..<needle.count where buffer[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    static func part(fromHeaders bytes: [UInt8]) throws -> MultipartPart {
        var headers = HTTPHeaders()
        for line in String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw ParseError.malformed("bad part header line") }
            headers.add(
                String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        guard let disposition = headers["Content-Disposition"] else { throw ParseError.malformed("part without Content-Disposition") }
        var name = ""
        var filename = ""
        for parameter in disposition.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            switch pair[0].lowercased() {
            case "name": name = value
            case "filename": filename = value
            default: break
            }
        }
        return MultipartPart(name: name, filename: filename, headers: headers)
    }
}
