/// Who a speaker label stands for: "Doctor", "Dr. Patel", "[patient]", "D", "Maria (patient)",
/// "Guest_family", "John Smith, MD". Unknown bare names are not speakers for the line-based reader,
/// since "BP: 120/80" and "Plan: …" look the same as "Maria: …"; in WebVTT, where the voice tag makes
/// the speaker explicit, an unknown name is kept with the role `other`.
enum SpeakerLabels {
    static let doctorWords: Set<String> = ["doctor", "dr", "physician", "clinician", "provider", "md", "gp",
                                           "consultant", "surgeon", "doc", "attending", "resident", "registrar", "d"]
    static let patientWords: Set<String> = ["patient", "pt", "client", "p"]
    static let otherWords: Set<String> = ["nurse", "rn", "guest family", "guest clinician", "patient guest", "family",
                                          "family member", "mother", "father", "mom", "mum", "dad", "parent", "wife",
                                          "husband", "son", "daughter", "caregiver", "carer", "interpreter",
                                          "translator", "partner", "relative", "friend", "guardian", "sister",
                                          "brother", "unknown", "speaker", "other", "np", "pa", "student"]
    /// Degrees after a name ("Jane Doe, MD").
    static let doctorDegrees: Set<String> = ["md", "do", "mbbs", "mbchb", "frcp", "dr"]

    struct Classified: Equatable { let role: SpeakerRole; let label: String; let isSingleLetter: Bool }

    static func normalize(_ s: Substring) -> String {
        // "Dr. Patel" → "dr patel"; "guest_family" → "guest family".
        s.lowercased().map { $0 == "_" || $0 == "-" ? " " : $0 }
            .split(separator: " ").map { String($0).trimmingTrailingDot }.joined(separator: " ")
    }

    /// The role for a label, or nil when the label is not a speaker we recognise.
    static func classify(_ raw: Substring) -> Classified? {
        let label = String(raw.trimmedWhitespaceSub)
        guard !label.isEmpty, label.count <= 40 else { return nil }
        let n = normalize(Substring(label))
        if let r = roleWord(n) { return Classified(role: r, label: label, isSingleLetter: n.count == 1) }
        // "speaker 1", "nurse 2"
        let words = n.split(separator: " ")
        guard (1...5).contains(words.count) else { return nil }
        if words.count == 2, Int(words[1]) != nil, let r = roleWord(String(words[0])) {
            return Classified(role: r, label: label, isSingleLetter: false)
        }
        // "Dr. Smith", "Doctor Patel", "Patient Jones", "Nurse Ann"
        if words.count >= 2, let r = roleWord(String(words[0])), words[0] != "d", words[0] != "p", isNameLike(words.dropFirst()) {
            return Classified(role: r, label: label, isSingleLetter: false)
        }
        // "Maria (patient)", "Maria [mother]", "Maria - patient", "Doctor (Smith)"
        for (open, close) in [("(", ")"), ("[", "]")] {
            if let o = label.firstIndex(of: Character(open)), label.hasSuffix(close) {
                let inner = normalize(label[label.index(after: o)..<label.index(before: label.endIndex)])
                let outer = normalize(label[..<o])
                if let r = roleWord(inner), isNameLike(outer.split(separator: " ")[...]) { return Classified(role: r, label: label, isSingleLetter: false) }
                if let r = roleWord(outer), !inner.isEmpty { return Classified(role: r, label: label, isSingleLetter: false) }
            }
        }
        // "Jane Doe, MD"
        if let comma = label.lastIndex(of: ",") {
            let degree = normalize(label[label.index(after: comma)...])
            if doctorDegrees.contains(degree), isNameLike(normalize(label[..<comma]).split(separator: " ")[...]) {
                return Classified(role: .doctor, label: label, isSingleLetter: false)
            }
        }
        return nil
    }

    static func roleWord(_ n: String) -> SpeakerRole? {
        if doctorWords.contains(n) { return .doctor }
        if patientWords.contains(n) { return .patient }
        if otherWords.contains(n) { return .other }
        return nil
    }

    static func isNameLike(_ words: ArraySlice<Substring>) -> Bool {
        (1...4).contains(words.count) && words.allSatisfy { w in
            w.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0 == "'" || $0 == "." }
        }
    }
}

extension String {
    var trimmingTrailingDot: String { hasSuffix(".") ? String(dropLast()) : self }
}
