import Foundation
import LXDCore

/// A value inside a template (pongo2's `*Value`): what variables, literals, filters and
/// functions produce. Maps keep their keys sorted when iterated, as pongo2 sorts map keys.
indirect enum TemplateValue: Sendable, Equatable {
    case none
    case string(String)
    case integer(Int)
    case double(Double)
    case bool(Bool)
    case list([TemplateValue])
    case map([String: TemplateValue])
    case time(Timestamp)
    /// A callable (LXD's `config_get`).
    case function(TemplateFunction)

    static func == (lhs: TemplateValue, rhs: TemplateValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): return true
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.map(let a), .map(let b)): return a == b
        case (.time(let a), .time(let b)): return a == b
        case (.function, .function): return false
        default:
            if let a = lhs.number, let b = rhs.number, lhs.isNumber, rhs.isNumber { return a == b }
            return false
        }
    }

    var isNumber: Bool {
        switch self {
        case .integer, .double: return true
        default: return false
        }
    }

    /// pongo2's `IsTrue`: empty strings, zero, empty collections and nil are false.
    var isTrue: Bool {
        switch self {
        case .none, .function: return false
        case .string(let text): return !text.isEmpty
        case .integer(let value): return value != 0
        case .double(let value): return value != 0
        case .bool(let value): return value
        case .list(let values): return !values.isEmpty
        case .map(let entries): return !entries.isEmpty
        case .time(let time): return !time.isGoZero
        }
    }

    /// The text a `{{ }}` tag writes.
    var text: String {
        switch self {
        case .none, .function: return ""
        case .string(let text): return text
        case .integer(let value): return String(value)
        case .double(let value):
            // Go's %v of a float64: no trailing ".0" for integral values.
            if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
            return String(value)
        case .bool(let value): return value ? "True" : "False"
        case .list(let values): return "[" + values.map(\.text).joined(separator: " ") + "]"
        case .map(let entries):
            return "map[" + entries.keys.sorted().map { "\($0):\(entries[$0]?.text ?? "")" }.joined(separator: " ") + "]"
        case .time(let time): return GoTimeLayout.format(time, layout: "2006-01-02 15:04:05.999999999 -0700 MST")
        }
    }

    var number: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .double(let value): return value
        case .string(let text): return Double(text.trimmingCharacters(in: .whitespaces))
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    var integerValue: Int {
        switch self {
        case .integer(let value): return value
        case .double(let value): return Int(value)
        case .string(let text): return Int(text.trimmingCharacters(in: .whitespaces)) ?? 0
        case .bool(let value): return value ? 1 : 0
        default: return 0
        }
    }

    /// `.field` / `["key"]` / `[index]` access; missing things are `none`.
    func member(_ key: TemplateValue) -> TemplateValue {
        switch (self, key) {
        case (.map(let entries), _): return entries[key.text] ?? .none
        case (.list(let values), .integer(let index)):
            return values.indices.contains(index) ? values[index] : .none
        case (.string(let text), .integer(let index)):
            let characters = Array(text)
            return characters.indices.contains(index) ? .string(String(characters[index])) : .none
        default: return .none
        }
    }

    /// What `{% for %}` iterates: list items, map keys (sorted), string characters.
    var iterationItems: [(key: TemplateValue, value: TemplateValue)] {
        switch self {
        case .list(let values): return values.map { (key: $0, value: .none) }
        case .map(let entries): return entries.keys.sorted().map { (key: .string($0), value: entries[$0] ?? .none) }
        case .string(let text): return text.map { (key: .string(String($0)), value: .none) }
        default: return []
        }
    }

    var count: Int {
        switch self {
        case .string(let text): return text.count
        case .list(let values): return values.count
        case .map(let entries): return entries.count
        default: return 0
        }
    }

    static func strings(_ map: [String: String]) -> TemplateValue { .map(map.mapValues { .string($0) }) }
}

/// A function a template may call with positional arguments.
struct TemplateFunction: Sendable {
    let call: @Sendable ([TemplateValue]) throws -> TemplateValue
}
