import Foundation

/// A template syntax error (pongo2 refuses to execute a template that does not parse).
struct TemplateError: Error, CustomStringConvertible, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// An expression inside `{{ }}` or a tag.
indirect enum TemplateExpression: Sendable, Equatable {
    case literal(TemplateValue)
    case variable(String)
    case member(TemplateExpression, TemplateExpression)
    case call(TemplateExpression, [TemplateExpression])
    case filter(TemplateExpression, name: String, argument: TemplateExpression?)
    case unary(String, TemplateExpression)
    case binary(String, TemplateExpression, TemplateExpression)
}

/// The parsed template: text, output tags and block tags.
indirect enum TemplateNode: Sendable, Equatable {
    case text(String)
    case output(TemplateExpression)
    /// `if`/`elif` branches in order, then the `else` body.
    case conditional([(TemplateExpression, [TemplateNode])], otherwise: [TemplateNode])
    case loop(key: String, value: String?, over: TemplateExpression, reversed: Bool, body: [TemplateNode], empty: [TemplateNode])
    case assign(String, TemplateExpression)
    case autoescape(Bool, [TemplateNode])

    static func == (lhs: TemplateNode, rhs: TemplateNode) -> Bool {
        switch (lhs, rhs) {
        case (.text(let a), .text(let b)): return a == b
        case (.output(let a), .output(let b)): return a == b
        case (.conditional(let a, let x), .conditional(let b, let y)):
            return x == y && a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.loop(let k1, let v1, let o1, let r1, let b1, let e1), .loop(let k2, let v2, let o2, let r2, let b2, let e2)):
            return k1 == k2 && v1 == v2 && o1 == o2 && r1 == r2 && b1 == b2 && e1 == e2
        case (.assign(let a, let x), .assign(let b, let y)): return a == b && x == y
        case (.autoescape(let a, let x), .autoescape(let b, let y)): return a == b && x == y
        default: return false
        }
    }
}

/// Splits a template into text and tags and parses them (Django/pongo2 syntax: `{{ expr }}`,
/// `{% tag %}`, `{# comment #}`, with `-` trimming whitespace next to a tag).
struct TemplateParser {
    private enum Piece {
        case text(String)
        case output(String)
        case tag(String)
    }

    static func parse(_ template: String) throws -> [TemplateNode] {
        var parser = TemplateParser(pieces: try split(template))
        let (nodes, end) = try parser.parseBlock(until: [])
        if let end { throw TemplateError("Unexpected tag '\(end)' without its opening tag") }
        return nodes
    }

    private var pieces: [Piece]
    private var position = 0

    private init(pieces: [Piece]) { self.pieces = pieces }

    private static func split(_ template: String) throws -> [Piece] {
        var pieces: [Piece] = []
        var text = ""
        var trimNextText = false
        var rest = Substring(template)
        func flush(trimEnd: Bool) {
            var chunk = Substring(text)
            if trimNextText { chunk = chunk.drop(while: \.isWhitespace) }
            if trimEnd { while chunk.last?.isWhitespace == true { chunk = chunk.dropLast() } }
            if !chunk.isEmpty { pieces.append(.text(String(chunk))) }
            text = ""
            trimNextText = false
        }
        while let open = rest.firstIndex(of: "{") {
            text += rest[..<open]
            let after = rest[open...].dropFirst()
            guard let kind = after.first, kind == "{" || kind == "%" || kind == "#" else {
                text.append("{")
                rest = after
                continue
            }
            let closing = kind == "{" ? "}}" : kind == "%" ? "%}" : "#}"
            var inner = after.dropFirst()
            guard let close = inner.range(of: closing) else {
                throw TemplateError("Tag opened with '{\(kind)' is never closed")
            }
            var body = inner[..<close.lowerBound]
            inner = inner[close.upperBound...]
            var trimBefore = false
            var trimAfter = false
            if body.hasPrefix("-") {
                trimBefore = true
                body = body.dropFirst()
            }
            if body.hasSuffix("-") {
                trimAfter = true
                body = body.dropLast()
            }
            flush(trimEnd: trimBefore)
            let content = body.trimmingCharacters(in: .whitespacesAndNewlines)
            switch kind {
            case "{": pieces.append(.output(content))
            case "%": pieces.append(.tag(content))
            default: break
            }
            trimNextText = trimAfter
            rest = inner
        }
        text += rest
        flush(trimEnd: false)
        return pieces
    }

    /// Parses nodes until one of `ends` (a tag name); returns the nodes and the full end tag.
    private mutating func parseBlock(until ends: Set<String>) throws -> ([TemplateNode], String?) {
        var nodes: [TemplateNode] = []
        while position < pieces.count {
            let piece = pieces[position]
            position += 1
            switch piece {
            case .text(let text): nodes.append(.text(text))
            case .output(let source):
                guard !source.isEmpty else { throw TemplateError("Empty variable tag") }
                nodes.append(.output(try ExpressionParser.parse(source)))
            case .tag(let source):
                let name = String(source.prefix { !$0.isWhitespace })
                let arguments = source.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
                if ends.contains(name) { return (nodes, source) }
                nodes.append(contentsOf: try parseTag(name, arguments))
            }
        }
        if !ends.isEmpty {
            throw TemplateError("Tag '\(ends.sorted().joined(separator: "' or '"))' expected, but the template ended")
        }
        return (nodes, nil)
    }

