import ClinicalDocuments
import Foundation

/// Writes records as document files beside their references: `<id>.txt`, `<id>.hl7` or `<id>.xml`,
/// and `<id>.reference.txt`. Discharge records rotate through text, HL7 v2 (MDM^T02 and ORU^R01 in
/// turn) and CDA by their index; dialogues are text transcripts.
public enum RecordFiles {
    public enum Format: String, Sendable { case text, hl7, cda }

    public static func format(of r: SyntheticRecord) -> Format {
        guard r.task == .dischargeSummary else { return .text }
        return [Format.text, .hl7, .cda][r.index % 3]
    }

    /// The document file's name and content for a record.
    public static func document(_ r: SyntheticRecord) -> (name: String, content: String) {
        switch format(of: r) {
        case .text: return ("\(r.id).txt", TextDocument.render(r))
        case .hl7: return ("\(r.id).hl7", HL7Document.render(r, as: (r.index / 3) % 2 == 0 ? .mdmT02 : .oruR01))
        case .cda: return ("\(r.id).xml", CDADocument.render(r))
        }
    }

    /// The record as the daemon receives it: its document file read back by the daemon's own readers. Training
    /// pairs and evaluation both start here, so they see every input format the way serving does.
    public static func readBack(_ r: SyntheticRecord) throws -> ClinicalDocument {
        let (name, content) = document(r)
        let results = ClinicalDocumentReader.read(bytes: Array(content.utf8), fileName: name)
        guard results.count == 1 else { throw DocumentError(file: name, problem: .empty) }
        return try results[0].get()
    }

    /// Writes every record's document and reference into `directory` (created if missing) and
    /// returns the document files' URLs in record order.
    @discardableResult
    public static func write(_ records: [SyntheticRecord], to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var urls: [URL] = []
        for r in records {
            let (name, content) = document(r)
            let url = directory.appendingPathComponent(name)
            try Data(content.utf8).write(to: url, options: .atomic)
            try Data(r.reference.utf8).write(to: directory.appendingPathComponent("\(r.id).reference.txt"), options: .atomic)
            urls.append(url)
        }
        return urls
    }
}
