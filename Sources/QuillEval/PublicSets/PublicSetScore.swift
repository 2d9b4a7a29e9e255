import ClinicalDocuments
import QuillPipeline
import SyntheticRecords

/// What one output on a public set did.
public struct PublicSetScore: Sendable {
    public var id: String
    /// Against the set's reference; nil for a set without references.
    public var rouge: Metrics.RougeScores?
    /// Whether every required section of the task has its heading in the rendered output.
    public var allSectionsPresent: Bool
    /// Required sections holding text other than "Not documented.", and how many the task requires.
    public var documentedSections: Int, requiredSections: Int
    public var findings: [FactFinding]
    public var needsReview: Bool
    /// The loop the pipeline's repetition check found: a degenerate output.
    public var repetition: RepetitionFinding?
    public var degenerate: Bool { repetition != nil }
    public var seconds: Double

    /// Scores `output` (the pipeline's, for a document of the task `task`) against `reference`, on the part of the
    /// note `scoredSection` names (nil: every section).
    public init(id: String, output: PipelineOutput, task: DocumentTask, reference: String?, scoredSection: SectionSpec?) {
        self.id = id
        rouge = reference.map { Metrics.rouge(reference: $0, candidate: Self.candidate(output.sections.map { ($0.heading, $0.text) }, scoredSection: scoredSection)) }
        let rendered = Scorer.sections(of: Metrics.modelWrittenPart(of: output.text), task: task)
        let required = task.requiredSections
        allSectionsPresent = required.allSatisfy { spec in rendered.contains { $0.heading == spec.heading } }
        documentedSections = required.filter { spec in
            rendered.contains { $0.heading == spec.heading && !$0.text.isEmpty && $0.text != notDocumented }
        }.count
        requiredSections = required.count
        findings = output.findings
        needsReview = output.needsReview
        repetition = output.repetition
        seconds = output.timing.seconds
    }

    /// The text scored against a reference: the model's text of the one section a reference is for (MTS-Dialog),
    /// or of every section, one a line, without Quill's headings (ACI-Bench's whole visit note). The headings are
    /// Quill's, not the model's, and no reference has them in that form.
    public static func candidate(_ sections: [(heading: String, text: String)], scoredSection: SectionSpec?) -> String {
        guard let scoredSection else { return sections.map(\.text).joined(separator: "\n") }
        return sections.first { $0.heading == scoredSection.heading }?.text ?? ""
    }
}
