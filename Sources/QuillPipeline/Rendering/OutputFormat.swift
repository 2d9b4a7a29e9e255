import ClinicalDocuments
/// The five formats Quill writes; each is a template `templates/<task>.<format>.mustache` a hospital can edit.
public enum OutputFormat: String, Sendable, CaseIterable, Codable {
    case text = "txt"
    case markdown = "md"
    case cda = "cda.xml"
    case hl7 = "hl7"
    case fhir = "fhir.json"

    /// The file name extension, which is also the template's middle name.
    public var fileExtension: String { rawValue }

    /// How values are escaped inside this format's template (`{{% CONTENT_TYPE: … }}` is set for it).
    var contentType: String {
        switch self {
        case .text, .markdown: return "TEXT"
        case .cda: return "QUILL_XML"
        case .hl7: return "QUILL_HL7"
        case .fhir: return "QUILL_JSON"
        }
    }

    /// `<stem>.<task>.<ext>`, e.g. `note-17.discharge-summary.cda.xml`.
    public func fileName(stem: String, task: DocumentTask) -> String { "\(stem).\(task.fileName).\(fileExtension)" }
}
