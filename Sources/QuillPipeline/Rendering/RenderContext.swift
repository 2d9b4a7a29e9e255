import ClinicalDocuments
import Foundation

/// Facts about the run that outputs and the provenance carry.
public struct RunFacts: Sendable, Codable, Equatable {
    public var modelID: String
    public var quantization: String
    public var adapterVersion: String?
    public var inputSHA256: String
    public var createdAt: Date

    public init(modelID: String, quantization: String, adapterVersion: String?, inputSHA256: String, createdAt: Date = Date()) {
        self.modelID = modelID; self.quantization = quantization; self.adapterVersion = adapterVersion
        self.inputSHA256 = inputSHA256; self.createdAt = createdAt
    }
}

/// The values a template sees. Patient and encounter facts come only from the document's structured data,
/// never from the model; the model's text is only in `sections`.
public enum RenderContext {
    public static func make(document: ClinicalDocument, note: GeneratedNote, run: RunFacts, documentID: String) -> [String: Any] {
        let p = document.patient
        let (given, family) = splitName(p.name)
        let sexWord = p.sex.map { $0 == .unknown ? nil : $0.rawValue } ?? nil
        var lineParts: [String] = []
        if let n = p.name, !n.isEmpty { lineParts.append(n) }
        if let s = sexWord { lineParts.append(s) }
        if let a = p.ageYears { lineParts.append("\(a) years") }
        if let id = p.id, !id.isEmpty { lineParts.append("MRN \(id)") }

        let codes = Dictionary(note.task.sections.map { ($0.key, $0.loinc ?? "") }, uniquingKeysWith: { a, _ in a })
        let sections = note.sections.enumerated().map { i, s -> [String: Any] in
            ["key": s.key, "heading": s.heading, "text": s.text, "documented": s.text != notDocumented, "loinc": codes[s.key] ?? "",
             // FHIR narrative is XHTML inside a JSON string: XML-escaped here, JSON-escaped by the template.
             "text_xhtml": Escaping.xml(s.text), "last": i == note.sections.count - 1]
        }
        var byKey: [String: String] = [:]
        for s in note.sections { byKey[s.key] = s.text }
        let title = note.task.title
        var lines = [title, "Patient: \(lineParts.isEmpty ? "not identified in the source document" : lineParts.joined(separator: ", "))"]
        lines += note.sections.map { "\($0.heading): \($0.text)" }

        let utc = TimeZone(identifier: "UTC")!
        func format(_ f: String, _ date: Date) -> String {
            let df = DateFormatter(); df.locale = Locale(identifier: "en_US_POSIX"); df.timeZone = utc; df.dateFormat = f
            return df.string(from: date)
        }
        let birthCompact = p.birthDate.map { $0.replacingOccurrences(of: "-", with: "") }
        let loinc = note.task.documentCode

        var patient: [String: Any] = [
            "line": lineParts.joined(separator: ", "),
            "sex_code": p.sex.map { ["female": "F", "male": "M", "other": "UN", "unknown": "UNK"][$0.rawValue]! } ?? "UNK",
            "sex_hl7": p.sex.map { ["female": "F", "male": "M", "other": "O", "unknown": "U"][$0.rawValue]! } ?? "U",
            "sex_fhir": p.sex?.rawValue ?? "unknown",
        ]
        if let n = p.name, !n.isEmpty { patient["name"] = n }
        if let g = given { patient["given"] = g }
        if let f = family { patient["family"] = f }
        if let id = p.id, !id.isEmpty { patient["id"] = id }
        if let b = p.birthDate { patient["birth_date"] = b }
        if let b = birthCompact { patient["birth_date_compact"] = b }
        if let s = sexWord { patient["sex"] = s }
        if let a = p.ageYears { patient["age"] = a }

        var encounter: [String: Any] = [:]
        if let a = document.encounter.admission { encounter["admission"] = a; encounter["admission_compact"] = compactDate(a) }
        if let d = document.encounter.discharge { encounter["discharge"] = d; encounter["discharge_compact"] = compactDate(d) }

        return [
            "title": title, "task": note.task.fileName, "document_id": documentID,
            "composition_uuid": UUID().uuidString.lowercased(), "patient_uuid": UUID().uuidString.lowercased(),
            "device_uuid": UUID().uuidString.lowercased(),
            "loinc_code": loinc.0, "loinc_name": loinc.1,
            "created": ISO8601DateFormatter().string(from: run.createdAt),
            "created_compact": format("yyyyMMddHHmmss", run.createdAt),
            "control_id": String(documentID.replacingOccurrences(of: "-", with: "").prefix(20)),
            "patient": patient, "encounter": encounter,
            "sections": sections, "section": byKey,
            "lines": lines.enumerated().map { ["index": $0.offset + 1, "text": $0.element] },
            "model": ["id": run.modelID, "quantization": run.quantization, "adapter": run.adapterVersion ?? "none"],
            "source_file": (document.sourceFile as NSString).lastPathComponent,
            "input_sha256": run.inputSHA256,
        ]
    }

    /// "2025-03-07" or "2025-03-07T10:00" → "20250307" / "202503071000" (HL7 and CDA timestamps); other forms pass through digits only.
    static func compactDate(_ s: String) -> String { String(s.filter(\.isNumber).prefix(14)) }

    /// "Given Family" or "Family, Given" → (given, family); one word is a family name.
    static func splitName(_ name: String?) -> (String?, String?) {
        guard let name = name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { return (nil, nil) }
        if let comma = name.firstIndex(of: ",") {
            return (name[name.index(after: comma)...].trimmingCharacters(in: .whitespaces), String(name[..<comma]))
        }
        let words = name.split(separator: " ")
        guard words.count > 1, let family = words.last else { return (nil, name) }
        return (words.dropLast().joined(separator: " "), String(family))
    }
}
