import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What went wrong, said without what it was about: for logs, `STATUS=` lines and the audit trail.
/// A `SystemError`'s path names a file (file names can carry patient names), and other errors'
/// descriptions may quote a document, so only the system call and errno, or the error's type, are kept.
enum ErrorKind {
    static func of(_ error: Error) -> String {
        if let e = error as? SystemError {
            return "\(e.operation): \(errnoName(e.errno)) (\(String(cString: strerror(e.errno))))"
        }
        return String(reflecting: type(of: error))
    }

    static func errnoName(_ e: Int32) -> String {
        let names: [Int32: String] = [
            ENOSPC: "ENOSPC", EDQUOT: "EDQUOT", EACCES: "EACCES", EPERM: "EPERM", EROFS: "EROFS", EIO: "EIO",
            ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", ENOENT: "ENOENT", EEXIST: "EEXIST", EXDEV: "EXDEV",
            EMFILE: "EMFILE", ENFILE: "ENFILE", ENOMEM: "ENOMEM", EBUSY: "EBUSY", EAGAIN: "EAGAIN",
            ENAMETOOLONG: "ENAMETOOLONG", ELOOP: "ELOOP", ESTALE: "ESTALE", ETIMEDOUT: "ETIMEDOUT",
        ]
        return names[e] ?? "errno \(e)"
    }
}
