import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What kind of thing an inbox entry is, and whether Quill accepts it.
enum OwnerCheck {
    static func uid(for user: String) -> uid_t? {
        if let n = UInt32(user) { return n }
        guard let pw = getpwnam(user) else { return nil }
        return pw.pointee.pw_uid
    }

    /// `nil` when the entry is an acceptable regular file; else the reason it is refused, in words
    /// for a clerk.
    static func refusal(_ st: stat, name: String, allowedOwners: [uid_t]) -> String? {
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: return "\(name) is a symbolic link; Quill only takes plain files dropped into the inbox, not links to files elsewhere"
        case S_IFDIR: return "\(name) is a folder; put the documents themselves in the inbox, not in folders"
        case S_IFCHR, S_IFBLK: return "\(name) is a device, not a document"
        case S_IFIFO: return "\(name) is a pipe, not a document"
        case S_IFSOCK: return "\(name) is a socket, not a document"
        default: return "\(name) is not a plain file"
        }
        if !allowedOwners.isEmpty && !allowedOwners.contains(st.st_uid) {
            let owner = getpwuid(st.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "user id \(st.st_uid)"
            return "\(name) belongs to \(owner), who is not among the users allowed to drop files (watch.allowed_owners)"
        }
        return nil
    }
}
