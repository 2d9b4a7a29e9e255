import ClinicalDocuments
import Foundation

/// MTS-Dialog (Ben Abacha et al., EACL 2023): `ID,section_header,section_text,dialogue`, one snippet of a visit
/// per row, its dialogue in `Doctor: …` / `Patient: …` lines. The reference is the clinician's text of one
/// section, scored against the SOAP section its header maps to (`MTSDialogSections`). A header the mapping does
/// not know is an error naming the row, not a document scored against the wrong section.
enum MTSDialogReader {
    static func read(_ url: URL) throws -> [PublicSetDocument] {
        let table = try CSVTable.load(url)
        let id = try table.column("ID"), header = try table.column("section_header")
        let text = try table.column("section_text"), dialogue = try table.column("dialogue")
        var seen = Set<String>()
        return try table.rows.map { row in
            let snippet = row.fields[id].trimmingCharacters(in: .whitespaces)
            guard !snippet.isEmpty else { throw table.error(row, "has no ID") }
            guard seen.insert(snippet).inserted else { throw table.error(row, "repeats ID \(snippet)") }
            let name = row.fields[header].trimmingCharacters(in: .whitespaces)
            guard let section = MTSDialogSections.section(for: name) else {
                throw table.error(row, "has section_header \"\(name)\", which maps to no SOAP section (known: "
                                  + MTSDialogSections.sectionKeyByHeader.keys.sorted().joined(separator: ", ") + ")")
            }
            guard !row.fields[text].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw table.error(row, "has an empty section_text (the reference)")
            }
            return PublicSetDocument(id: snippet, input: TranscriptReading.read(row.fields[dialogue], id: "mts-\(snippet)"),
                                     reference: row.fields[text], scoredSection: section)
        }
    }
}
