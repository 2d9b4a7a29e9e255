/// What Quill writes from a document, and the sections that make it up (DESIGN.md, "Tasks and formats"). The one
/// definition the readers (which choose a task), the pipeline (prompt, section-structured generation, templates),
/// the synthetic records (references and training pairs) and the evaluation share, so that none of them can drop
/// or rename a section the others expect.
public enum DocumentTask: String, Sendable, CaseIterable {
    /// The raw value is the configuration's and `quill inspect`'s spelling (`tasks.clinical_note = "soap_note"`).
    case dischargeSummary = "discharge_summary"
    case soapNote = "soap_note"

    /// The default task for a kind: a dialogue becomes a SOAP note, anything else a discharge summary.
    public static func defaultTask(for kind: DocumentKind) -> DocumentTask {
        kind == .dialogue ? .soapNote : .dischargeSummary
    }

    /// The spelling in file names, provenance and data sets: outputs `<stem>.discharge-summary.txt`, templates
    /// `discharge-summary.txt.mustache`, the `task` of `quill synth` and `quill eval` lines.
    public var fileName: String {
        switch self {
        case .dischargeSummary: return "discharge-summary"
        case .soapNote: return "soap-note"
        }
    }

    /// Either spelling: the raw value or the file-name one.
    public init?(name: String) {
        guard let task = DocumentTask(rawValue: name) ?? DocumentTask.allCases.first(where: { $0.fileName == name }) else { return nil }
        self = task
    }

    /// The first line of the plain-text output.
    public var title: String {
        switch self {
        case .dischargeSummary: return "Discharge summary"
        case .soapNote: return "SOAP note"
        }
    }

    /// The LOINC document type the outputs carry (C-CDA `code`, FHIR Composition `type`, HL7 OBX).
    public var documentCode: (code: String, name: String) {
        switch self {
        case .dischargeSummary: return ("18842-5", "Discharge summary")
        case .soapNote: return ("11506-3", "Progress note")
        }
    }

    /// The sections, in the order the model writes them. A required section is in every output (holding
    /// "Not documented." when the input has nothing for it) and in every training pair.
    public var sections: [SectionSpec] {
        switch self {
        case .dischargeSummary:
            return [SectionSpec("admission", "Admission", loinc: nil),
                    SectionSpec("presenting_complaint", "Presenting complaint", loinc: "10154-3"),
                    SectionSpec("diagnosis", "Diagnosis", loinc: "11535-2"),
                    SectionSpec("history", "History", loinc: "11348-0"),
                    SectionSpec("treatment", "Treatment", loinc: nil),
                    SectionSpec("investigations", "Investigations", loinc: "30954-2"),
                    SectionSpec("discharge", "Discharge", loinc: nil),
                    SectionSpec("follow_up", "Follow-up", loinc: "18776-5")]
        case .soapNote:
            return [SectionSpec("subjective", "Subjective", loinc: "61150-9"),
                    SectionSpec("objective", "Objective", loinc: "61149-1"),
                    SectionSpec("assessment", "Assessment", loinc: "51848-0"),
                    SectionSpec("plan", "Plan", loinc: "18776-5")]
        }
    }

    public var headings: [String] { sections.map(\.heading) }
    public var requiredSections: [SectionSpec] { sections.filter(\.required) }
}

/// Written with the raw value; read in either spelling, since data sets and the evaluation's files use the
/// file-name one (`"task": "discharge-summary"`).
extension DocumentTask: Codable {
    public init(from decoder: Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let task = DocumentTask(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "\"\(name)\" is not a task; use one of \(DocumentTask.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        self = task
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// One section of an output: the key templates use (`{{section.follow_up}}`), the heading the model sees and
/// writes after, its LOINC section code where one names it (`nil` for admission, treatment and discharge, which
/// C-CDA tells together as the hospital course, 8648-8), and whether every output and training pair must hold it.
public struct SectionSpec: Sendable, Equatable, Codable {
    public let key: String
    public let heading: String
    public let loinc: String?
    public let required: Bool

    public init(_ key: String, _ heading: String, loinc: String?, required: Bool = true) {
        self.key = key; self.heading = heading; self.loinc = loinc; self.required = required
    }
}
