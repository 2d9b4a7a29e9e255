import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The secret that keys the audit chain (HMAC-SHA256). Without it, anyone who can write the
/// database file could drop the guard triggers and recompute a plain SHA-256 chain; with it, a
/// rewritten event no longer verifies. The file holds 32 random bytes as 64 hex digits and a
/// newline, is private to its owner (0600, or 0400 under systemd's `LoadCredential=`), and is made
/// once by `quill audit init-key`.
public struct AuditKey: Sendable, Equatable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// A public name for the key (not the key): which key signed a trail, without revealing it.
    public var id: String { String(HMACSHA256.hex(key: bytes, message: Array("quill-audit-key-id".utf8)).prefix(16)) }

    /// The name systemd gives the credential under `$CREDENTIALS_DIRECTORY` (`LoadCredential=quill-audit-key:…`).
    public static let credentialName = "quill-audit-key"

    public static func load(path: String) throws -> AuditKey {
        var st = stat()
        guard stat(path, &st) == 0 else { throw AuditKeyError.unreadable(path: path, errno: errno) }
        if st.st_mode & 0o077 != 0 {
            throw AuditKeyError.tooOpen(path: path, mode: Int(st.st_mode & 0o777))
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw AuditKeyError.unreadable(path: path, errno: errno) }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), bytes.count >= 32 else { throw AuditKeyError.malformed(path: path) }
        return AuditKey(bytes: bytes)
    }

    /// Creates a new key file with 32 bytes from `getrandom(2)` (through `getentropy(3)`); never overwrites an existing file
    /// (a replaced key would leave the trail unverifiable).
    @discardableResult
    public static func create(path: String) throws -> AuditKey {
        var bytes = [UInt8](repeating: 0, count: 32)
        // getentropy(3) is glibc's getrandom(2) for up to 256 bytes: it blocks until the kernel's pool is seeded.
        if bytes.withUnsafeMutableBytes({ getentropy($0.baseAddress!, $0.count) }) != 0 { throw AuditKeyError.noRandomness(errno: errno) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 { throw errno == EEXIST ? AuditKeyError.exists(path: path) : AuditKeyError.unwritable(path: path, errno: errno) }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let text = Array((Hex.encode(bytes) + "\n").utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        if written != text.count || fsync(fd) != 0 {
            let e = errno
            unlink(path)
            throw AuditKeyError.unwritable(path: path, errno: e)
        }
        return AuditKey(bytes: bytes)
    }
}

public enum AuditKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, errno: Int32)
    case tooOpen(path: String, mode: Int)
    case malformed(path: String)
    case exists(path: String)
    case unwritable(path: String, errno: Int32)
    case noRandomness(errno: Int32)

    public var description: String {
        switch self {
        case let .unreadable(p, e): return "the audit key \(p) cannot be read: \(String(cString: strerror(e)))"
        case let .tooOpen(p, m): return "the audit key \(p) has mode \(String(m, radix: 8)); it must be readable by its owner only (chmod 600)"
        case .malformed(let p): return "the audit key \(p) is not 64 (or more) hex digits; make one with `quill audit init-key`"
        case .exists(let p): return "\(p) already exists; Quill never replaces an audit key (the trail it signed would no longer verify)"
        case let .unwritable(p, e): return "the audit key \(p) cannot be written: \(String(cString: strerror(e)))"
        case .noRandomness(let e): return "getentropy failed: \(String(cString: strerror(e)))"
        }
    }
}
