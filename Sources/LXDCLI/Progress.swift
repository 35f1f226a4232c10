import Foundation
import LXDAPI

/// LXD's `cli.ProgressRenderer`: one line rewritten with `\r`. LXD 5.0.2's terminal check never
/// takes effect (it sets "not a terminal" and then overwrites it), so its client prints progress
/// whatever stdout is; we do the same for identical output.
final class ProgressRenderer: @unchecked Sendable {
    // Used by the thread that waits for the operation.
    let format: String
    let quiet: Bool
    let out: OutputSink
    private var maxLength = 0
    private var done = false

    init(format: String = "%s", quiet: Bool, out: OutputSink) {
        self.format = format
        self.quiet = quiet
        self.out = out
    }

    func update(_ status: String) {
        guard !done, !quiet else { return }
        let message = "\r" + format.replacingOccurrences(of: "%s", with: status)
        if message.count == 1 && maxLength == 0 { return }
        if message.count > maxLength {
            maxLength = message.count
        } else {
            out.write("\r" + String(repeating: " ", count: maxLength))
        }
        out.write(message)
    }

    /// The op handler: the first metadata value under a key ending in `_progress`.
    func update(operation: LXDAPI.Operation) {
        guard case .object(let metadata) = operation.metadata else { return }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where key.hasSuffix("_progress") {
            if let text = value.stringValue { update(text) }
            break
        }
    }

    func finish(_ message: String = "") {
        guard !done else { return }
        done = true
        let message = quiet ? "" : message
        if message.isEmpty && maxLength == 0 { return }
        let line = message.isEmpty ? "" : message + "\n"
        if line.count > maxLength {
            maxLength = line.count
        } else {
            out.write("\r" + String(repeating: " ", count: maxLength))
        }
        out.write("\r" + line)
    }
}

/// LXD's `shared.NaturalSort` comparison: digit runs compare as numbers.
func naturalLess(_ a: String, _ b: String) -> Bool {
    let x = Array(a.unicodeScalars)
    let y = Array(b.unicodeScalars)
    var i = 0
    var j = 0
    func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
    while i < x.count && j < y.count {
        if isDigit(x[i]) && isDigit(y[j]) {
            var endI = i
            while endI < x.count && isDigit(x[endI]) { endI += 1 }
            var endJ = j
            while endJ < y.count && isDigit(y[endJ]) { endJ += 1 }
            let numberX = String(String.UnicodeScalarView(x[i..<endI])).drop { $0 == "0" }
            let numberY = String(String.UnicodeScalarView(y[j..<endJ])).drop { $0 == "0" }
            if numberX.count != numberY.count { return numberX.count < numberY.count }
            if numberX != numberY { return numberX < numberY }
            i = endI
            j = endJ
            continue
        }
        if x[i] != y[j] { return x[i].value < y[j].value }
        i += 1
        j += 1
    }
    return x.count - i < y.count - j
}

/// LXD's `cli.SortColumnsNaturally`: column by column, empty cells last.
func sortRowsNaturally(_ rows: [[String]]) -> [[String]] {
    rows.sorted { a, b in
        for k in 0..<min(a.count, b.count) {
            if a[k] == b[k] { continue }
            if a[k].isEmpty { return false }
            if b[k].isEmpty { return true }
            return naturalLess(a[k], b[k])
        }
        return false
    }
}
