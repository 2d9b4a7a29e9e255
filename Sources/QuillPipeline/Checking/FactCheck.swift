import Foundation

/// A statement in an output that the input does not support: a safety net for reviewers.
public struct FactFinding: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case quantity      // a number with a unit, a dose, a ratio such as a blood pressure, a percentage
        case date
        case medication    // a medication name from the lexicon
        case term          // another clinical word the input never uses
    }
    public let kind: Kind
    /// The text as it stands in the output.
    public let text: String
    /// The output section it was found in.
    public let section: String
}

/// Checks generated sections against the input: every quantity, date and medication stated in the output
/// must occur in the input (compared in normalised form: "500mg" = "500 mg", "07/03/2025" = "2025-03-07").
/// Clinical words the input never uses are reported as `term` findings (lower severity by default); a word
/// is supported when the input uses it, or a short or lay form of a term holding it ("HTN" supports
/// "hypertension", "US abdomen" supports "ultrasound abdomen"), from the synonyms lexicon.
public struct FactChecker: Sendable {
    public let medications: Set<String>
    /// Words the output may use without the input (connecting words and the phrasing Quill's outputs use).
    public let phrasing: Set<String>
    /// Each term's words (lower case) and the forms that support them when the input uses one.
    public let synonyms: [(words: [String], forms: [String])]
    /// Every word of a medication name: not reported again as an unknown term.
    let medicationWords: Set<String>

    public init(medications: Set<String>, phrasing: Set<String> = FactChecker.defaultPhrasing, synonyms: [String: [String]] = [:]) {
        self.medications = Set(medications.map { $0.lowercased() })
        self.phrasing = phrasing
        self.synonyms = synonyms.sorted { $0.key < $1.key }.map { term, forms in
            (Facts.words(term.lowercased()), forms.map { $0.lowercased() })
        }
        medicationWords = Set(self.medications.flatMap { Facts.words($0) })
    }

