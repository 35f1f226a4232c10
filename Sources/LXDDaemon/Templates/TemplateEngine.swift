import Foundation
import LXDCore

/// Executes a parsed template against a context (pongo2's semantics as LXD uses them: unknown
/// variables are empty, output is not HTML-escaped unless `escape` or `{% autoescape on %}`).
struct TemplateEngine {
    var context: [String: TemplateValue]

    static func render(_ template: String, context: [String: TemplateValue]) throws -> String {
        var engine = TemplateEngine(context: context)
        var out = ""
        try engine.run(try TemplateParser.parse(template), into: &out, escaping: false)
        return out
    }

    private mutating func run(_ nodes: [TemplateNode], into out: inout String, escaping: Bool) throws {
        for node in nodes {
            switch node {
            case .text(let text): out += text
            case .output(let expression):
                let value = try evaluate(expression)
                out += escaping ? Self.escapeHTML(value.text) : value.text
            case .conditional(let branches, let otherwise):
                var matched = false
                for (condition, body) in branches where try evaluate(condition).isTrue {
                    try run(body, into: &out, escaping: escaping)
                    matched = true
                    break
                }
                if !matched { try run(otherwise, into: &out, escaping: escaping) }
            case .loop(let key, let valueName, let source, let reversed, let body, let empty):
                var items = try evaluate(source).iterationItems
                if reversed { items.reverse() }
                if items.isEmpty {
                    try run(empty, into: &out, escaping: escaping)
                    continue
                }
                let saved = context
                for (index, item) in items.enumerated() {
                    context[key] = item.key
                    if let valueName { context[valueName] = item.value }
                    context["forloop"] = .map([
                        "Counter": .integer(index + 1), "Counter0": .integer(index), "First": .bool(index == 0),
                        "Last": .bool(index == items.count - 1), "Revcounter": .integer(items.count - index),
                        "Revcounter0": .integer(items.count - index - 1),
                    ])
                    try run(body, into: &out, escaping: escaping)
                }
                context = saved
            case .assign(let name, let expression): context[name] = try evaluate(expression)
            case .autoescape(let on, let body): try run(body, into: &out, escaping: on)
            }
        }
    }

    func evaluate(_ expression: TemplateExpression) throws -> TemplateValue {
        switch expression {
        case .literal(let value): return value
        case .variable(let name): return context[name] ?? .none
        case .member(let base, let key): return try evaluate(base).member(try evaluate(key))
        case .call(let callee, let arguments):
            guard case .function(let function) = try evaluate(callee) else { return .none }
            return try function.call(try arguments.map(evaluate))
        case .filter(let value, let name, let argument):
            return try TemplateFilters.apply(name, to: try evaluate(value), argument: try argument.map(evaluate))
        case .unary(let op, let operand):
            let value = try evaluate(operand)
            if op == "not" { return .bool(!value.isTrue) }
            if case .integer(let number) = value { return .integer(-number) }
            return .double(-(value.number ?? 0))
        case .binary("and", let left, let right):
            return .bool(try evaluate(left).isTrue && evaluate(right).isTrue)
        case .binary("or", let left, let right):
            return .bool(try evaluate(left).isTrue || evaluate(right).isTrue)
        case .binary(let op, let left, let right):
            return try Self.binary(op, try evaluate(left), try evaluate(right))
        }
    }

    private static func binary(_ op: String, _ left: TemplateValue, _ right: TemplateValue) throws -> TemplateValue {
        switch op {
        case "==": return .bool(left == right)
        case "!=": return .bool(left != right)
        case "in":
            switch right {
            case .string(let text): return .bool(text.contains(left.text))
            case .list(let values): return .bool(values.contains(left))
            case .map(let entries): return .bool(entries[left.text] != nil)
            default: return .bool(false)
            }
        case "<", ">", "<=", ">=":
            let ordered: Bool
            if case .string(let a) = left, case .string(let b) = right {
                ordered = op == "<" ? a < b : op == ">" ? a > b : op == "<=" ? a <= b : a >= b
            } else {
                let a = left.number ?? 0
                let b = right.number ?? 0
                ordered = op == "<" ? a < b : op == ">" ? a > b : op == "<=" ? a <= b : a >= b
            }
            return .bool(ordered)
        default:
            if op == "+", case .string(let a) = left, case .string(let b) = right { return .string(a + b) }
            if case .integer(let a) = left, case .integer(let b) = right {
                switch op {
                case "+": return .integer(a &+ b)
                case "-": return .integer(a &- b)
                case "*": return .integer(a &* b)
                case "/": return b == 0 ? .none : .integer(a / b)
                default: return b == 0 ? .none : .integer(a % b)
                }
            }
            let a = left.number ?? 0
            let b = right.number ?? 0
            switch op {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/": return b == 0 ? .none : .double(a / b)
            default: return b == 0 ? .none : .double(a.truncatingRemainder(dividingBy: b))
            }
        }
    }

    static func escapeHTML(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// The filters image templates use (pongo2's names and behaviour).
enum TemplateFilters {
    static func apply(_ name: String, to value: TemplateValue, argument: TemplateValue?) throws -> TemplateValue {
        switch name {
        case "default": return value.isTrue ? value : argument ?? .none
        case "default_if_none":
            if case .none = value { return argument ?? .none }
            return value
        case "lower": return .string(value.text.lowercased())
        case "upper": return .string(value.text.uppercased())
        case "capfirst": return .string(value.text.prefix(1).uppercased() + value.text.dropFirst())
        case "title":
            return .string(value.text.split(separator: " ", omittingEmptySubsequences: false).map { $0.capitalized }.joined(separator: " "))
        case "length": return .integer(value.count)
        case "join":
            guard case .list(let values) = value else { return value }
            return .string(values.map(\.text).joined(separator: argument?.text ?? ""))
        case "split": return .list(value.text.components(separatedBy: argument?.text ?? " ").map { .string($0) })
        case "cut": return .string(value.text.replacingOccurrences(of: argument?.text ?? "", with: ""))
        case "first": return value.iterationItems.first?.key ?? .none
        case "last": return value.iterationItems.last?.key ?? .none
        case "safe": return value
        case "escape", "force_escape": return .string(TemplateEngine.escapeHTML(value.text))
        case "integer": return .integer(Int(value.number ?? 0))
        case "float": return .double(value.number ?? 0)
        case "add":
            let other = argument ?? .none
            if case .integer(let a) = value, case .integer(let b) = other { return .integer(a &+ b) }
            if value.isNumber && other.isNumber { return .double((value.number ?? 0) + (other.number ?? 0)) }
            return .string(value.text + other.text)
        case "yesno":
            let choices = (argument?.text ?? "yes,no,maybe").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if case .none = value { return .string(choices.count > 2 ? choices[2] : choices.last ?? "") }
            return .string(value.isTrue ? choices.first ?? "" : (choices.count > 1 ? choices[1] : ""))
        case "wordcount": return .integer(value.text.split(whereSeparator: \.isWhitespace).count)
        case "truncatechars":
            let limit = argument?.integerValue ?? 0
            guard value.text.count > limit else { return value }
            return .string(limit >= 3 ? String(value.text.prefix(limit - 3)) + "..." : String(value.text.prefix(limit)))
        case "date", "time":
            guard case .time(let time) = value else { throw TemplateError("Filter '\(name)' needs a time value") }
            return .string(GoTimeLayout.format(time, layout: argument?.text ?? "2006-01-02 15:04:05"))
        default:
            throw TemplateError("Filter '\(name)' does not exist")
        }
    }
}
