import Foundation
import LXDAPI

/// The `filter=` query parameter of list endpoints (LXD's `api_filtering`): clauses
/// "FIELD eq|ne VALUE" joined by "and"/"or", each optionally preceded by "not", evaluated left
/// to right. A value with spaces is quoted across words ("description eq \"my box\"").
///
/// Matching follows LXD 5.0.2, checked against the real daemon: a field path is the JSON names
/// joined with "." (a string map such as `config` takes the rest of the path as its key);
/// string fields match case-insensitively as a whole-value regular expression (or, when the
/// value is not one, by plain comparison); any other field never equals the value.
struct APIFilter: Sendable, Equatable {
    struct Clause: Sendable, Equatable {
        var joinsWithAnd: Bool
        var isNegated: Bool
        var field: String
        var isNotEqual: Bool
        var value: String
    }

    let clauses: [Clause]

    /// The parsed `filter` of a request, nil when it has none.
    static func of(_ request: APIRequest) throws -> APIFilter? {
        guard let text = request.query["filter"], !text.isEmpty else { return nil }
        return try parse(text)
    }

    static func parse(_ text: String) throws -> APIFilter {
        func invalid(_ reason: String) -> LXDError { LXDError.internalError("Invalid filter: \(reason)") }
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        var clauses: [Clause] = []
        var index = 0
        var joinsWithAnd = true
        while index < words.count {
            var isNegated = false
            if words[index].lowercased() == "not" {
                isNegated = true
                index += 1
                guard index < words.count else { throw invalid("incomplete not clause") }
            }
            let field = words[index]
            index += 1
            guard index < words.count else { throw invalid("clause has no operator") }
            let isNotEqual = words[index] == "ne"
            index += 1
            guard index < words.count else { throw invalid("clause has no value") }
            var value = words[index]
            if value.hasPrefix("\"") {
                var parts = [String(value.dropFirst())]
                repeat {
                    index += 1
                    guard index < words.count else { throw invalid("unterminated quote") }
                    parts.append(words[index])
                } while !words[index].hasSuffix("\"")
                parts[parts.count - 1].removeLast()
                value = parts.joined(separator: " ")
            }
            index += 1
            clauses.append(Clause(joinsWithAnd: joinsWithAnd, isNegated: isNegated, field: field, isNotEqual: isNotEqual, value: value))
            if index < words.count {
                guard ["and", "or"].contains(words[index]) else { throw invalid("invalid clause composition") }
                joinsWithAnd = words[index] == "and"
                index += 1
                guard index < words.count else { throw invalid("unterminated compound clause") }
            }
        }
        return APIFilter(clauses: clauses)
    }

    func matches(_ object: JSONValue) -> Bool {
        var result = true
        for clause in clauses {
            var matched = Self.equals(Self.value(of: clause.field, in: object), clause.value)
            if clause.isNotEqual { matched.toggle() }
            if clause.isNegated { matched.toggle() }
            result = clause.joinsWithAnd ? (result && matched) : (result || matched)
        }
        return result
    }

    /// Keeps the items of an encoded list that match; nil keeps everything.
    static func keep<Item: Encodable>(_ items: [Item], _ filter: APIFilter?) throws -> [Item] {
        guard let filter else { return items }
        return try items.filter { filter.matches(try LXDJSON.decode(JSONValue.self, from: try LXDJSON.encode($0))) }
    }

    private static func value(of path: String, in object: JSONValue) -> JSONValue? {
        guard case .object(let members) = object else { return nil }
        // A string map's keys hold dots themselves ("config.image.os" is config["image.os"]).
        if let whole = members[path] { return whole }
        guard let dot = path.firstIndex(of: "."), let member = members[String(path[..<dot])] else { return nil }
        return value(of: String(path[path.index(after: dot)...]), in: member)
    }

    private static func equals(_ value: JSONValue?, _ wanted: String) -> Bool {
        guard case .string(let text) = value else { return false }
        let pattern = wanted.contains("^") || wanted.contains("$") ? wanted : "^" + wanted + "$"
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else {
            return text.lowercased() == wanted.lowercased()
        }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
