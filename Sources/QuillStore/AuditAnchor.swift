import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A signed note of the chain's head, kept outside the database: the event id and hash the trail
/// had reached, and an HMAC over them under the audit key. The database alone cannot show that its
/// last events were deleted (a shorter chain is still a chain); a checkpoint that names an event
/// the database no longer has, or has with another hash, can. Written to the anchor file (one JSON
/// line each, append-only) and to the log, every `audit.checkpoint_every` events and at stop.
public struct AuditCheckpoint: Sendable, Equatable {
    public var eventID: Int64
    public var hash: String
    public var time: String
    public var keyID: String
    public var mac: String

    static func signedText(eventID: Int64, hash: String, time: String, keyID: String) -> [UInt8] {
        Array("quill-audit-checkpoint\n\(keyID)\n\(eventID)\n\(hash)\n\(time)".utf8)
    }

    public init(eventID: Int64, hash: String, time: String, key: AuditKey) {
        self.eventID = eventID; self.hash = hash; self.time = time; keyID = key.id
        mac = HMACSHA256.hex(key: key.bytes, message: Self.signedText(eventID: eventID, hash: hash, time: time, keyID: key.id))
    }

    init(eventID: Int64, hash: String, time: String, keyID: String, mac: String) {
        self.eventID = eventID; self.hash = hash; self.time = time; self.keyID = keyID; self.mac = mac
    }

    public func isSigned(by key: AuditKey) -> Bool {
        keyID == key.id && HMACSHA256.equal(mac, HMACSHA256.hex(key: key.bytes, message: Self.signedText(eventID: eventID, hash: hash, time: time, keyID: keyID)))
    }

    public var line: String {
        let v: JSONValue = ["event_id": .int(Int(eventID)), "hash": .string(hash), "time": .string(time), "key_id": .string(keyID), "mac": .string(mac)]
        return v.canonical
    }

    public static func parse(line: String) -> AuditCheckpoint? {
        guard let data = line.data(using: .utf8),
              let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let id = (o["event_id"] as? Int).map(Int64.init) ?? (o["event_id"] as? NSNumber)?.int64Value, let hash = o["hash"] as? String, let time = o["time"] as? String,
              let keyID = o["key_id"] as? String, let mac = o["mac"] as? String else { return nil }
        return AuditCheckpoint(eventID: id, hash: hash, time: time, keyID: keyID, mac: mac)
    }
}

/// The append-only file of checkpoints (make it `chattr +a`, or put it where the database's
/// writers cannot write).
public struct AuditAnchorFile: Sendable {
    public let path: String
    public init(path: String) { self.path = path }

    /// Appends one line and fsyncs. Starts on a fresh line when a crash cut the previous one short.
    public func append(_ checkpoint: AuditCheckpoint) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 { throw AuditAnchorError.unwritable(path: path, errno: errno) }
        defer { close(fd) }
        var text = checkpoint.line + "\n"
        var st = stat()
        if fstat(fd, &st) == 0, st.st_size > 0, let last = lastByte() , last != UInt8(ascii: "\n") { text = "\n" + text }
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        if n != bytes.count || fsync(fd) != 0 { throw AuditAnchorError.unwritable(path: path, errno: errno) }
    }

    private func lastByte() -> UInt8? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        guard let end = try? h.seekToEnd(), end > 0 else { return nil }
        try? h.seek(toOffset: end - 1)
        return (try? h.read(upToCount: 1))?.first
    }

    /// The lines in order; a line that is not a checkpoint is returned as `nil` at its place.
    public func read() throws -> [AuditCheckpoint?] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else { throw AuditAnchorError.unreadable(path: path) }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
            .map { AuditCheckpoint.parse(line: String($0)) }
    }
}

public enum AuditAnchorError: Error, Sendable, CustomStringConvertible {
    case unwritable(path: String, errno: Int32)
    case unreadable(path: String)
    public var description: String {
        switch self {
        case let .unwritable(p, e): return "the audit anchor file \(p) cannot be written: \(String(cString: strerror(e)))"
        case .unreadable(let p): return "the audit anchor file \(p) cannot be read"
        }
    }
}
