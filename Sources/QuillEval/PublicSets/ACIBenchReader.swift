import ClinicalDocuments
import Foundation

/// ACI-Bench (Yim et al., Sci Data 2023): `dataset,encounter_id,dialogue,note`, one whole visit per row. The
/// dialogue's turns carry `[doctor]` / `[patient]` / `[patient_guest]` tags, one turn a line in the released
/// files; tags that run on within a line are split first, so either form reads as turns. The reference is the
/// whole visit note, scored against the text of every section Quill writes.
enum ACIBenchReader {
    static func read(_ url: URL) throws -> [PublicSetDocument] {
        let table = try CSVTable.load(url)
        let id = try table.column("encounter_id"), dialogue = try table.column("dialogue"), note = try table.column("note")
        var seen = Set<String>()
        return try table.rows.map { row in
            let encounter = row.fields[id].trimmingCharacters(in: .whitespaces)
            guard !encounter.isEmpty else { throw table.error(row, "has no encounter_id") }
            guard seen.insert(encounter).inserted else { throw table.error(row, "repeats encounter_id \(encounter)") }
            guard !row.fields[note].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw table.error(row, "has an empty note (the reference)")
            }
            let transcript = DialogueReader.bracketTagsOnTheirOwnLines(row.fields[dialogue])
            return PublicSetDocument(id: encounter, input: TranscriptReading.read(transcript, id: encounter), reference: row.fields[note])
        }
    }
}
