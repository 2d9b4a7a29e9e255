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

    /// `nil` when the entry is an acceptable regular file; else why it is refused.
    static func refusal(_ st: stat, allowedOwners: [uid_t]) -> Refusal? {
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: return .symbolicLink
        case S_IFDIR: return .folder
        case S_IFCHR, S_IFBLK: return .device
        case S_IFIFO: return .pipe
        case S_IFSOCK: return .socket
        default: return .notAPlainFile
        }
        if !allowedOwners.isEmpty && !allowedOwners.contains(st.st_uid) {
            return .ownerNotAllowed(owner: getpwuid(st.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "user id \(st.st_uid)")
        }
        return nil
    }
}
