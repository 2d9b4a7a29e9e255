import ClinicalDocuments
import Foundation
import QuillPipeline
import SyntheticRecords

/// What one output for a hand-written document did.
public struct HandwrittenScore: Sendable, Equatable {
    public var file: String
    public var task: DocumentTask
    /// The task's sections missing from the output, and those it holds only as "Not documented.".
    public var missingSections: [String], undocumentedSections: [String]
    /// What the pipeline's fact check reported, and whether the output went to review.
    public var findings: [FactFinding]
    public var routedToReview: Bool
    /// Whether the repetition check found a loop (which alone sends the output to review).
    public var degenerate: Bool
    /// Quantities and dates the output states that neither the input nor the expected facts hold.
    public var unsupportedQuantities: [String]
    /// Drug names (lexicon, generator and brand names) the output states that the input does not name and the
    /// expected drugs do not list.
    public var unsupportedDrugs: [String]
    /// The diagnosis or assessment when it states none of the expected diagnoses.
    public var unsupportedDiagnosis: String?
    /// Expected facts (diagnoses, drugs, quantities) the output states, of all expected.
    public var expectedStated: Int, expectedTotal: Int

    public var unsupportedCount: Int { unsupportedQuantities.count + unsupportedDrugs.count + (unsupportedDiagnosis == nil ? 0 : 1) }
}

/// Scores outputs for hand-written documents against the facts written down for each (`HandwrittenSet.Case`).
public struct HandwrittenScorer: Sendable {
    /// Names the scorer recognises as drugs in an output, lower case.
    public let drugNames: [String]

    public init(checker: FactChecker) {
        drugNames = Array(checker.medications.union(HeldOutVocabulary.allDrugNames.map { $0.lowercased() })).sorted()
    }

    /// `output` is the rendered plain-text output; `input` the document's text after the reader, as the fact
    /// check reads it.
    public func score(_ c: HandwrittenSet.Case, output: String, input: String, findings: [FactFinding], routedToReview: Bool,
                      degenerate: Bool = false) -> HandwrittenScore {
        let written = Metrics.modelWrittenPart(of: output)
        let sections = Scorer.sections(of: written, task: c.task)
        let headings = c.task.sections.map(\.heading)
        let missing = headings.filter { h in !sections.contains { $0.heading == h } }
        let undocumented = headings.filter { h in sections.contains { $0.heading == h && ($0.text.isEmpty || $0.text == notDocumented) } }

        let expectedQuantities = Set(c.facts.map(Quantities.canonical))
        let unsupportedQuantities = Metrics.unsupportedFacts(output: written, input: input).filter { q in
            !expectedQuantities.contains(Quantities.canonical(q)) && !c.facts.contains { FactMatching.contains($0, q) }
        }
        let expectedDrugs = Set(c.drugs.flatMap { $0.lowercased().split(separator: "|").map(String.init) })
        let unsupportedDrugs = drugNames.filter { name in
            FactMatching.contains(written, name) && !FactMatching.contains(input, name) && !expectedDrugs.contains(name)
                // "amoxicillin" inside a stated "co-amoxiclav" line is still that drug's name, but a longer known
                // name that holds it ("insulin" in "insulin glargine") is counted once, as the longer name.
                && !drugNames.contains { $0 != name && $0.contains(name) && FactMatching.contains(written, $0) }
        }

        let diagnosisHeading = c.task == .soapNote ? "Assessment" : "Diagnosis"
        var unsupportedDiagnosis: String?
        if let d = sections.first(where: { $0.heading == diagnosisHeading }), d.text != notDocumented, !d.text.isEmpty,
           !c.diagnoses.isEmpty, !c.diagnoses.contains(where: { Self.statesAny($0, in: d.text) }) {
            unsupportedDiagnosis = d.text
        }

        let stated = c.diagnoses.filter { Self.statesAny($0, in: written) }.count
            + c.drugs.filter { Self.statesAny($0, in: written) }.count
            + c.facts.filter { f in FactMatching.contains(written, f) || NoteDates.isoDates(in: written).contains(f) }.count
        return HandwrittenScore(
            file: c.file, task: c.task, missingSections: missing, undocumentedSections: undocumented, findings: findings,
            routedToReview: routedToReview, degenerate: degenerate, unsupportedQuantities: unsupportedQuantities, unsupportedDrugs: unsupportedDrugs,
            unsupportedDiagnosis: unsupportedDiagnosis, expectedStated: stated,
            expectedTotal: c.diagnoses.count + c.drugs.count + c.facts.count)
    }

    /// Whether `text` states one of the `|`-separated alternatives.
    static func statesAny(_ alternatives: String, in text: String) -> Bool {
        alternatives.split(separator: "|").contains { FactMatching.contains(text, String($0)) }
    }
}
