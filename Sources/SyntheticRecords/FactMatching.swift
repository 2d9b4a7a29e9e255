/// How a fact is found in a text, the same everywhere (generator tests, fact recall, planting):
/// verbatim apart from letter case (a summary capitalises the first word of a section), and not as
/// part of a longer word or number ("5 mg" is not found in "25 mg", "1 week" not in "11 weeks").
public enum FactMatching {
    public static func contains(_ text: String, _ fact: String) -> Bool {
        let t = Array(text.lowercased()), f = Array(fact.lowercased())
        guard !f.isEmpty, f.count <= t.count else { return false }
        var i = 0
        while i + f.count <= t.count {
            if t[i] == f[0], Array(t[i..<(i + f.count)]) == f {
                let end = i + f.count
                // "5 mg" is not in "2.5 mg" nor "1 g" in "1,000 g": a digit's neighbours across "." or "," count too.
                let beforeOK = i == 0 || !isWordChar(f[0]) || (!isWordChar(t[i - 1])
                    && !(f[0].isNumber && (t[i - 1] == "." || t[i - 1] == ",") && i >= 2 && t[i - 2].isNumber))
                let afterOK = end == t.count || !isWordChar(f[f.count - 1]) || (!isWordChar(t[end])
                    && !(f[f.count - 1].isNumber && (t[end] == "." || t[end] == ",") && end + 1 < t.count && t[end + 1].isNumber))
                if beforeOK && afterOK { return true }
            }
            i += 1
        }
        return false
    }

    static func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber }

    /// A fact is supported by an input when the input holds it verbatim, or, for an ISO date, when
    /// the input writes that date in any of the forms notes use ("7 Mar 2025" supports "2025-03-07").
    public static func isSupported(_ fact: String, by input: String) -> Bool {
        if contains(input, fact) { return true }
        if CalendarDate(iso: Substring(fact)) != nil { return NoteDates.isoDates(in: input).contains(fact) }
        return false
    }
}
