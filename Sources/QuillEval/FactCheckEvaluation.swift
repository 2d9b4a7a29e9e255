import ClinicalDocuments
import Foundation
import QuillPipeline
import SyntheticRecords

/// Precision and recall of the pipeline's `FactChecker` where the truth is known: synthetic references (whose
/// every statement the input supports) with unsupported facts planted into them (`FactPlanting`).
///
/// - A planted fact is found when a finding of the kind it should raise covers it (a changed dose or an invented
///   follow-up interval: a quantity; an added drug: a medication; a shifted date: a date).
/// - A finding on a planted reference is a true positive only when it covers planted text (a planted fact, or
///   the words planted with it: an invented "cardiology clinic" is a true `term` finding) and the same reference
///   without plants does not raise it; any other finding is a false positive, whatever its kind.
/// - Every finding on a clean reference is a false positive.
/// - Recall is counted twice: by a finding of the kind the planted fact should raise (the severity that sends a
///   document to review), and by a finding of any kind (a drug the medication lexicon lacks is only an unknown
///   `term`, which a reviewer sees but which does not send the document to review by default).
public struct FactCheckEvaluation: Sendable, Equatable {
    public struct Counts: Sendable, Equatable {
        /// Planted facts this kind should find, and how many it did.
        public var planted = 0, found = 0
        /// Findings of this kind, and how many of them point at planted text.
        public var findings = 0, trueFindings = 0

        public var recall: Double? { planted > 0 ? Double(found) / Double(planted) : nil }
        public var precision: Double? { findings > 0 ? Double(trueFindings) / Double(findings) : nil }

        static func + (a: Counts, b: Counts) -> Counts {
            Counts(planted: a.planted + b.planted, found: a.found + b.found,
                   findings: a.findings + b.findings, trueFindings: a.trueFindings + b.trueFindings)
        }
    }

    public var records = 0
    public var byKind: [FactFinding.Kind: Counts] = [:]
    public var plantedByPlanting: [FactPlanting.Kind: (planted: Int, found: Int)] = [:]
    /// Planted facts covered by a finding of any kind.
    public var plantedFoundAnyKind = 0
    /// Clean references with at least one finding, and the findings on them.
    public var cleanWithFindings = 0, cleanFindings = 0
    /// A few false positives (kind and text only: synthetic data, but still no whole sentences), for improving the checker.
    public var falsePositiveSamples: [String] = []

    public var overall: Counts { byKind.values.reduce(Counts(), +) }

    public static func == (a: Self, b: Self) -> Bool {
        a.records == b.records && a.byKind == b.byKind && a.cleanFindings == b.cleanFindings && a.cleanWithFindings == b.cleanWithFindings
            && a.plantedFoundAnyKind == b.plantedFoundAnyKind
    }

    /// The kind of finding a planted fact should raise.
    public static func expectedKind(_ k: FactPlanting.Kind) -> FactFinding.Kind {
        switch k {
        case .doseChanged, .followUpInvented: return .quantity
        case .drugAdded: return .medication
        case .dateShifted: return .date
        }
    }

    public init() {}

    /// Measures `checker` on `count` records of `task` from `seed`, with `plants` facts planted into each reference.
    public static func measure(checker: FactChecker, task: DocumentTask, count: Int, seed: UInt64, plants: Int = 2) throws -> FactCheckEvaluation {
        var e = FactCheckEvaluation()
        for record in SyntheticRecords.generate(task: task, count: count, seed: seed) {
            try e.add(record, checker: checker, plants: plants, seed: seed &* 1_000_003 &+ UInt64(record.index))
        }
        return e
    }

    /// Measures `checker` on vocabulary its lexicons do not hold (`HeldOutVocabulary`): the first `count` records
    /// of `task` from `seed` whose input or reference uses a held-out drug or condition, with the added drugs
    /// drawn from the held-out drugs and brand names.
    public static func measureHeldOut(checker: FactChecker, task: DocumentTask, count: Int, seed: UInt64, plants: Int = 2) throws -> FactCheckEvaluation {
        var e = FactCheckEvaluation()
        var index = 0
        // Most records use a held-out word; the bound only stops a vocabulary change from looping for ever.
        while e.records < count, index < count * 50 {
            let record = SyntheticRecords.record(task: task, seed: seed, index: index)
            index += 1
            guard HeldOutVocabulary.isUsed(in: record.input + "\n" + record.reference) else { continue }
            try e.add(record, checker: checker, plants: plants, seed: seed &* 1_000_003 &+ UInt64(record.index), drugs: .heldOut)
        }
        return e
    }

