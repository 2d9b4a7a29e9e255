import Foundation
import GRDB

/// How a store keys and anchors its audit trail. The default (no key) keeps the plain SHA-256
/// chain, which shows accidents but not a deliberate rewrite by someone who can write the file.
public struct AuditSettings: Sendable {
    public var key: AuditKey?
    /// Where signed checkpoints of the chain's head are appended; only with a key.
    public var anchorFile: String?
    /// A checkpoint after this many events (and at `checkpointAudit()`).
    public var checkpointEvery: Int
    /// Told of every checkpoint written (the daemon logs it, so the journal holds a second copy),
    /// and of a checkpoint that could not be written.
    public var onCheckpoint: (@Sendable (Result<AuditCheckpoint, Error>) -> Void)?

    public init(key: AuditKey? = nil, anchorFile: String? = nil, checkpointEvery: Int = 100,
                onCheckpoint: (@Sendable (Result<AuditCheckpoint, Error>) -> Void)? = nil) {
        self.key = key; self.anchorFile = anchorFile; self.checkpointEvery = max(1, checkpointEvery); self.onCheckpoint = onCheckpoint
    }
}

/// The id of the last event this process checkpointed; touched only on the writer connection's queue.
final class CheckpointMark: @unchecked Sendable {
    var eventID: Int64 = 0
}

extension QuillStore {
    /// Hands the key to the connection, where `appendEvent` finds it (`SELECT quill_audit_key()`).
    static func installAuditKey(_ key: AuditKey?, on db: Database) {
        let data = key.map { Data($0.bytes) }
        db.add(function: DatabaseFunction("quill_audit_key", argumentCount: 0, pure: true) { _ in data })
    }

    /// After each committed write: a checkpoint when `checkpointEvery` events have been added
    /// since the last one this process wrote.
    func checkpointIfDue(_ db: Database) {
        guard audit.key != nil else { return }
        guard let head = try? Row.fetchOne(db, sql: "SELECT id FROM audit_events ORDER BY id DESC LIMIT 1") else { return }
        let id: Int64 = head["id"]
        if checkpointMark.eventID == 0 { checkpointMark.eventID = id; return }
        if id - checkpointMark.eventID >= Int64(audit.checkpointEvery) { _ = try? writeCheckpoint(db) }
    }

    /// Writes a checkpoint of the current head (the daemon calls it at stop). `nil` without a key
    /// or on an empty trail.
    @discardableResult
    public func checkpointAudit() throws -> AuditCheckpoint? {
        guard audit.key != nil else { return nil }
        return try pool.writeWithoutTransaction { db in try writeCheckpoint(db) }
    }

    private func writeCheckpoint(_ db: Database) throws -> AuditCheckpoint? {
        guard let key = audit.key,
              let head = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1") else { return nil }
        let checkpoint = AuditCheckpoint(eventID: head["id"], hash: head["hash"], time: Self.timestamp(), key: key)
        do {
            if let file = audit.anchorFile { try AuditAnchorFile(path: file).append(checkpoint) }
        } catch {
            audit.onCheckpoint?(.failure(error))
            throw error
        }
        checkpointMark.eventID = checkpoint.eventID
        audit.onCheckpoint?(.success(checkpoint))
        return checkpoint
    }
}
