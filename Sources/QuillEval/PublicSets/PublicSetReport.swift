import Foundation
import QuillPipeline

/// One set's figures: means over the documents that gave an output, and every document that did not, by id.
public struct PublicSetReport: Sendable {
    public struct Failure: Sendable, Equatable {
        public var id: String, reason: String
    }

    public var set: PublicSet
    public var scores: [PublicSetScore]
    public var failures: [Failure]

    public init(set: PublicSet, scores: [PublicSetScore], failures: [Failure]) {
        self.set = set; self.scores = scores; self.failures = failures
    }

    public var documents: Int { scores.count + failures.count }

    /// The mean of `f` over the outputs; nil when there are none (or `f` has no value for one of them).
    func mean(_ f: (PublicSetScore) -> Double?) -> Double? {
        let values = scores.compactMap(f)
        guard !values.isEmpty, values.count == scores.count else { return nil }
        return values.reduce(0, +) / Double(values.count)
    }

    public var rouge1: Double? { mean { $0.rouge?.rouge1.f1 } }
    public var rouge2: Double? { mean { $0.rouge?.rouge2.f1 } }
    public var rougeL: Double? { mean { $0.rouge?.rougeL.f1 } }
    public var allSectionsPresentRate: Double? { mean { $0.allSectionsPresent ? 1 : 0 } }
    public var documentedSectionShare: Double? {
        let required = scores.reduce(0) { $0 + $1.requiredSections }
        return required > 0 ? Double(scores.reduce(0) { $0 + $1.documentedSections }) / Double(required) : nil
    }
    public var findingsPerOutput: Double? { mean { Double($0.findings.count) } }
    /// nil when there are no outputs.
    public var findingsPerOutputByKind: [FactFinding.Kind: Double]? {
        guard !scores.isEmpty else { return nil }
        return Dictionary(uniqueKeysWithValues: FactFinding.Kind.allCases.map { kind in
            (kind, Double(scores.reduce(0) { $0 + $1.findings.filter { $0.kind == kind }.count }) / Double(scores.count))
        })
    }
    public var reviewRate: Double? { mean { $0.needsReview ? 1 : 0 } }
    /// Outputs the pipeline's repetition check found looping.
    public var degenerateOutputs: Int { scores.filter(\.degenerate).count }
    public var meanSeconds: Double? { mean(\.seconds) }

    /// JSON-ready, keys stable for scripts; a figure with nothing to average is null.
    public var json: [String: Any] {
        func value(_ x: Double?) -> Any { x.map { $0 as Any } ?? NSNull() }
        let rouge: Any = set.hasReferences ? ["rouge1_f1": value(rouge1), "rouge2_f1": value(rouge2), "rougeL_f1": value(rougeL)] : NSNull()
        return [
            "set": set.rawValue, "documents": documents, "outputs": scores.count,
            "errors": failures.map { ["id": $0.id, "error": $0.reason] },
            "rouge": rouge,
            "all_sections_present_rate": value(allSectionsPresentRate), "documented_section_share": value(documentedSectionShare),
            "findings_per_output": value(findingsPerOutput),
            "findings_per_output_by_kind": findingsPerOutputByKind.map { kinds in
                Dictionary(uniqueKeysWithValues: kinds.map { ($0.key.rawValue, $0.value) }) as Any
            } ?? NSNull(),
            "review_rate": value(reviewRate),
            "degenerate_outputs": degenerateOutputs,
            "mean_seconds_per_document": value(meanSeconds),
        ]
    }
}

/// Every set's report for one model, as a table or one JSON object.
public struct PublicEvalReport: Sendable {
    public var source: String
    public var sets: [PublicSetReport]

    public init(source: String, sets: [PublicSetReport]) { self.source = source; self.sets = sets }

    public var json: [String: Any] { ["source": source, "sets": sets.map(\.json)] }

    /// One row per set; "–" where a figure does not apply (no references, no outputs).
    /// Then the findings by kind and every document without an output, so that none is left out unseen.
    public var table: String {
        func f(_ x: Double?, _ digits: Int = 3) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "–" }
        func pct(_ x: Double?) -> String { x.map { String(format: "%.0f%%", $0 * 100) } ?? "–" }
        let columns = ["set", "docs", "errors", "ROUGE-1", "ROUGE-2", "ROUGE-L", "sections", "documented", "findings/out", "review", "degenerate", "s/doc"]
        var rows = [columns]
        for r in sets {
            rows.append([r.set.rawValue, "\(r.documents)", "\(r.failures.count)", f(r.rouge1), f(r.rouge2), f(r.rougeL),
                         pct(r.allSectionsPresentRate), pct(r.documentedSectionShare), f(r.findingsPerOutput, 2), pct(r.reviewRate),
                         "\(r.degenerateOutputs)", f(r.meanSeconds, 1)])
        }
        let widths = columns.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = ["public sets, \(source)"]
        lines += rows.map { row in
            row.enumerated().map { c, cell in c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                                                     : String(repeating: " ", count: widths[c] - cell.count) + cell }
                .joined(separator: "  ")
        }
        lines.append("findings per output by kind:")
        for r in sets {
            let kinds = r.findingsPerOutputByKind
            lines.append("  \(r.set.rawValue): " + FactFinding.Kind.allCases.map { "\($0.rawValue) \(f(kinds?[$0], 2))" }.joined(separator: ", "))
        }
        for r in sets where !r.failures.isEmpty {
            lines.append("errors in \(r.set.rawValue) (\(r.failures.count) of \(r.documents), left out of the figures above):")
            lines += r.failures.map { "  \($0.id): \($0.reason)" }
        }
        return lines.joined(separator: "\n")
    }
}