    /// Loads the medication lexicon (one name per line, `#` comments) from a file a hospital can edit, and the
    /// synonyms (`term = form | form` per line) from `synonyms.txt` beside it when there is one.
    public init(lexicon url: URL) throws {
        func lines(_ url: URL) throws -> [String] {
            try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        let synonymsURL = url.deletingLastPathComponent().appendingPathComponent("synonyms.txt")
        var synonyms: [String: [String]] = [:]
        if FileManager.default.fileExists(atPath: synonymsURL.path) {
            for line in try lines(synonymsURL) {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty else { throw LexiconError(file: synonymsURL.lastPathComponent, line: line) }
                synonyms[parts[0], default: []] += parts[1].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
        }
        self.init(medications: Set(try lines(url)), synonyms: synonyms)
    }

    public struct LexiconError: Error, CustomStringConvertible {
        public let file: String, line: String
        public var description: String { "\(file): '\(line)' is not 'term = form | form'" }
    }

    public func check(sections: [(heading: String, text: String)], input: String) -> [FactFinding] {
        let source = Facts(of: input, medications: medications)
        var supportedStems = source.stems
        let lowerInput = input.lowercased()
        for (words, forms) in synonyms where forms.contains(where: { Facts.containsPhrase(lowerInput, $0) }) {
            supportedStems.formUnion(words.map(Facts.stem))
        }
        var findings: [FactFinding] = []
        for (heading, text) in sections where text != notDocumented {
            let stated = Facts(of: text, medications: medications)
            for q in stated.quantities where !source.quantityKeys.contains(q.key) {
                findings.append(FactFinding(kind: .quantity, text: q.text, section: heading))
            }
            for d in stated.dates where !source.dateKeys.contains(d.key) && !(d.ambiguousKey.map(source.dateKeys.contains) ?? false) {
                findings.append(FactFinding(kind: .date, text: d.text, section: heading))
            }
            for m in stated.medications where !source.medicationKeys.contains(m.lowercased()) {
                findings.append(FactFinding(kind: .medication, text: m, section: heading))
            }
            for w in stated.words where w.count >= 5 && !phrasing.contains(w) && !supportedStems.contains(Facts.stem(w))
                && !medicationWords.contains(w) {
                findings.append(FactFinding(kind: .term, text: w, section: heading))
            }
        }
        return findings
    }

    public static let defaultPhrasing: Set<String> = [
        "admitted", "discharged", "presenting", "presented", "complaint", "complaints", "diagnosis", "diagnosed",
        "history", "treatment", "treated", "investigations", "investigation", "follow", "documented", "patient",
        "reports", "reported", "denies", "states", "stated", "started", "continue", "continued", "prescribed",
        "showed", "revealed", "results", "including", "without", "within", "normal", "given", "daily", "twice",
        "three", "times", "every", "needed", "discharge", "admission", "subjective", "objective", "assessment",
        "examination", "exam", "vitals", "vital", "signs", "taking", "currently", "which", "their", "there",
        "after", "before", "since", "about", "other", "female", "male", "years", "year-old", "months", "weeks",
        "hours", "minutes", "advised", "review", "return", "symptoms", "worsen", "worsening", "plan", "clinic",
        // The SOAP note's own phrasing ("Associated …; denies …", "Allergies: …", "Regular medications: …",
        // "No significant past medical history", "Start …", "Tests: …", "Follow-up with …").
        "associated", "allergies", "allergy", "medications", "medication", "regular", "significant", "medical",
        "previous", "known", "start", "tests", "follow-up",
    ]
}

/// The checkable facts of one text.
struct Facts {
    struct Quantity { let text: String; let key: String }
    struct DateFact { let text: String; let key: String; let ambiguousKey: String? }

    var quantities: [Quantity] = []
    var dates: [DateFact] = []
    var medications: [String] = []
    var words: [String] = []
    var quantityKeys: Set<String> { Set(quantities.map(\.key)) }
    var dateKeys: Set<String> { Set(dates.map(\.key) + dates.compactMap(\.ambiguousKey)) }
    var medicationKeys: Set<String> { Set(medications.map { $0.lowercased() }) }
    var stems: Set<String> { Set(words.map(Facts.stem)) }

    static let unitAliases: [String: String] = [
        "mgs": "mg", "milligrams": "mg", "milligram": "mg", "micrograms": "mcg", "µg": "mcg", "ug": "mcg",
        "ml": "ml", "millilitres": "ml", "milliliters": "ml", "units": "unit", "u": "unit", "iu": "unit",
        "day": "day", "days": "day", "d": "day", "week": "week", "weeks": "week", "wk": "week", "wks": "week",
        "month": "month", "months": "month", "mo": "month", "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "h": "hour",
        "minute": "min", "minutes": "min", "mins": "min", "year": "year", "years": "year", "yrs": "year", "yr": "year",
        "bpm": "bpm", "/min": "/min", "%": "%", "°c": "°c", "c": "°c", "°f": "°f", "f": "°f", "kg": "kg", "g": "g", "l": "l",
        "mmhg": "mmhg", "mmol/l": "mmol/l", "mg/dl": "mg/dl", "mg/l": "mg/l", "g/dl": "g/dl", "ng/l": "ng/l",
        "ng/ml": "ng/ml", "µmol/l": "umol/l", "umol/l": "umol/l", "meq/l": "meq/l", "x10^9/l": "x10^9/l", "mcg": "mcg", "mg": "mg",
        "cm": "cm", "mm": "mm", "mg/kg": "mg/kg", "u/l": "u/l", "iu/l": "u/l", "breaths/min": "/min",
    ]

    init(of text: String, medications lexicon: Set<String>) {
        // Ranges found in the lower-case copy index the original text too, so the copy must keep its layout.
        let lower = Facts.lowercasedKeepingLayout(text)
        // Dates first, so their digits are not read as quantities.
        var masked = lower
        for match in Facts.datePattern.matches(in: lower, range: NSRange(lower.startIndex..., in: lower)) {
            guard let r = Range(match.range, in: lower) else { continue }
            if let d = Facts.normaliseDate(String(lower[r])) {
                dates.append(DateFact(text: String(text[r]), key: d.key, ambiguousKey: d.ambiguous))
                masked.replaceSubrange(r, with: String(repeating: " ", count: lower[r].utf8.count))   // same layout as `text`
            }
        }
        for match in Facts.quantityPattern.matches(in: masked, range: NSRange(masked.startIndex..., in: masked)) {
            guard let r = Range(match.range, in: masked),
                  let numberRange = Range(match.range(at: 1), in: masked) else { continue }
            let number = Facts.normaliseNumber(String(masked[numberRange]))
            var unit = ""
            if let ur = Range(match.range(at: 2), in: masked) { unit = String(masked[ur]) }
            let unitKey = Facts.unitAliases[unit] ?? unit
            // A bare integer without a unit is not a checkable fact (list numbers, counts); ratios and decimals are.
            if unitKey.isEmpty && !number.contains("/") && !number.contains(".") { continue }
            quantities.append(Quantity(text: String(text[r]).trimmingCharacters(in: .whitespaces), key: "\(number) \(unitKey)"))
        }
        for word in Facts.words(masked) {
            if lexicon.contains(word) { medications.append(word) }
            words.append(word)
        }
        // Names of several words ("tranexamic acid", "insulin glargine") are matched as whole phrases.
        for name in lexicon where name.contains(" ") && Facts.containsPhrase(masked, name) { medications.append(name) }
    }

    /// Words as the check compares them: letters and inner hyphens ("co-amoxiclav", "x-ray").
    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { !($0.isLetter || $0 == "-") })
            .map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "-")) }.filter { !$0.isEmpty }
    }

    /// Whether `text` (lower case) holds `phrase` (lower case) as whole words.
    static func containsPhrase(_ text: String, _ phrase: String) -> Bool {
        var start = text.startIndex
        while let r = text.range(of: phrase, range: start..<text.endIndex) {
            let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
            let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
            if !(before.map { $0.isLetter || $0.isNumber } ?? false) && !(after.map { $0.isLetter || $0.isNumber } ?? false) { return true }
            start = text.index(after: r.lowerBound)
        }
        return false
    }

    static let quantityPattern = try! NSRegularExpression(pattern:
        #"(?<![\w.])(\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?)\s*(x10\^9/l|mmol/l|mg/dl|mg/l|g/dl|ng/l|ng/ml|µmol/l|umol/l|meq/l|mg/kg|u/l|iu/l|breaths/min|mmhg|mcg|µg|ug|mg|ml|kg|g|l|units?|iu|%|°c|°f|bpm|/min|days?|d|weeks?|wks?|wk|months?|mo|hours?|hrs?|h|minutes?|mins?|years?|yrs?|cm|mm)?(?![\w])"#)

    static let datePattern = try! NSRegularExpression(pattern:
        #"\b(\d{4}-\d{2}-\d{2}|\d{1,2}-(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*-\d{4}|\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2},? \d{4})\b"#)

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// ISO form of a date; slash dates are ambiguous (US month/day or day/month), so both readings are kept.
    static func normaliseDate(_ s: String) -> (key: String, ambiguous: String?)? {
        func iso(_ y: Int, _ m: Int, _ d: Int) -> String? {
            guard (1...12).contains(m), (1...31).contains(d) else { return nil }
            return String(format: "%04d-%02d-%02d", y, m, d)
        }
        if s.count == 10, s.dropFirst(4).first == "-" {
            let p = s.split(separator: "-").compactMap { Int($0) }
            return p.count == 3 ? iso(p[0], p[1], p[2]).map { ($0, nil) } : nil
        }
        let numeric = s.split(whereSeparator: { $0 == "/" || $0 == "." }).compactMap { Int($0) }
        if numeric.count == 3 {
            let us = iso(numeric[2], numeric[0], numeric[1]), eu = iso(numeric[2], numeric[1], numeric[0])
            if s.contains(".") { return eu.map { ($0, nil) } }
            guard let first = us ?? eu else { return nil }
            return (first, us != nil && eu != nil && us != eu ? eu : nil)
        }
        // "7 mar 2025", "march 7, 2025", and the dashed "07-mar-2025".
        let parts = s.replacingOccurrences(of: ",", with: "").split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init)
        guard parts.count == 3 else { return nil }
        let monthFirst = Int(parts[0]) == nil
        let monthName = monthFirst ? parts[0] : parts[1]
        guard let m = months.firstIndex(where: { monthName.hasPrefix($0) }),
              let d = Int(monthFirst ? parts[1] : parts[0]), let y = Int(parts[2]) else { return nil }
        return iso(y, m + 1, d).map { ($0, nil) }
    }

    /// A number's comparable form, worked on as text: an accession or barcode number has more digits than any
    /// integer type holds, and a double would round two different long numbers to one. Leading zeros of the
    /// whole part and trailing zeros of the fraction go ("007" = "7", "5.50" = "5.5", "5.0" = "5").
    static func normaliseNumber(_ s: String) -> String {
        s.split(separator: "/", omittingEmptySubsequences: false).map { part -> String in
            let pieces = part.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            var whole = pieces[0].drop { $0 == "0" }
            if whole.isEmpty { whole = "0" }
            guard pieces.count == 2 else { return String(whole) }
            var fraction = pieces[1]
            while fraction.last == "0" { fraction = fraction.dropLast() }
            return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
        }.joined(separator: "/")
    }

    /// `text` lower-cased scalar by scalar, keeping a scalar whose lower case would change the text's length
    /// ("İ" becomes "i" and a combining dot): every index of the result is then an index of `text` too.
    static func lowercasedKeepingLayout(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let lower = scalar.properties.lowercaseMapping.unicodeScalars
            if lower.count == 1, let l = lower.first, l.utf8.count == scalar.utf8.count {
                out.append(l)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// A crude stem so "infections" is supported by "infection" and "treated" by "treatment".
    static func stem(_ w: String) -> String {
        for suffix in ["ations", "ation", "ments", "ment", "ings", "ing", "ies", "ed", "es", "s"] where w.count > suffix.count + 3 && w.hasSuffix(suffix) {
            return String(w.dropLast(suffix.count))
        }
        return w
    }
}
