/// The two outputs Quill writes, with their fixed section headings in order (DESIGN.md, "Tasks and formats").
public enum ReferenceTask: String, Sendable, Codable, CaseIterable {
    case dischargeSummary = "discharge-summary"
    case soapNote = "soap-note"

    /// The first line of the plain-text output.
    public var title: String {
        switch self {
        case .dischargeSummary: return "Discharge summary"
        case .soapNote: return "SOAP note"
        }
    }

    public var headings: [String] {
        switch self {
        case .dischargeSummary:
            return ["Admission", "Presenting complaint", "Diagnosis", "History", "Treatment", "Investigations", "Discharge", "Follow-up"]
        case .soapNote:
            return ["Subjective", "Objective", "Assessment", "Plan"]
        }
    }
}

/// One section of a reference: a fixed heading and a one-line body.
public struct ReferenceSection: Sendable, Codable, Equatable {
    public var heading: String
    public var text: String

    public init(heading: String, text: String) { self.heading = heading; self.text = text }
}
