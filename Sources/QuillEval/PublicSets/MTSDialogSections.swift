import ClinicalDocuments

/// Which section of Quill's SOAP note holds the text of each MTS-Dialog section header. This mapping is Quill's:
/// MTS-Dialog's own baselines generate the one section from the dialogue, while Quill writes a whole SOAP note
/// and the section the header maps to is scored against the clinician's text.
public enum MTSDialogSections {
    /// Every header the released files use (the 20 of MTS-Dialog's README), by the key of the SOAP section.
    public static let sectionKeyByHeader: [String: String] = [
        // What the patient tells: history in all its parts.
        "GENHX": "subjective", "CC": "subjective", "ROS": "subjective", "PASTMEDICALHX": "subjective",
        "PASTSURGICAL": "subjective", "FAM/SOCHX": "subjective", "ALLERGY": "subjective", "MEDICATIONS": "subjective",
        "OTHER_HISTORY": "subjective", "GYNHX": "subjective", "IMMUNIZATIONS": "subjective",
        // What was found: examination and results.
        "EXAM": "objective", "LABS": "objective", "IMAGING": "objective",
        "ASSESSMENT": "assessment", "DIAGNOSIS": "assessment",
        // What was and will be done.
        "PLAN": "plan", "DISPOSITION": "plan", "EDCOURSE": "plan", "PROCEDURES": "plan",
    ]

    /// The SOAP section a header maps to; nil for a header the mapping does not know.
    public static func section(for header: String) -> SectionSpec? {
        guard let key = sectionKeyByHeader[header] else { return nil }
        return DocumentTask.soapNote.sections.first { $0.key == key }
    }
}
