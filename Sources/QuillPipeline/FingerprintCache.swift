import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Remembers the SHA-256 of model files by path and `FileIdentity`, so that a restart does not read
/// gigabytes of weights again: a file is hashed again only when its device, inode, size, mtime or
/// ctime changed. A small JSON file under the state root, mode 0600; one that is missing or unreadable
/// is simply rebuilt (it holds no state that matters, only saved work).
public final class FingerprintCache: @unchecked Sendable {
    struct Entry: Codable, Equatable {
        var identity: FileIdentity
        var sha256: String
    }

    public let path: String
    private var entries: [String: Entry]
    private var changed = false
    private let lock = NSLock()

    public init(path: String) {
        self.path = path
        let data = FileManager.default.contents(atPath: path) ?? Data()
        entries = (try? JSONDecoder().decode([String: Entry].self, from: data)) ?? [:]
    }

    func digest(path file: String, identity: FileIdentity) -> String? {
        lock.lock(); defer { lock.unlock() }
        guard let e = entries[file], e.identity == identity else { return nil }
        return e.sha256
    }

    func remember(path file: String, identity: FileIdentity, sha256: String) {
        lock.lock(); defer { lock.unlock() }
        let entry = Entry(identity: identity, sha256: sha256)
        if entries[file] != entry { entries[file] = entry; changed = true }
    }

    /// Writes the cache if it changed: a temp file created 0600, renamed over the old one. Returns
    /// false when it could not be written (the next start hashes again; nothing else depends on it).
    @discardableResult
    public func save() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard changed else { return true }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(entries) else { return false }
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return false }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(tmp, path) == 0 else { unlink(tmp); return false }
        changed = false
        return true
    }
}
