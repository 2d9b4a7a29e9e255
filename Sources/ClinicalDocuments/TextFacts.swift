/// Patient and encounter facts that plain-text notes state in passing: labelled header lines
/// ("Name: …", "MRN: …", "DOB: …", "Admission date: …") and the clinician's shorthand
/// ("36 y/o female", "58 year old male", "45F", "adm 2025-03-07", "d/c 2025-03-10").
/// Dates are kept as ISO 8601 when written as YYYY-MM-DD, else exactly as written: a date like
/// 03/07/2025 is ambiguous between countries and is not reinterpreted.
enum TextFacts {
    static func extract(from text: String, into doc: inout ClinicalDocument) {
        var p = doc.patient, e = doc.encounter
        for rawLine in TextLines.lines(text).prefix(400) {
            let line = Substring(rawLine.trimmedWhitespaceSub)
            guard let colon = line.firstIndex(of: ":") else { continue }
            let label = line[..<colon].lowercased().trimmedWhitespace
            let value = String(line[line.index(after: colon)...]).trimmedWhitespace
            guard !value.isEmpty, value.count <= 80 else { continue }
            switch label {
            case "name", "patient", "patient name", "pt name", "pt":
                if p.name == nil, looksLikeName(value) { p.name = value }
            case "mrn", "patient id", "id", "hospital number", "nhs number", "record number", "medical record number", "hospital no":
                if p.id == nil { p.id = value }
            case "dob", "d.o.b", "d.o.b.", "date of birth", "birth date":
                if p.birthDate == nil { p.birthDate = isoDate(value) ?? value }
            case "sex", "gender":
                if p.sex == nil { p.sex = sex(value) }
            case "admitted", "admission date", "date of admission", "admission", "adm", "adm date":
                if e.admission == nil { e.admission = isoDate(value) ?? value }
            case "discharged", "discharge date", "date of discharge", "d/c date":
                if e.discharge == nil { e.discharge = isoDate(value) ?? value }
            case "ward", "location", "unit", "department":
                if e.location == nil { e.location = value }
            default: continue
            }
        }
        let words = tokens(String(text.prefix(4000)))
        if p.sex == nil || p.ageYears == nil, let (age, s) = ageAndSex(words) {
            if p.ageYears == nil, p.birthDate == nil { p.ageYears = age }
            if p.sex == nil { p.sex = s }
        }
        if e.admission == nil { e.admission = dateAfter(["adm", "admitted", "admission"], words) }
        if e.discharge == nil { e.discharge = dateAfter(["d/c", "discharged", "dc'd", "discharge"], words) }
        doc.patient = p
        doc.encounter = e
    }

    static func looksLikeName(_ s: String) -> Bool {
        let parts = s.split(separator: " ")
        return (1...5).contains(parts.count) && s.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || $0 == " " || $0 == "-" || $0 == "'" || $0 == "." || $0 == ","
        }
    }

    static func sex(_ s: String) -> Sex? {
        switch s.lowercased().trimmedWhitespace {
        case "f", "female", "woman", "girl": return .female
        case "m", "male", "man", "boy": return .male
        default: return nil
        }
    }

    /// Words, lower-cased, split at blank space and commas; a trailing full stop is dropped.
    static func tokens(_ s: String) -> [String] {
        s.lowercased().split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "," || $0 == ";" || $0 == "(" || $0 == ")" })
            .map { $0.hasSuffix(".") && $0.count > 1 ? String($0.dropLast()) : String($0) }
    }

    /// "36 y/o female", "36yo f", "58 year old male", "58-year-old man", "45f", "45 m".
    static func ageAndSex(_ w: [String]) -> (Int?, Sex?)? {
        let ageMarkers: Set<String> = ["y/o", "yo", "y.o", "yr", "yrs", "year", "years", "year-old", "years-old", "yr-old"]
        for i in w.indices {
            let word = w[i]
            // "45f" / "45m"
            if word.count >= 2, word.count <= 4, let last = word.last, last == "f" || last == "m",
               let n = Int(word.dropLast()), (0...120).contains(n) {
                return (n, last == "f" ? .female : .male)
            }
            var number: Int? = Int(word)
            var j = i + 1
            // "58-year-old" in one token
            if number == nil, let dash = word.firstIndex(of: "-"), let n = Int(word[..<dash]),
               ageMarkers.contains(String(word[word.index(after: dash)...])) || word.hasSuffix("-year-old") {
                number = n
            } else if number != nil, j < w.count, ageMarkers.contains(w[j]) {
                j += 1
                if j < w.count, w[j] == "old" { j += 1 }
            } else if number != nil, j < w.count, let s = sex(w[j]) {
                return (number.flatMap { (0...120).contains($0) ? $0 : nil }, s)   // "45 m"
            } else {
                continue
            }
            guard let n = number, (0...120).contains(n) else { continue }
            let s = j < w.count ? sex(w[j]) : nil
            return (n, s)
        }
        return nil
    }

    /// The date after a marker word: "adm 2025-03-07", "admitted on 2025-03-07", "d/c: 10/03/2025".
    static func dateAfter(_ markers: Set<String>, _ w: [String]) -> String? {
        for i in w.indices where markers.contains(w[i].hasSuffix(":") ? String(w[i].dropLast()) : w[i]) {
            var j = i + 1
            if j < w.count, w[j] == "on" || w[j] == "date" || w[j] == ":" { j += 1 }
            guard j < w.count else { continue }
            let candidate = w[j]
            if let iso = isoDate(candidate) { return iso }
            if looksLikeSlashDate(candidate) { return candidate }
        }
        return nil
    }

    /// YYYY-MM-DD with a real month and day, returned as is.
    static func isoDate(_ s: String) -> String? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1800...2200).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
        return "\(parts[0])-\(parts[1])-\(parts[2])"
    }

    static func looksLikeSlashDate(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isNumber) }
    }
}
