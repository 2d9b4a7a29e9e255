import ClinicalDocuments

/// A data set's transcript read as the daemon reads an inbox file marked as a dialogue (`<id>.dialogue.txt`):
/// the same kind override, encoding detection and limits, so the evaluation measures the daemon's path. The
/// marker matters: some MTS-Dialog snippets are one exchange, which content detection alone reads as a note.
enum TranscriptReading {
    static func read(_ text: String, id: String) -> PublicSetDocument.Input {
        let results = ClinicalDocumentReader.read(bytes: Array(text.utf8), fileName: "\(fileStem(id)).dialogue.txt")
        guard results.count == 1 else { return .refused("read as \(results.count) documents, expected one") }
        switch results[0] {
        case .success(let document): return .document(document)
        case .failure(let error): return .refused(error.description)
        }
    }

    /// An identifier as a file-name stem: letters, digits, `-` and `_` only, so no marker or folder is read into it.
    static func fileStem(_ id: String) -> String {
        String(id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
    }
}
