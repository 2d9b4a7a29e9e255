/// How a written regimen is said aloud in a visit: "500 mg PO BID x 7 days" → "500 mg by mouth
/// twice a day for 7 days". Doses and units stay as they are, so they remain verbatim facts.
enum Regimen {
    static func spoken(_ regimen: String) -> String {
        var out: [String] = []
        let words = regimen.split(separator: " ").map(String.init)
        var i = 0
        while i < words.count {
            let w = words[i]
            if w == "x", i + 1 < words.count {
                if words[i + 1] == "1" { out.append("once"); i += 2; continue }
                out.append("for"); i += 1; continue
            }
            if let s = phrases[w] { out.append(s); i += 1; continue }
            // q6h → every 6 hours, q15min → every 15 minutes
            if w.hasPrefix("q"), w.hasSuffix("h"), let n = Int(w.dropFirst().dropLast()) {
                out.append("every \(n) hours"); i += 1; continue
            }
            if w.hasPrefix("q"), w.hasSuffix("min"), let n = Int(w.dropFirst().dropLast(3)) {
                out.append("every \(n) minutes"); i += 1; continue
            }
            out.append(w); i += 1
        }
        return out.joined(separator: " ")
    }

    static let phrases: [String: String] = [
        "PO": "by mouth", "QD": "once a day", "BID": "twice a day", "TID": "three times a day", "QID": "four times a day",
        "QHS": "at night", "PRN": "as needed", "SL": "under the tongue", "SC": "under the skin", "IM": "into the muscle",
        "inh": "inhaled", "neb": "nebulised", "PR": "rectally", "PV": "vaginally", "IN": "in the nose",
    ]
}
