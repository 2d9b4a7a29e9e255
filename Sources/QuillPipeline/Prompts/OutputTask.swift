import ClinicalDocuments

/// What Quill writes for a document, and the sections that make it up. The section list is the contract
/// between the prompt (what the model is asked for), section-structured generation (which headings are
/// written for it), the templates (which render them) and the training data (which teaches them).
public enum OutputTask: String, Sendable, CaseIterable, Codable {
    case dischargeSummary = "discharge-summary"
    case soapNote = "soap-note"

    public init(_ task: DocumentTask) {
        switch task {
        case .dischargeSummary: self = .dischargeSummary
        case .soapNote: self = .soapNote
        }
    }

    /// Title line of the plain-text rendering.
    public var title: String { self == .dischargeSummary ? "Discharge summary" : "SOAP note" }

    public var sections: [SectionSpec] {
        switch self {
        case .dischargeSummary:
            return [SectionSpec("admission", "Admission"), SectionSpec("presenting_complaint", "Presenting complaint"),
                    SectionSpec("diagnosis", "Diagnosis"), SectionSpec("history", "History"),
                    SectionSpec("treatment", "Treatment"), SectionSpec("investigations", "Investigations"),
                    SectionSpec("discharge", "Discharge"), SectionSpec("follow_up", "Follow-up")]
        case .soapNote:
            return [SectionSpec("subjective", "Subjective"), SectionSpec("objective", "Objective"),
                    SectionSpec("assessment", "Assessment"), SectionSpec("plan", "Plan")]
        }
    }
}

/// One section of an output: a key templates use, and the heading the model sees and writes after.
public struct SectionSpec: Sendable, Equatable, Codable {
    public let key: String
    public let heading: String
    public init(_ key: String, _ heading: String) { self.key = key; self.heading = heading }
}

/// The phrase a section holds when the input gives no facts for it (the model is trained to write it;
/// templates and the fact check recognise it).
public let notDocumented = "Not documented."
