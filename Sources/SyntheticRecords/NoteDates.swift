/// The ways notes write dates, and the reading back of all of them to ISO 8601.
///
/// Only forms whose day and month cannot be confused are written: "03/07/2025" means March in one
/// country and July in another, and a summary must not guess. References always use ISO.
public enum NoteDates {
    public enum Style: CaseIterable, Sendable { case iso, dayMonthAbbrev, dayMonthName, monthNameDay, dashed }

    public static func write(_ d: CalendarDate, _ style: Style) -> String {
        let name = CalendarDate.monthNames[d.month - 1]
        switch style {
        case .iso: return d.iso
        case .dayMonthAbbrev: return "\(d.day) \(name.prefix(3)) \(d.year)"          // 7 Mar 2025
        case .dayMonthName: return "\(d.day) \(name) \(d.year)"                      // 7 March 2025
        case .monthNameDay: return "\(name) \(d.day), \(d.year)"                     // March 7, 2025
        case .dashed: return "\(pad(d.day, 2))-\(name.prefix(3))-\(d.year)"          // 07-Mar-2025
        }
    }

    /// Every date in `text` that one of the styles above wrote, as ISO strings, in order of appearance.
    public static func isoDates(in text: String) -> [String] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "(" || $0 == ")" })
            .map { w -> Substring in
                var w = w
                while let l = w.last, l == "." || l == "," || l == ";" || l == ":" { w = w.dropLast() }
                return w
            }
        var out: [String] = []
        var i = 0
        while i < words.count {
            let w = words[i]
            if let d = CalendarDate(iso: w) { out.append(d.iso); i += 1; continue }
            if let d = dashed(w) { out.append(d.iso); i += 1; continue }
            // "7 Mar 2025", "7 March 2025"
            if i + 2 < words.count, let day = Int(w), let m = month(words[i + 1]), let y = year(words[i + 2]),
               let d = valid(y, m, day) { out.append(d.iso); i += 3; continue }
            // "March 7, 2025" (the comma was trimmed above)
            if i + 2 < words.count, let m = month(w), let day = Int(words[i + 1]), let y = year(words[i + 2]),
               let d = valid(y, m, day) { out.append(d.iso); i += 3; continue }
            i += 1
        }
        return out
    }

    static func month(_ w: Substring) -> Int? {
        let l = w.lowercased()
        guard l.count >= 3 else { return nil }
        for (i, name) in CalendarDate.monthNames.enumerated() {
            let n = name.lowercased()
            if l == n || l == String(n.prefix(3)) || (l == "sept" && i == 8) { return i + 1 }
        }
        return nil
    }

    static func year(_ w: Substring) -> Int? {
        guard w.count == 4, let y = Int(w), (1800...2200).contains(y) else { return nil }
        return y
    }

    static func dashed(_ w: Substring) -> CalendarDate? {
        let p = w.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, let day = Int(p[0]), let m = month(p[1]), let y = year(p[2]) else { return nil }
        return valid(y, m, day)
    }

    static func valid(_ y: Int, _ m: Int, _ d: Int) -> CalendarDate? {
        (1...CalendarDate.daysIn(month: m, year: y)).contains(d) ? CalendarDate(year: y, month: m, day: d) : nil
    }
}
