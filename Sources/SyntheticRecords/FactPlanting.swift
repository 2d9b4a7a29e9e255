import Foundation

/// Plants facts the input does not support into a reference, to measure a fact checker on outputs
/// whose errors are known: a dose changed, a drug added, a date shifted, a follow-up invented.
public enum FactPlanting {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case doseChanged = "dose_changed"
        case drugAdded = "drug_added"
        case dateShifted = "date_shifted"
        case followUpInvented = "follow_up_invented"
    }

    public struct Planted: Sendable, Equatable {
        public var kind: Kind
        /// What now stands in the reference and the input does not support ("750 mg", "2025-03-09").
        public var text: String
        /// What it replaced, if anything.
        public var replaced: String?
        /// All the words planted with it, when more than `text` ("cardiology clinic in 6 weeks" for an invented
        /// follow-up whose `text` is "6 weeks"): a finding on any of them points at planted text.
        public var span: String? = nil
    }

    /// Where an added drug comes from: the generator's drug table (which the medication lexicon was built from),
    /// or the drugs the lexicons hold out and brand names (`HeldOutVocabulary`).
    public enum DrugSource: Sendable { case generator, heldOut }

    public struct Result: Sendable, Equatable {
        public var reference: String
        public var planted: [Planted]
    }

    /// A copy of `reference` with up to `count` unsupported facts, each of a kind the reference
    /// allows (a date shift needs a date, a dose change a dose), kinds taken in turn. The patient
    /// and title lines are never touched. Deterministic for a seed.
    public static func plant(_ count: Int, into reference: String, input: String, seed: UInt64, drugs: DrugSource = .generator) -> Result {
        var rng = SplitMix64(seed: seed ^ 0xFAC7_5EED)
        var lines = reference.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var planted: [Planted] = []
        var kinds = rng.shuffled(Kind.allCases)
        var attempts = 0
        while planted.count < count, attempts < count * 8 {
            let kind = kinds[attempts % kinds.count]
            attempts += 1
            if let p = plantOne(kind, &lines, input: input, already: planted, drugs: drugs, &rng) { planted.append(p) }
            if attempts % kinds.count == 0 { kinds = rng.shuffled(Kind.allCases) }
        }
        return Result(reference: lines.joined(separator: "\n"), planted: planted)
    }

    static func bodyLineIndex(_ lines: [String], _ headings: [String]) -> Int? {
        lines.firstIndex { line in headings.contains { line.hasPrefix($0 + ": ") } }
    }

    static func unsupported(_ q: String, _ input: String, _ already: [Planted]) -> Bool {
        !Metrics.unsupportedFacts(output: q, input: input).isEmpty && !already.contains { $0.text == q }
    }

    /// A dose as notes write it: whole numbers without ".0", however many digits (a reference may hold a number
    /// past any integer type); nil for what is no number at all (a dose of 400 digits reads as infinity).
    static func doseText(_ v: Double) -> String? {
        guard v.isFinite else { return nil }
        if let whole = Int(exactly: v) { return String(whole) }
        return v == v.rounded() ? String(format: "%.0f", v) : String(v)
    }

    static func plantOne(_ kind: Kind, _ lines: inout [String], input: String, already: [Planted], drugs: DrugSource, _ rng: inout SplitMix64) -> Planted? {
        switch kind {
        case .doseChanged:
            guard let i = bodyLineIndex(lines, ["Treatment", "Plan", "Subjective"]) else { return nil }
            let doses = Quantities.find(in: lines[i]).filter { q in ["mg", "mcg", "g", "units", "mL"].contains { q.hasSuffix(" " + $0) } }
            // A dose planted earlier (an added drug's) is left as planted.
            guard let old = doses.first(where: { q in !already.contains { FactMatching.contains($0.text, q) } }),
                  let space = old.firstIndex(of: " "), let n = Double(old[..<space].filter { $0 != "," }) else { return nil }
            let unit = old[old.index(after: space)...]
            for factor in rng.shuffled([2.0, 0.5, 3.0, 1.5, 10.0]) {
                guard let number = doseText(n * factor) else { continue }
                let new = "\(number) \(unit)"
                if unsupported(new, input, already), let r = lines[i].range(of: old) {
                    lines[i].replaceSubrange(r, with: new)
                    return Planted(kind: kind, text: new, replaced: old)
                }
            }
            return nil
        case .drugAdded:
            guard let i = bodyLineIndex(lines, ["Treatment", "Plan"]) else { return nil }
            let pool = drugs == .generator ? Drugs.all : HeldOutVocabulary.plantableDrugs
            let candidates = pool.filter { !FactMatching.contains(input, $0.name) && !FactMatching.contains(lines[i], $0.name) }
            for drug in rng.sample(candidates, 5) {
                let regimen = drug.regimens.first { !Quantities.find(in: $0).isEmpty } ?? drug.regimens[0]
                let text = "\(drug.name) \(regimen)"
                guard Quantities.find(in: regimen).contains(where: { unsupported($0, input, already) }) else { continue }
                let body = lines[i].drop { $0 != ":" }.dropFirst(2)
                let heading = lines[i].prefix { $0 != ":" }
                if body == Substring(PlainTextReference.notDocumented) {
                    lines[i] = "\(heading): \(Phrasing.capitalized(text))."
                } else if heading == "Plan" {
                    lines[i] = "\(heading): Start \(text). \(body)"
                } else {
                    lines[i] = "\(heading): \(body.dropLast(body.hasSuffix(".") ? 1 : 0)); \(text)."
                }
                return Planted(kind: kind, text: text, replaced: nil)
            }
            return nil
        case .dateShifted:
            for i in lines.indices where !lines[i].hasPrefix("Patient:") {
                for d in NoteDates.isoDates(in: lines[i]) where !already.map(\.text).contains(d) {
                    guard let date = CalendarDate(iso: Substring(d)) else { continue }
                    for shift in rng.shuffled([-3, -2, -1, 1, 2, 3, 7]) {
                        let new = date.adding(days: shift).iso
                        if !NoteDates.isoDates(in: input).contains(new), let r = lines[i].range(of: d) {
                            lines[i].replaceSubrange(r, with: new)
                            return Planted(kind: kind, text: new, replaced: d)
                        }
                    }
                }
            }
            return nil
        case .followUpInvented:
            // One invented follow-up per reference: a second would overwrite the first.
            guard !already.contains(where: { $0.kind == .followUpInvented }),
                  let i = bodyLineIndex(lines, ["Follow-up", "Plan"]) else { return nil }
            let unsupportedIntervals = (1...12).map { Phrasing.duration($0, "week") } + (2...9).map { Phrasing.duration($0, "month") }
            let options = unsupportedIntervals.filter { unsupported($0, input, already) && !FactMatching.contains(lines[i], $0) }
            guard !options.isEmpty else { return nil }
            let when = rng.pick(options)
            let service = rng.pick(["cardiology clinic", "GP", "surgical clinic", "neurology clinic", "respiratory clinic"])
            if lines[i].hasPrefix("Follow-up: ") {
                lines[i] = "Follow-up: \(Phrasing.capitalized(service)) in \(when)."
            } else {
                // A SOAP plan: replace its follow-up sentence, or add one.
                var sentences = lines[i].dropFirst("Plan: ".count).components(separatedBy: ". ").filter { !$0.isEmpty }
                sentences.removeAll { $0.hasPrefix("Follow-up") }
                let body = sentences.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }.joined(separator: ". ")
                lines[i] = "Plan: \(body). Follow-up with \(service) in \(when)."
            }
            return Planted(kind: kind, text: when, replaced: nil, span: "\(service) in \(when)")
        }
    }
}
