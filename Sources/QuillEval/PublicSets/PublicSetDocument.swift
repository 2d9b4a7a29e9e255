import ClinicalDocuments

/// One document of a public evaluation set: what the pipeline reads, and what its output is scored against.
public struct PublicSetDocument: Sendable {
    /// The document as the pipeline reads it, or why the readers refused it (reported as an error, never skipped).
    public enum Input: Sendable {
        case document(ClinicalDocument)
        case refused(String)
    }

    /// The set's own identifier (ACI-Bench `encounter_id`, MTS-Dialog `ID`), or the file's path in its folder.
    public let id: String
    public let input: Input
    /// The clinician's text the output is scored against; nil for the sets that have none (C-CDA, HL7 v2).
    public let reference: String?
    /// The section of Quill's note whose text is scored (MTS-Dialog: the one its header maps to); nil: the text
    /// of every section.
    public let scoredSection: SectionSpec?

    public init(id: String, input: Input, reference: String? = nil, scoredSection: SectionSpec? = nil) {
        self.id = id; self.input = input; self.reference = reference; self.scoredSection = scoredSection
    }
}
