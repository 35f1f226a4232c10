/// cobra's "Did you mean this?" for an unknown top-level command: the visible commands whose
/// name is within two edits of the typed word (ignoring case) or starts with it, by name.
enum CommandSuggestions {
    static let maximumDistance = 2

    static func suggestions(for typed: String, among names: [String]) -> [String] {
        let word = typed.lowercased()
        return names.sorted().filter { name in
            let lowered = name.lowercased()
            return editDistance(word, lowered) <= maximumDistance || lowered.hasPrefix(word)
        }
    }

    /// The text after "unknown command ...", empty without suggestions.
    static func text(for typed: String, among names: [String]) -> String {
        let found = suggestions(for: typed, among: names)
        guard !found.isEmpty else { return "" }
        return "\n\nDid you mean this?\n" + found.map { "\t\($0)\n" }.joined()
    }

    /// Levenshtein distance (insertions, deletions, substitutions), over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a)
        let y = Array(b)
        guard !x.isEmpty else { return y.count }
        guard !y.isEmpty else { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
