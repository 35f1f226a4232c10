/// The output formats LXD's list commands take (`--format`).
public enum TableFormat: String, Sendable, CaseIterable {
    case table, compact, csv, json, yaml

    /// Parses a `--format` value, failing with LXD's message.
    public static func parse(_ text: String) throws -> TableFormat {
        guard let format = TableFormat(rawValue: text) else { throw UsageError("Invalid format \"\(text)\"") }
        return format
    }
}

/// LXD's `cli.RenderTable` over olekukonko/tablewriter: auto-formatted centred headers, left
/// aligned cells, a line between rows for `table`, no borders for `compact`, Go's encoding/csv for
/// `csv`. JSON and YAML are rendered by the caller from the raw objects.
public enum TableRenderer {
    public static func render(_ format: TableFormat, header: [String], rows: [[String]]) -> String {
        switch format {
        case .table: return grid(header: header, rows: rows, borders: true)
        case .compact: return grid(header: header, rows: rows, borders: false)
        case .csv: return csv(rows)
        case .json, .yaml: return ""
        }
    }

    /// tablewriter's `Title`: `_` and non-numeric `.` become spaces, trimmed, upper-cased.
    public static func title(_ name: String) -> String {
        var scalars = Array(name.unicodeScalars)
        func isNumOrSpace(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) || s == " " }
        for index in scalars.indices {
            if scalars[index] == "_" {
                scalars[index] = " "
            } else if scalars[index] == "." {
                if (index != 0 && !isNumOrSpace(scalars[index - 1])) || (index != scalars.count - 1 && !isNumOrSpace(scalars[index + 1])) {
                    scalars[index] = " "
                }
            }
        }
        var text = String(String.UnicodeScalarView(scalars))
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        if text.isEmpty && !name.isEmpty { text = " " }
        return text.uppercased()
    }

    static func width(_ text: String) -> Int { text.count }

    static func grid(header: [String], rows: [[String]], borders: Bool) -> String {
        let titles = header.map(title)
        let columns = max(titles.count, rows.map(\.count).max() ?? 0)
        var widths = [Int](repeating: 0, count: columns)
        for (index, text) in titles.enumerated() { widths[index] = max(widths[index], width(text)) }
        let split: [[[String]]] = rows.map { row in
            (0..<columns).map { index in
                let cell = index < row.count ? row[index] : ""
                return cell.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            }
        }
        for row in split {
            for (index, lines) in row.enumerated() {
                for line in lines { widths[index] = max(widths[index], width(line)) }
            }
        }
        let line = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+\n"
        var out = ""
        if borders { out += line }
        if !titles.isEmpty {
            out += borders ? "|" : " "
            for index in 0..<columns {
                let text = index < titles.count ? titles[index] : ""
                let gap = widths[index] - width(text)
                let left = gap / 2
                let padded = String(repeating: " ", count: left) + text + String(repeating: " ", count: gap - left)
                out += " " + padded + " " + (borders ? "|" : (index == columns - 1 ? " " : ""))
            }
            out += "\n"
            if borders { out += line }
        }
        for row in split {
            let height = row.map(\.count).max() ?? 1
            for lineIndex in 0..<height {
                out += borders ? "|" : " "
                for index in 0..<columns {
                    let text = lineIndex < row[index].count ? row[index][lineIndex] : ""
                    out += " " + text + String(repeating: " ", count: widths[index] - width(text)) + " "
                    out += borders ? "|" : (index == columns - 1 ? " " : "")
                }
                out += "\n"
            }
            if borders { out += line }
        }
        return out
    }

    /// Go's `encoding/csv` writer: quotes fields holding `,`, `"`, CR or LF, or starting with a space.
    public static func csv(_ rows: [[String]]) -> String {
        var out = ""
        for row in rows {
            out += row.map { field -> String in
                guard needsQuotes(field) else { return field }
                return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }.joined(separator: ",")
            out += "\n"
        }
        return out
    }

    static func needsQuotes(_ field: String) -> Bool {
        if field.isEmpty { return false }
        if field == "\\." { return true }
        if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) { return true }
        guard let first = field.unicodeScalars.first else { return false }
        return first.properties.isWhitespace
    }
}
