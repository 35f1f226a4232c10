import Foundation
import LXDAPI
import Synchronization

/// The last value a read-mostly endpoint answered and its encoded JSON: when the next answer is
/// equal (comparing is far cheaper than `JSONEncoder`, ~300 API extensions for `GET /1.0`), the
/// bytes are reused.
final class EncodedResponseCache<Value: Encodable & Equatable & Sendable>: Sendable {
    private struct Entry: Sendable {
        var value: Value
        var json: Data
    }

    private let last = Mutex<Entry?>(nil)

    init() {}

    /// `.sync(value)`, encoded once per distinct value.
    func sync(_ value: Value, etag: String? = nil) -> APIResponse {
        if let json = last.withLock({ $0?.value == value ? $0?.json : nil }) {
            return .sync(metadataJSON: json, status: 200, etag: etag, location: nil)
        }
        let response = APIResponse.sync(value, etag: etag)
        if case .sync(let json, _, _, _) = response { last.withLock { $0 = Entry(value: value, json: json) } }
        return response
    }
}