    mutating func add(_ record: SyntheticRecord, checker: FactChecker, plants: Int, seed: UInt64, drugs: FactPlanting.DrugSource = .generator) throws {
        let eval = EvalRecord(record)
        // The checker reads the input as the pipeline does: the document's text after the reader.
        let input = ClinicalPrompt.documentText(try eval.document())
        func findings(_ reference: String) -> [FactFinding] {
            checker.check(sections: Scorer.sections(of: Metrics.modelWrittenPart(of: reference), task: eval.task), input: input)
        }
        records += 1
        let clean = findings(record.reference)
        cleanFindings += clean.count
        if !clean.isEmpty { cleanWithFindings += 1 }
        for f in clean {
            byKind[f.kind, default: Counts()].findings += 1
            if falsePositiveSamples.count < 100000 { falsePositiveSamples.append("\(f.kind.rawValue): \(f.text) [\(f.section)]") }
        }

        let planted = FactPlanting.plant(plants, into: record.reference, input: record.input, seed: seed, drugs: drugs)
        let after = findings(planted.reference)
        var unexplained = clean
        for f in after {
            byKind[f.kind, default: Counts()].findings += 1
            if let i = unexplained.firstIndex(of: f) { unexplained.remove(at: i); continue }
            if planted.planted.contains(where: { Self.covers(f.text, $0.text) || ($0.span.map { Self.covers(f.text, $0) } ?? false) }) {
                byKind[f.kind, default: Counts()].trueFindings += 1
            } else if falsePositiveSamples.count < 100000 {
                falsePositiveSamples.append("\(f.kind.rawValue): \(f.text) [\(f.section)] (planted reference)")
            }
        }
        for p in planted.planted {
            let kind = Self.expectedKind(p.kind)
            let found = after.contains { $0.kind == kind && Self.covers($0.text, p.text) }
            if after.contains(where: { Self.covers($0.text, p.text) }) { plantedFoundAnyKind += 1 }
            byKind[kind, default: Counts()].planted += 1
            if found { byKind[kind, default: Counts()].found += 1 }
            let old = plantedByPlanting[p.kind] ?? (0, 0)
            plantedByPlanting[p.kind] = (old.planted + 1, old.found + (found ? 1 : 0))
        }
    }

    /// Adds another measurement's counts (the two tasks into one report).
    public mutating func merge(_ o: FactCheckEvaluation) {
        records += o.records; cleanFindings += o.cleanFindings; cleanWithFindings += o.cleanWithFindings
        plantedFoundAnyKind += o.plantedFoundAnyKind
        for (k, c) in o.byKind { byKind[k] = (byKind[k] ?? Counts()) + c }
        for (k, v) in o.plantedByPlanting {
            let old = plantedByPlanting[k] ?? (0, 0)
            plantedByPlanting[k] = (old.planted + v.planted, old.found + v.found)
        }
        falsePositiveSamples += o.falsePositiveSamples.prefix(max(0, 100000 - falsePositiveSamples.count))
    }

    /// Whether a finding's text and a planted text are the same statement ("Warfarin" in "warfarin 5 mg PO QD").
    static func covers(_ finding: String, _ planted: String) -> Bool {
        func squeeze(_ s: String) -> String { s.lowercased().filter { !$0.isWhitespace } }
        let f = squeeze(finding), p = squeeze(planted)
        return !f.isEmpty && (p.contains(f) || f.contains(p))
    }

    /// A JSON-ready object (stable keys, for scripts).
    public var json: [String: Any] {
        func counts(_ c: Counts) -> [String: Any] {
            var o: [String: Any] = ["planted": c.planted, "found": c.found, "findings": c.findings, "true_findings": c.trueFindings]
            if let r = c.recall { o["recall"] = r }
            if let p = c.precision { o["precision"] = p }
            return o
        }
        return [
            "records": records, "clean_references_with_findings": cleanWithFindings, "clean_findings": cleanFindings,
            "overall": counts(overall), "planted_found_by_any_kind": plantedFoundAnyKind,
            "by_kind": Dictionary(uniqueKeysWithValues: FactFinding.Kind.allCases.map { ($0.rawValue, counts(byKind[$0] ?? Counts())) }),
            "by_planting": Dictionary(uniqueKeysWithValues: plantedByPlanting.map { ($0.key.rawValue, ["planted": $0.value.planted, "found": $0.value.found]) }),
        ]
    }

    public var table: String {
        func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "–" }
        var lines = ["kind        planted  found  recall  findings  true  precision"]
        for (name, c) in FactFinding.Kind.allCases.map({ ($0.rawValue, byKind[$0] ?? Counts()) }) + [("overall", overall)] {
            lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0)
                + String(format: "%7d  %5d  ", c.planted, c.found) + f(c.recall).padding(toLength: 6, withPad: " ", startingAt: 0)
                + String(format: "  %8d  %4d  ", c.findings, c.trueFindings) + f(c.precision))
        }
        lines.append("records \(records); clean references with any finding \(cleanWithFindings) (\(cleanFindings) findings)")
        lines.append("planted facts covered by a finding of any kind: \(plantedFoundAnyKind)/\(overall.planted)")
        for k in FactPlanting.Kind.allCases { if let v = plantedByPlanting[k] { lines.append("  \(k.rawValue): \(v.found)/\(v.planted) found") } }
        return lines.joined(separator: "\n")
    }
}
