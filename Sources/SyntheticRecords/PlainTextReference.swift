import ClinicalDocuments
/// Quill's plain-text output, in one function so the pipeline's text template and the synthetic
/// references can never drift apart:
///
///     Discharge summary
///     Patient: Joseph Morton, female, 36 years, MRN 4821937
///     Admission: Admitted on 2025-03-07.
///     …
///     Follow-up: Not documented.
///
/// The patient line comes from structured data only (the model never writes it); unknown parts are
/// left out. Every heading of the task appears once, in the task's order; a section with no text is
/// `Not documented.`; a body is always one line.
public enum PlainTextReference {
    public static let notDocumented = "Not documented."

    /// What the patient line may say, each part optional.
    public struct PatientLine: Sendable, Equatable {
        public var name: String?
        public var sex: String?
        public var ageYears: Int?
        public var mrn: String?

        public init(name: String? = nil, sex: String? = nil, ageYears: Int? = nil, mrn: String? = nil) {
            self.name = name; self.sex = sex; self.ageYears = ageYears; self.mrn = mrn
        }

        /// "Joseph Morton, female, 36 years, MRN 4821937"; "Not documented." when nothing is known.
        public var text: String {
            var parts: [String] = []
            if let name, !name.isEmpty { parts.append(name) }
            if let sex, !sex.isEmpty { parts.append(sex) }
            if let ageYears { parts.append(ageYears == 1 ? "1 year" : "\(ageYears) years") }
            if let mrn, !mrn.isEmpty { parts.append("MRN \(mrn)") }
            return parts.isEmpty ? PlainTextReference.notDocumented : parts.joined(separator: ", ")
        }
    }

    public static func render(task: DocumentTask, patient: PatientLine, sections: [ReferenceSection]) -> String {
        var lines = [task.title, "Patient: \(patient.text)"]
        for heading in task.headings {
            let body = sections.first { $0.heading == heading }.map { oneLine($0.text) } ?? ""
            lines.append("\(heading): \(body.isEmpty ? notDocumented : body)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Line breaks inside a body become spaces, so a section is always one line.
    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        guard let a = firstIndex(where: { !$0.isWhitespace }), let b = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[a...b])
    }
}
