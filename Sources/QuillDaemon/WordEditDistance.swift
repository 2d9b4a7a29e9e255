/// Words inserted, deleted or replaced to turn one text into another (Levenshtein over words), for a
/// review's edit size: a number that says how much a reviewer changed without saying what.
enum WordEditDistance {
    /// Texts longer than this many words are compared by their lengths only (the quadratic table would
    /// cost more than the figure is worth; a clinical note is a few hundred words).
    static let maxWords = 4000

    static func between(_ a: String, _ b: String) -> Int {
        let x = a.split(whereSeparator: \.isWhitespace), y = b.split(whereSeparator: \.isWhitespace)
        if x.count > maxWords || y.count > maxWords { return max(x.count, y.count) }
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
