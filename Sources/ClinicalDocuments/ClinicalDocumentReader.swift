import Foundation

/// Everything read from one file: one result per document (an HL7 batch holds several), in file
/// order. A whole-file problem (too large, binary, broken XML) is a single failure.
public struct FileReading: Sendable {
    public var file: String
    public var results: [Result<ClinicalDocument, DocumentError>]

    public var documents: [ClinicalDocument] { results.compactMap { try? $0.get() } }
    public var errors: [DocumentError] {
        results.compactMap { if case .failure(let e) = $0 { return e } else { return nil } }
    }
    public var succeeded: Bool { errors.isEmpty }
}

/// Reads a file into clinical documents, never throwing: failures are results. Size is checked
/// before the file is read in full.
public func readClinicalFile(at url: URL, limits: DocumentLimits = DocumentLimits()) -> FileReading {
    let name = url.lastPathComponent
    let folder = url.deletingLastPathComponent().lastPathComponent
    do {
        let bytes = try readBounded(url, limit: limits.maxFileBytes)
        return FileReading(file: name, results: ClinicalDocumentReader.read(bytes: bytes, fileName: name, folderName: folder, limits: limits))
    } catch {
        return FileReading(file: name, results: [.failure(error)])
    }
}

/// Strict form: the documents of a file, or the first failure.
public func readClinicalDocuments(at url: URL, limits: DocumentLimits = DocumentLimits()) throws(DocumentError) -> [ClinicalDocument] {
    let reading = readClinicalFile(at: url, limits: limits)
    if let first = reading.errors.first { throw first }
    return reading.documents
}

/// Reads at most `limit` bytes; a larger file is refused without reading the rest.
func readBounded(_ url: URL, limit: Int) throws(DocumentError) -> [UInt8] {
    let name = url.lastPathComponent
    let handle: FileHandle
    do { handle = try FileHandle(forReadingFrom: url) } catch {
        throw DocumentError(file: name, problem: .unreadable(reason: (error as NSError).localizedDescription))
    }
    defer { try? handle.close() }
    do {
        // One byte past the limit tells a file at the limit from a larger one; a limit of Int.max has no byte past it.
        let data = try handle.read(upToCount: limit < Int.max ? limit + 1 : limit) ?? Data()
        if data.count > limit {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? data.count
            throw DocumentError(file: name, problem: .tooLarge(bytes: size, limit: limit))
        }
        return [UInt8](data)
    } catch let e as DocumentError {
        throw e
    } catch {
        throw DocumentError(file: name, problem: .unreadable(reason: (error as NSError).localizedDescription))
    }
}

/// Format detection and the rules that apply to every format: the kind/task override, and the
/// text-length limit.
public enum ClinicalDocumentReader {
    /// What the content looks like, decided from the text, never from the file extension.
    public enum DetectedFormat: Sendable, Equatable { case hl7, xml, text }

    public static func detectFormat(_ text: String) -> DetectedFormat {
        if HL7Parser.looksLikeHL7(text) { return .hl7 }
        let first = text.unicodeScalars.first { !$0.properties.isWhitespace && $0 != "\u{FEFF}" }
        return first == "<" ? .xml : .text
    }

    /// Reads the bytes of one file. `folderName` is the name of the folder the file sits in (for
    /// the folder override), if any.
    public static func read(bytes: [UInt8], fileName: String, folderName: String? = nil,
                            limits: DocumentLimits = DocumentLimits()) -> [Result<ClinicalDocument, DocumentError>] {
        guard bytes.count <= limits.maxFileBytes else {
            return [.failure(DocumentError(file: fileName, problem: .tooLarge(bytes: bytes.count, limit: limits.maxFileBytes)))]
        }
        let override: KindOverride
        let decoded: DecodedText
        do {
            override = try KindOverride.from(fileName: fileName, folderName: folderName)
            decoded = try TextEncodingDetection.decode(bytes, file: fileName)
        } catch {
            return [.failure(error)]
        }
        let results: [Result<ClinicalDocument, DocumentError>]
        switch detectFormat(decoded.text) {
        case .hl7:
            results = HL7Reader.read(text: decoded.text, encoding: decoded.encoding, file: fileName, limits: limits)
        case .xml:
            results = [Result { () throws(DocumentError) in try CDAReader.read(text: decoded.text, encoding: decoded.encoding, file: fileName) }]
        case .text:
            results = [Result { () throws(DocumentError) in try readText(decoded, fileName: fileName, override: override) }]
        }
        return results.map { r in
            r.flatMap { doc in
                var doc = doc
                apply(override, to: &doc)
                guard doc.textLength <= limits.maxTextCharacters else {
                    return .failure(DocumentError(file: fileName, problem: .textTooLong(characters: doc.textLength, limit: limits.maxTextCharacters)))
                }
                return .success(doc)
            }
        }
    }

    /// Plain text is a dialogue when the turn rule says so (`DialogueReader.Turns.looksLikeDialogue`)
    /// or a kind marker says so; WebVTT is always a dialogue.
    static func readText(_ decoded: DecodedText, fileName: String, override: KindOverride) throws(DocumentError) -> ClinicalDocument {
        let text = TextLines.normalizeLineEnds(decoded.text)
        let isVTT = WebVTTReader.isWebVTT(text)
        switch override.kind {
        case .dialogue?:
            do {
                return try DialogueReader.read(text: text, encoding: decoded.encoding, file: fileName)
            } catch {
                throw DocumentError(file: fileName, problem: .kindOverrideFailed(detail:
                    "the file is marked as a dialogue (by its \(override.kindSource == .folder ? "folder" : "name")) but no speaker turns were found; expected lines like 'Doctor: …' and 'Patient: …'"))
            }
        case .clinicalNote?:
            // A WebVTT file read as a note keeps its spoken text only (no timings or tags).
            let body = isVTT ? WebVTTReader.turns(text).turns.map(\.text).joined(separator: "\n") : text
            let doc = TextNoteReader.read(text: body, encoding: decoded.encoding, file: fileName)
            guard !doc.sections.isEmpty else {
                throw DocumentError(file: fileName, problem: .noText(detail: "the file is marked as a note but holds no text outside WebVTT timings and tags"))
            }
            return doc
        case nil:
            if isVTT || DialogueReader.turns(in: text).looksLikeDialogue {
                return try DialogueReader.read(text: text, encoding: decoded.encoding, file: fileName)
            }
            let doc = TextNoteReader.read(text: text, encoding: decoded.encoding, file: fileName)
            guard !doc.sections.isEmpty else {
                throw DocumentError(file: fileName, problem: .noText(detail: "the file holds no readable text"))
            }
            return doc
        }
    }

    static func apply(_ o: KindOverride, to doc: inout ClinicalDocument) {
        if let k = o.kind {
            if k == doc.kind { doc.kindSource = o.kindSource }
            else { doc.notices.append("the \(o.kindSource == .folder ? "folder" : "file name") marks this as \(k.rawValue), but \(doc.sourceFormat.rawValue) documents are always read as \(doc.kind.rawValue)") }
        }
        if let t = o.task { doc.task = t; doc.taskSource = o.taskSource }
        else { doc.task = DocumentTask.defaultTask(for: doc.kind); doc.taskSource = .content }
    }
}
