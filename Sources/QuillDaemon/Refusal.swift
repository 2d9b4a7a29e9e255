import ClinicalDocuments

/// Why an inbox entry is refused before its content is read: what the entry is, not a sentence
/// about it. The clerk's sentence names the file (for `failed/<name>.error.json`); the privacy-safe
/// one, for the jobs table, the audit trail and the log, is built the same way with "the file" in
/// the name's place, so that no file name (which can carry a patient's name) reaches them, and no
/// word of the sentence is mistaken for the name.
enum Refusal: Sendable, Equatable {
    case symbolicLink
    case folder
    case device
    case pipe
    case socket
    /// `open` said ENXIO: a socket or a device that the first look did not show.
    case socketOrDevice
    case notAPlainFile
    case ownerNotAllowed(owner: String)
    case hardLinks
    case tooLarge(bytes: Int, limit: Int)
    /// Read again after a restart, the claimed file no longer has the SHA-256 recorded at the claim.
    case changedSinceClaim

    /// In words for a clerk, naming the file.
    func description(name: String) -> String {
        switch self {
        case .symbolicLink: return "\(name) is a symbolic link; Quill only takes plain files dropped into the inbox, not links to files elsewhere"
        case .folder: return "\(name) is a folder; put the documents themselves in the inbox, not in folders"
        case .device: return "\(name) is a device, not a document"
        case .pipe: return "\(name) is a pipe, not a document"
        case .socket: return "\(name) is a socket, not a document"
        case .socketOrDevice: return "\(name) is a socket or a device, not a document"
        case .notAPlainFile: return "\(name) is not a plain file"
        case .ownerNotAllowed(let owner):
            return "\(name) belongs to \(owner), who is not among the users allowed to drop files (watch.allowed_owners)"
        case .hardLinks:
            return "\(name) has other names on the disk (hard links); Quill only takes a file whose one name is in the inbox, so that nobody can change it through another name while it is processed"
        case let .tooLarge(bytes, limit):
            return DocumentError(file: name, problem: .tooLarge(bytes: bytes, limit: limit)).description
        case .changedSinceClaim:
            return "\(name): the file changed after it was claimed (its SHA-256 is no longer the one recorded at the claim); nothing was written from it. Drop the file again."
        }
    }

    /// Without the file's name: for the jobs table, the log and the audit trail.
    var safeDescription: String { "refused: " + description(name: "the file") }
}
