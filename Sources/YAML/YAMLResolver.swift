/// How gopkg.in/yaml.v2 (v2.4.0, the version LXD 5.0 links) resolves an untagged plain scalar.
/// The emitter uses it to decide when a string must be quoted; the node conveniences use it to
/// read ints and bools.
enum YAMLResolver {
    enum Kind: Equatable {
        case string, null, bool, int, float, timestamp
    }

    private static let table: [String: Kind] = {
        var table: [String: Kind] = [:]
        for word in [
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            table[word] = .bool
        }
        for word in ["", "~", "null", "Null", "NULL"] { table[word] = .null }
        for word in [".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"] {
            table[word] = .float
        }
        return table
    }()

    private static let trueWords: Set<String> = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
    private static let falseWords: Set<String> = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]

    /// yaml.v2's `resolve("", text)`.
    static func kind(of text: String) -> Kind {
        let bytes = Array(text.utf8)
        guard let first = bytes.first else { return .null }
        // yaml.v2 consults its table only for texts whose first byte hints at a non-string
        // (so "<<" resolves to a string when emitting).
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
            UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "~"):
            return table[text] ?? .string
        case UInt8(ascii: "."):
            if let kind = table[text] { return kind }
            return isDotFloat(bytes) ? .float : .string
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let kind = table[text] { return kind }
            if isTimestamp(bytes) { return .timestamp }
            let plain = bytes.filter { $0 != UInt8(ascii: "_") }
            if parseGoInteger(plain) != nil { return .int }
            if isYAMLStyleFloat(plain) { return .float }
            return .string
        default:
            return .string
        }
    }

    static func boolean(_ text: String) -> Bool? {
        if trueWords.contains(text) { return true }
        if falseWords.contains(text) { return false }
        return nil
    }

    static func integer(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || isDigit(first) else { return nil }
        if isTimestamp(bytes) { return nil }
        guard case .signed(let value)? = parseGoInteger(bytes.filter { $0 != UInt8(ascii: "_") }) else { return nil }
        return value
    }

    /// yaml.v2 quotes YAML 1.1 sexagesimal numbers (`1:20`, `-3:25:45.5`) for older parsers.
    static func isBase60Float(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        guard let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || isDigit(first),
            bytes.contains(UInt8(ascii: ":"))
        else { return false }
        if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        // [0-9][0-9_]*
        guard let lead = bytes.first, isDigit(lead) else { return false }
        bytes = bytes.dropFirst()
        while let c = bytes.first, isDigit(c) || c == UInt8(ascii: "_") { bytes = bytes.dropFirst() }
        // (:[0-5]?[0-9])+
        var groups = 0
        while bytes.first == UInt8(ascii: ":") {
            bytes = bytes.dropFirst()
            let digits = bytes.prefix(while: isDigit)
            switch digits.count {
            case 1:
                bytes = bytes.dropFirst()
            case 2... where digits[digits.startIndex] <= UInt8(ascii: "5"):
                bytes = bytes.dropFirst(2)
            default:
                return false
            }
            groups += 1
        }
        guard groups > 0 else { return false }
        // (\.[0-9_]*)?
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            while let c = bytes.first, isDigit(c) || c == UInt8(ascii: "_") { bytes = bytes.dropFirst() }
        }
        return bytes.isEmpty
    }

    // MARK: - Pieces of Go's strconv and time.Parse that resolve() relies on

    enum GoInteger: Equatable {
        case signed(Int64)
        case unsigned(UInt64)
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// `strconv.ParseInt(s, 0, 64)`, then `strconv.ParseUint(s, 0, 64)` (underscores already removed).
    static func parseGoInteger(_ bytes: [UInt8]) -> GoInteger? {
        var digits = bytes[...]
        var negative = false
        var signed = false
        if let c = digits.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
            negative = c == UInt8(ascii: "-")
            signed = true
            digits = digits.dropFirst()
        }
        var base: UInt64 = 10
        if digits.count >= 2, digits.first == UInt8(ascii: "0") {
            switch digits[digits.startIndex + 1] | 0x20 {
            case UInt8(ascii: "x"): base = 16; digits = digits.dropFirst(2)
            case UInt8(ascii: "o"): base = 8; digits = digits.dropFirst(2)
            case UInt8(ascii: "b"): base = 2; digits = digits.dropFirst(2)
            default: base = 8; digits = digits.dropFirst()
            }
        }
        guard !digits.isEmpty else { return nil }
        var magnitude: UInt64 = 0
        for c in digits {
            let value: UInt64
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = UInt64(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = UInt64(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard value < base else { return nil }
            let (times, overflow1) = magnitude.multipliedReportingOverflow(by: base)
            let (sum, overflow2) = times.addingReportingOverflow(value)
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return .signed(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
        }
        if magnitude <= UInt64(Int64.max) { return .signed(Int64(magnitude)) }
        return signed ? nil : .unsigned(magnitude)
    }

    /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` and a finite `strconv.ParseFloat`.
    static func isYAMLStyleFloat(_ bytes: [UInt8]) -> Bool {
        var rest = bytes[...]
        if let c = rest.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { rest = rest.dropFirst() }
        let integer = rest.prefix(while: isDigit)
        rest = rest.dropFirst(integer.count)
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            let fraction = rest.prefix(while: isDigit)
            rest = rest.dropFirst(fraction.count)
            if integer.isEmpty && fraction.isEmpty { return false }
        } else if integer.isEmpty {
            return false
        }
        if let c = rest.first, c | 0x20 == UInt8(ascii: "e") {
            rest = rest.dropFirst()
            if let s = rest.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { rest = rest.dropFirst() }
            let exponent = rest.prefix(while: isDigit)
            guard !exponent.isEmpty else { return false }
            rest = rest.dropFirst(exponent.count)
        }
        guard rest.isEmpty, let value = Double(String(decoding: bytes, as: UTF8.self)) else { return false }
        return value.isFinite
    }

    /// `strconv.ParseFloat` on text starting with ".": only `.5`, `.5e3` forms get this far.
    private static func isDotFloat(_ bytes: [UInt8]) -> Bool {
        isYAMLStyleFloat(bytes)
    }

    /// yaml.v2's parseTimestamp: `YYYY-M-D`, optionally followed by `T`/`t`/space and
    /// `H:M:S[.fraction]`, with a `Z`/`±hh:mm` zone after `T`/`t` (required there, absent after a space).
    static func isTimestamp(_ bytes: [UInt8]) -> Bool {
        var rest = bytes[...]
        func number(maxDigits: Int) -> Int? {
            let digits = rest.prefix(while: isDigit).prefix(maxDigits)
            guard !digits.isEmpty else { return nil }
            rest = rest.dropFirst(digits.count)
            return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        func expect(_ c: Character) -> Bool {
            guard let ascii = c.asciiValue, rest.first == ascii else { return false }
            rest = rest.dropFirst()
            return true
        }
        guard rest.prefix(while: isDigit).count == 4, let year = number(maxDigits: 4), expect("-"),
            let month = number(maxDigits: 2), expect("-"), let day = number(maxDigits: 2)
        else { return false }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return false }
        if rest.isEmpty { return true }
        let separator = rest.first
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") else { return false }
        rest = rest.dropFirst()
        guard let hour = number(maxDigits: 2), expect(":"), let minute = number(maxDigits: 2), expect(":"),
            let second = number(maxDigits: 2), hour < 24, minute < 60, second < 60
        else { return false }
        if rest.first == UInt8(ascii: "."), rest.dropFirst().first.map(isDigit) == true {
            rest = rest.dropFirst()
            rest = rest.drop(while: isDigit)
        }
        if separator == UInt8(ascii: " ") { return rest.isEmpty }
        if expect("Z") { return rest.isEmpty }
        guard let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return false }
        rest = rest.dropFirst()
        let zone = Array(rest)
        guard zone.count == 5, isDigit(zone[0]), isDigit(zone[1]), zone[2] == UInt8(ascii: ":"), isDigit(zone[3]), isDigit(zone[4])
        else { return false }
        return true
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
