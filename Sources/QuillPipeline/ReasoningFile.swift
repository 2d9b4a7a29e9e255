import Digests
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A reasoning model's `<think>` text, kept (with `generation.keep_reasoning`) in a file an operator
/// can purge, `<state>/reasoning/<stem>.reasoning.txt` (0600): it restates the patient's record, so
/// it must not go into the audit trail, which can never be purged. The audit keeps its SHA-256 and
/// length, which tie the file to the event.
public enum ReasoningFile {
    /// Writes the file (replacing one from an earlier attempt at the same document) and returns the
    /// facts for the audit row.
    public static func keep(_ reasoning: String, folder: String, stem: String) throws -> [String: String] {
        let bytes = Array(reasoning.utf8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = folder + "/" + stem + ".reasoning.txt"
        let tmp = folder + "/.quill-tmp-" + stem + ".reasoning.txt-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 { throw CocoaError(.fileWriteUnknown) }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 { if errno == EINTR { continue }; close(fd); throw CocoaError(.fileWriteUnknown) }
            offset += n
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(tmp, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        ok = true
        return ["reasoning_sha256": SHA256.hex(bytes), "reasoning_bytes": "\(bytes.count)"]
    }
}
