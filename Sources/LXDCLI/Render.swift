import Foundation
import LXDCommandLine
import YAML

extension CLIContext {
    /// Prints a list in the chosen format: the table from `header`/`rows`, JSON and YAML from the
    /// raw objects (in the server's key order, as LXD re-encodes its typed values).
    func renderList(_ format: TableFormat, header: [String], rows: [[String]], raw: OrderedJSON) {
        switch format {
        case .table, .compact, .csv:
            stdout.write(TableRenderer.render(format, header: header, rows: rows))
        case .json:
            stdout.write(raw.goJSON + "\n")
        case .yaml:
            stdout.write(YAML.emit(raw.yamlNode))
        }
    }

    func parseFormat(_ args: ParsedArguments) throws -> TableFormat {
        try TableFormat.parse(args.string("format", default: "table"))
    }
}

extension OrderedJSON {
    static func parseOrNull(_ data: Data) -> OrderedJSON { (try? OrderedJSON.parse(data)) ?? .null }
}