    private mutating func parseTag(_ name: String, _ arguments: String) throws -> [TemplateNode] {
        switch name {
        case "if":
            var branches: [(TemplateExpression, [TemplateNode])] = []
            var condition = try ExpressionParser.parse(arguments)
            while true {
                let (body, end) = try parseBlock(until: ["elif", "else", "endif"])
                branches.append((condition, body))
                let endName = String((end ?? "").prefix { !$0.isWhitespace })
                if endName == "elif" {
                    condition = try ExpressionParser.parse(String((end ?? "").dropFirst(4)))
                    continue
                }
                if endName == "else" {
                    let (otherwise, _) = try parseBlock(until: ["endif"])
                    return [.conditional(branches, otherwise: otherwise)]
                }
                return [.conditional(branches, otherwise: [])]
            }
        case "for":
            guard let inRange = arguments.range(of: " in ") else { throw TemplateError("Tag 'for' needs 'in'") }
            let names = arguments[..<inRange.lowerBound].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            var source = arguments[inRange.upperBound...].trimmingCharacters(in: .whitespaces)
            var reversed = false
            if source.hasSuffix(" reversed") {
                reversed = true
                source = String(source.dropLast(" reversed".count))
            }
            guard let key = names.first, !key.isEmpty, names.count <= 2, names.allSatisfy(ExpressionParser.isIdentifier) else {
                throw TemplateError("Tag 'for' has bad loop variables")
            }
            let over = try ExpressionParser.parse(source)
            let (body, end) = try parseBlock(until: ["empty", "endfor"])
            var empty: [TemplateNode] = []
            if end == "empty" { (empty, _) = try parseBlock(until: ["endfor"]) }
            return [.loop(key: key, value: names.count == 2 ? names[1] : nil, over: over, reversed: reversed, body: body, empty: empty)]
        case "set":
            guard let equals = arguments.firstIndex(of: "=") else { throw TemplateError("Tag 'set' needs '='") }
            let target = arguments[..<equals].trimmingCharacters(in: .whitespaces)
            guard ExpressionParser.isIdentifier(target) else { throw TemplateError("Tag 'set' has a bad name") }
            return [.assign(target, try ExpressionParser.parse(String(arguments[arguments.index(after: equals)...])))]
        case "autoescape":
            guard arguments == "on" || arguments == "off" else { throw TemplateError("Tag 'autoescape' takes 'on' or 'off'") }
            let (body, _) = try parseBlock(until: ["endautoescape"])
            return [.autoescape(arguments == "on", body)]
        case "comment":
            _ = try parseBlock(until: ["endcomment"])
            return []
        default:
            throw TemplateError("Tag '\(name)' not found (or beginning tag not provided)")
        }
    }
}

/// Parses one expression: literals, variables with `.` and `[]` access, calls, filters
/// (`|name:arg`), `not`/`and`/`or`, comparisons, `in`, arithmetic.
struct ExpressionParser {
    enum Token: Equatable {
        case identifier(String)
        case string(String)
        case integer(Int)
        case double(Double)
        case symbol(String)
    }

    private let tokens: [Token]
    private var position = 0

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    static func parse(_ source: String) throws -> TemplateExpression {
        var parser = ExpressionParser(tokens: try tokenize(source))
        let expression = try parser.parseOr()
        guard parser.position == parser.tokens.count else {
            throw TemplateError("Unexpected '\(parser.describe(parser.tokens[parser.position]))' in expression \"\(source)\"")
        }
        return expression
    }

