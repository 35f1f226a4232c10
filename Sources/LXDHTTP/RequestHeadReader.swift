/// Reads one request head from a connection, as the server's connection loop does (shared with
/// the fuzz tests so that they exercise the same code).
enum RequestHeadReader {
    enum Result {
        case head(ParsedHead)
        /// End of stream (or idle timeout) before any byte of a request: close quietly.
        case closed
        /// Answer with this status and close.
        case reject(Int)
    }

    static func read(stream: any ByteStream, input: inout InputBuffer, maxHeadBytes: Int, idleTimeoutMilliseconds: Int32) -> Result {
        let parser = HTTPHeadParser(kind: .request, maxHeadBytes: maxHeadBytes)
        do {
            while true {
                if !input.isEmpty {
                    let used = try input.withReadable { try parser.feed($0) }
                    input.consume(used)
                    if let head = parser.result {
                        guard head.versionMajor == 1 else { return .reject(505) }
                        // A transfer coding other than a final "chunked" cannot be framed
                        // (RFC 9112 §6.3): reading on would desynchronise the connection.
                        if !head.isChunked, head.headers.contains("Transfer-Encoding") { return .reject(400) }
                        return .head(head)
                    }
                }
                guard try stream.waitReadable(timeoutMilliseconds: idleTimeoutMilliseconds) else { return .closed }
                guard try input.fill(from: stream) else {
                    return parser.hasStarted ? .reject(400) : .closed
                }
            }
        } catch HTTPError.headersTooLarge {
            return .reject(431)
        } catch HTTPError.malformedRequest {
            return .reject(400)
        } catch {
            return .closed
        }
    }
}
