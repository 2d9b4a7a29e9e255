/// Small helpers for writing notes the way people do: typos in the connecting words (never in a
/// fact), capitals at the start of a summary section, and lists in words.
enum Phrasing {
    /// A typo in one word of `phrase` with probability `p`: two letters swapped, one dropped or one
    /// doubled. Only words of five letters or more, so abbreviations ("c/o", "Dx") stay readable.
    static func typo(_ phrase: String, p: Double, _ rng: inout SplitMix64) -> String {
        guard rng.chance(p) else { return phrase }
        var words = phrase.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let candidates = words.indices.filter { words[$0].count >= 5 && words[$0].allSatisfy(\.isLetter) }
        guard !candidates.isEmpty else { return phrase }
        let w = rng.pick(candidates)
        var letters = Array(words[w])
        let at = rng.int(1...(letters.count - 2))
        switch rng.int(0...2) {
        case 0: letters.swapAt(at, at + 1)
        case 1: letters.remove(at: at)
        default: letters.insert(letters[at], at: at)
        }
        words[w] = String(letters)
        return words.joined(separator: " ")
    }

    /// "headache" → "Headache"; words that start with a capital or a digit are left alone.
    static func capitalized(_ s: String) -> String {
        guard let f = s.first, f.isLowercase else { return s }
        return f.uppercased() + s.dropFirst()
    }

    /// "Chest X-ray" → "chest X-ray", "CT head" stays: only a capital followed by a lower-case letter is lowered.
    static func lowerFirst(_ s: String) -> String {
        let c = Array(s)
        guard c.count > 1, c[0].isUppercase, c[1].isLowercase else { return s }
        return c[0].lowercased() + String(c.dropFirst())
    }

    /// "a", "a and b", "a, b and c".
    static func list(_ items: [String], and word: String = "and") -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " \(word) " + items.last!
        }
    }

    /// A sentence ends with one full stop.
    static func sentence(_ s: String) -> String {
        s.hasSuffix(".") ? s : s + "."
    }

    /// "1 week", "3 days": a duration with its number written in digits, so it is a verbatim fact.
    static func duration(_ n: Int, _ unit: String) -> String { n == 1 ? "1 \(unit)" : "\(n) \(unit)s" }

    static func randomDuration(_ rng: inout SplitMix64) -> String {
        switch rng.int(0...9) {
        case 0: return duration(rng.int(2...12), "hour")
        case 1...5: return duration(rng.int(1...10), "day")
        case 6...8: return duration(rng.int(1...6), "week")
        default: return duration(rng.int(1...6), "month")
        }
    }

    static func followUpInterval(_ rng: inout SplitMix64) -> String {
        rng.chance(0.75) ? duration(rng.int(1...8), "week") : duration(rng.int(1...6), "month")
    }
}

/// Facts in the order they were added, without repeats.
struct FactList {
    private(set) var items: [String] = []
    mutating func add(_ fact: String) {
        let f = fact.trimmingWhitespace
        if !f.isEmpty, !items.contains(f) { items.append(f) }
    }
    mutating func add(_ facts: [String]) { facts.forEach { add($0) } }
}