    static func tokenize(_ source: String) throws -> [Token] {
        var tokens: [Token] = []
        let characters = Array(source)
        var index = 0
        let symbols = [
            "==", "!=", "<>", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ".", ",", "|", ":", "!",
        ]
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
            } else if character == "\"" || character == "'" {
                var text = ""
                index += 1
                while index < characters.count, characters[index] != character {
                    if characters[index] == "\\", index + 1 < characters.count {
                        index += 1
                        switch characters[index] {
                        case "n": text.append("\n")
                        case "t": text.append("\t")
                        default: text.append(characters[index])
                        }
                    } else {
                        text.append(characters[index])
                    }
                    index += 1
                }
                guard index < characters.count else { throw TemplateError("Unterminated string in expression") }
                index += 1
                tokens.append(.string(text))
            } else if character.isNumber {
                var text = ""
                while index < characters.count, characters[index].isNumber || characters[index] == "." {
                    // "1.x" is a member access, not a number.
                    if characters[index] == ".", !(index + 1 < characters.count && characters[index + 1].isNumber) { break }
                    text.append(characters[index])
                    index += 1
                }
                if text.contains("."), let value = Double(text) {
                    tokens.append(.double(value))
                } else if let value = Int(text) {
                    tokens.append(.integer(value))
                } else {
                    throw TemplateError("Bad number \"\(text)\"")
                }
            } else if character.isLetter || character == "_" {
                var text = ""
                while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" {
                    text.append(characters[index])
                    index += 1
                }
                tokens.append(.identifier(text))
            } else if let symbol = symbols.first(where: { symbol in
                Array(symbol).enumerated().allSatisfy {
                    index + $0.offset < characters.count && characters[index + $0.offset] == $0.element
                }
            }) {
                tokens.append(.symbol(symbol))
                index += symbol.count
            } else {
                throw TemplateError("Unexpected character '\(character)' in expression")
            }
        }
        return tokens
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .identifier(let text), .symbol(let text): return text
        case .string(let text): return "\"\(text)\""
        case .integer(let value): return String(value)
        case .double(let value): return String(value)
        }
    }

    private var current: Token? { position < tokens.count ? tokens[position] : nil }

    private mutating func take(_ token: Token) -> Bool {
        guard current == token else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ symbol: String) throws {
        guard take(.symbol(symbol)) else { throw TemplateError("Expected '\(symbol)' in expression") }
    }

    private mutating func parseOr() throws -> TemplateExpression {
        var left = try parseAnd()
        while take(.identifier("or")) || take(.symbol("||")) { left = .binary("or", left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws -> TemplateExpression {
        var left = try parseNot()
        while take(.identifier("and")) || take(.symbol("&&")) { left = .binary("and", left, try parseNot()) }
        return left
    }

    private mutating func parseNot() throws -> TemplateExpression {
        if take(.identifier("not")) || take(.symbol("!")) { return .unary("not", try parseNot()) }
        return try parseComparison()
    }

    private mutating func parseComparison() throws -> TemplateExpression {
        let left = try parseAdditive()
        for symbol in ["==", "!=", "<>", "<=", ">=", "<", ">"] where take(.symbol(symbol)) {
            return .binary(symbol == "<>" ? "!=" : symbol, left, try parseAdditive())
        }
        if take(.identifier("in")) { return .binary("in", left, try parseAdditive()) }
        if current == .identifier("not"), position + 1 < tokens.count, tokens[position + 1] == .identifier("in") {
            position += 2
            return .unary("not", .binary("in", left, try parseAdditive()))
        }
        return left
    }

    private mutating func parseAdditive() throws -> TemplateExpression {
        var left = try parseTerm()
        while true {
            if take(.symbol("+")) {
                left = .binary("+", left, try parseTerm())
            } else if take(.symbol("-")) {
                left = .binary("-", left, try parseTerm())
            } else {
                return left
            }
        }
    }

    private mutating func parseTerm() throws -> TemplateExpression {
        var left = try parseUnary()
        while true {
            if take(.symbol("*")) {
                left = .binary("*", left, try parseUnary())
            } else if take(.symbol("/")) {
                left = .binary("/", left, try parseUnary())
            } else if take(.symbol("%")) {
                left = .binary("%", left, try parseUnary())
            } else {
                return left
            }
        }
    }

    private mutating func parseUnary() throws -> TemplateExpression {
        if take(.symbol("-")) { return .unary("-", try parseUnary()) }
        if take(.symbol("+")) { return try parseUnary() }
        return try parseFiltered()
    }

    private mutating func parseFiltered() throws -> TemplateExpression {
        var value = try parsePostfix()
        while take(.symbol("|")) {
            guard case .identifier(let name) = current else { throw TemplateError("Filter name expected after '|'") }
            position += 1
            var argument: TemplateExpression?
            if take(.symbol(":")) { argument = try parsePostfix() }
            value = .filter(value, name: name, argument: argument)
        }
        return value
    }

    private mutating func parsePostfix() throws -> TemplateExpression {
        var value = try parsePrimary()
        while true {
            if take(.symbol(".")) {
                switch current {
                case .identifier(let name): value = .member(value, .literal(.string(name)))
                case .integer(let index): value = .member(value, .literal(.integer(index)))
                default: throw TemplateError("Name expected after '.'")
                }
                position += 1
            } else if take(.symbol("[")) {
                value = .member(value, try parseOr())
                try expect("]")
            } else if take(.symbol("(")) {
                var arguments: [TemplateExpression] = []
                if !take(.symbol(")")) {
                    repeat { arguments.append(try parseOr()) } while take(.symbol(","))
                    try expect(")")
                }
                value = .call(value, arguments)
            } else {
                return value
            }
        }
    }

    private mutating func parsePrimary() throws -> TemplateExpression {
        guard let token = current else { throw TemplateError("Expression expected") }
        position += 1
        switch token {
        case .string(let text): return .literal(.string(text))
        case .integer(let value): return .literal(.integer(value))
        case .double(let value): return .literal(.double(value))
        case .identifier(let name):
            switch name {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "nil", "None": return .literal(.none)
            default: return .variable(name)
            }
        case .symbol("("):
            let inner = try parseOr()
            try expect(")")
            return inner
        case .symbol(let symbol): throw TemplateError("Unexpected '\(symbol)' in expression")
        }
    }
}
