import Foundation
import QuillPipeline

/// The hand-written set's figures for one model: per document and in total.
public struct HandwrittenReport: Sendable {
    public var source: String
    public var scores: [HandwrittenScore]

    public init(source: String, scores: [HandwrittenScore]) { self.source = source; self.scores = scores }

    var n: Double { Double(max(scores.count, 1)) }
    /// Share of outputs with every one of the task's sections.
    public var allSectionsPresentRate: Double { Double(scores.filter { $0.missingSections.isEmpty }.count) / n }
    /// Share of the task's sections that hold text other than "Not documented.", over every output.
    public var documentedSectionShare: Double {
        let total = scores.reduce(0) { $0 + $1.task.sections.count }
        let documented = scores.reduce(0) { $0 + $1.task.sections.count - $1.missingSections.count - $1.undocumentedSections.count }
        return total > 0 ? Double(documented) / Double(total) : 0
    }
    public var reviewRate: Double { Double(scores.filter(\.routedToReview).count) / n }
    public var degenerateRate: Double { Double(scores.filter(\.degenerate).count) / n }
    public var findingsRate: Double { Double(scores.filter { !$0.findings.isEmpty }.count) / n }
    /// Share of outputs stating at least one fact neither the input nor the expected facts hold.
    public var unsupportedRate: Double { Double(scores.filter { $0.unsupportedCount > 0 }.count) / n }
    /// Of the outputs with an unsupported fact, the share the fact check sent to review.
    public var unsupportedRoutedToReview: Double? {
        let u = scores.filter { $0.unsupportedCount > 0 }
        return u.isEmpty ? nil : Double(u.filter(\.routedToReview).count) / Double(u.count)
    }
    public var expectedFactRecall: Double {
        let total = scores.reduce(0) { $0 + $1.expectedTotal }
        return total > 0 ? Double(scores.reduce(0) { $0 + $1.expectedStated }) / Double(total) : 0
    }
    public var findingsByKind: [FactFinding.Kind: Int] {
        Dictionary(uniqueKeysWithValues: FactFinding.Kind.allCases.map { k in (k, scores.reduce(0) { $0 + $1.findings.filter { $0.kind == k }.count }) })
    }

    public var table: String {
        func pct(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
        var lines = ["hand-written set: \(scores.count) documents, \(source)",
                     "file                                 sections  findings  review  unsupported (qty/drug/dx)  expected stated"]
        for s in scores {
            let present = s.task.sections.count - s.missingSections.count
            lines.append(s.file.padding(toLength: 37, withPad: " ", startingAt: 0)
                + "\(present)/\(s.task.sections.count)".padding(toLength: 10, withPad: " ", startingAt: 0)
                + "\(s.findings.count)".padding(toLength: 10, withPad: " ", startingAt: 0)
                + (s.routedToReview ? "yes" : "no").padding(toLength: 8, withPad: " ", startingAt: 0)
                + "\(s.unsupportedQuantities.count)/\(s.unsupportedDrugs.count)/\(s.unsupportedDiagnosis == nil ? 0 : 1)"
                    .padding(toLength: 27, withPad: " ", startingAt: 0)
                + "\(s.expectedStated)/\(s.expectedTotal)")
        }
        let kinds = findingsByKind
        lines += [
            "every section present \(pct(allSectionsPresentRate)); sections documented \(pct(documentedSectionShare))",
            "outputs with a fact-check finding \(pct(findingsRate)) (" + FactFinding.Kind.allCases.map { "\($0.rawValue) \(kinds[$0] ?? 0)" }.joined(separator: ", ") + ")",
            "outputs with an unsupported fact \(pct(unsupportedRate)); of those routed to review: \(unsupportedRoutedToReview.map(pct) ?? "–")",
            "routed to review \(pct(reviewRate)); degenerate \(pct(degenerateRate)); expected facts stated \(pct(expectedFactRecall))",
        ]
        return lines.joined(separator: "\n")
    }

    /// A JSON-ready object; hand-written text only (no patient's), so unsupported facts are listed.
    public var json: [String: Any] {
        [
            "source": source, "documents": scores.count,
            "all_sections_present_rate": allSectionsPresentRate, "documented_section_share": documentedSectionShare,
            "findings_rate": findingsRate, "review_rate": reviewRate, "degenerate_rate": degenerateRate, "unsupported_rate": unsupportedRate,
            "unsupported_routed_to_review": unsupportedRoutedToReview.map { $0 as Any } ?? NSNull(), "expected_fact_recall": expectedFactRecall,
            "findings_by_kind": Dictionary(uniqueKeysWithValues: findingsByKind.map { ($0.key.rawValue, $0.value) }),
            "documents_detail": scores.map { s -> [String: Any] in
                ["file": s.file, "task": s.task.fileName, "missing_sections": s.missingSections,
                 "undocumented_sections": s.undocumentedSections, "routed_to_review": s.routedToReview, "degenerate": s.degenerate,
                 "findings": s.findings.map { ["kind": $0.kind.rawValue, "text": $0.text, "section": $0.section] },
                 "unsupported_quantities": s.unsupportedQuantities, "unsupported_drugs": s.unsupportedDrugs,
                 "unsupported_diagnosis": s.unsupportedDiagnosis.map { $0 as Any } ?? NSNull(),
                 "expected_stated": s.expectedStated, "expected_total": s.expectedTotal]
            },
        ]
    }
}
