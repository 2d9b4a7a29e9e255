import ClinicalDocuments
import Foundation

/// A folder of sample documents (HL7's C-CDA examples, the FHIR Converter's HL7 v2 messages): every file with the
/// extension, in path order, read as the daemon reads an inbox file. They have no references; the outputs are
/// measured for sections, fact-check findings, review and degeneration only. The set is a discharge-summary
/// one: a file the readers refuse, or read as another task, is an error row, so that no file drops out unseen.
enum SampleDocumentsReader {
    static func read(folder: URL, fileExtension: String) throws -> [PublicSetDocument] {
        var documents: [PublicSetDocument] = []
        for path in try files(in: folder, fileExtension: fileExtension) {
            let reading = readClinicalFile(at: folder.appendingPathComponent(path))
            for (n, result) in reading.results.enumerated() {
                let id = reading.results.count == 1 ? path : "\(path)#\(n + 1)"
                switch result {
                case .success(let document) where document.task == .dischargeSummary:
                    documents.append(PublicSetDocument(id: id, input: .document(document)))
                case .success(let document):
                    documents.append(PublicSetDocument(id: id, input: .refused("read as a \(document.task.fileName) input; this set is discharge summaries")))
                case .failure(let error):
                    documents.append(PublicSetDocument(id: id, input: .refused(error.description)))
                }
            }
        }
        return documents
    }

    /// Paths relative to `folder`, sorted, of the regular files whose name ends in `.<fileExtension>`.
    static func files(in folder: URL, fileExtension: String) throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw PublicSetError(description: "\(folder.path) is not a folder (the samples are committed in Tests/Data/samples)")
        }
        guard let walk = FileManager.default.enumerator(atPath: folder.path) else {
            throw PublicSetError(description: "\(folder.path) cannot be read")
        }
        var paths: [String] = []
        while let path = walk.nextObject() as? String {
            if path.lowercased().hasSuffix("." + fileExtension), walk.fileAttributes?[.type] as? FileAttributeType == .typeRegular {
                paths.append(path)
            }
        }
        guard !paths.isEmpty else { throw PublicSetError(description: "\(folder.path) holds no .\(fileExtension) files") }
        return paths.sorted()
    }
}
