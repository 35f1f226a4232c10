import Foundation
import LXDAPI

/// The canonical (sorted-key) JSON text of a value, as the daemon writes it.
func jsonText(_ value: some Encodable) throws -> String {
    String(decoding: try LXDJSON.encode(value), as: UTF8.self)
}

/// Decodes a type from JSON text with the daemon's decoder.
func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try LXDJSON.decode(type, from: Data(text.utf8))
}

/// The top-level keys of a JSON object.
func topLevelKeys(_ value: some Encodable) throws -> Set<String> {
    let object = try JSONSerialization.jsonObject(with: LXDJSON.encode(value))
    return Set((object as? [String: Any] ?? [:]).keys)
}
