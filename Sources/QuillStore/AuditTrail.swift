import Digests
import Foundation
import GRDB

/// One row of `audit_events`.
///
/// `hash = SHA256(prev_hash ‖ canonical event JSON)`, hex, or, from the `audit.keyed` event on
/// (when the daemon runs with an audit key), `hash = HMAC-SHA256(key, prev_hash ‖ canonical event
/// JSON)`; where `prev_hash` is the previous row's
/// hash (64 zeros for the first row) taken as its 64 ASCII hex digits, and the canonical event JSON
/// is the object `{"action","actor","details","id","job_id","time"}` in `JSONValue`'s canonical form,
/// with `details` being the stored (canonical) details text verbatim. Including `id` makes a removed
/// row a break in the chain, not only a missing link.
public struct AuditEvent: Sendable, Equatable {
    public var id: Int64
    /// ISO 8601, UTC, milliseconds: `2025-01-31T08:15:02.123Z`.
    public var time: String
    /// `daemon`, `cli:<user>`, `reviewer:<name>`.
    public var actor: String
    /// Dotted verb: `job.received`, `job.claimed`, …, `daemon.started`.
    public var action: String
    public var jobID: Int64?
    /// Canonical JSON object text.
    public var details: String
    public var prevHash: String
    public var hash: String

    public static let genesisHash = String(repeating: "0", count: 64)

    /// `time` as a date (`nil` only for a row not written by `QuillStore`).
    public var date: Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: time)
    }

    public static func canonicalJSON(id: Int64, time: String, actor: String, action: String, jobID: Int64?, details: String) -> String {
        "{\"action\":" + JSONValue.string(action).canonical
            + ",\"actor\":" + JSONValue.string(actor).canonical
            + ",\"details\":" + details
            + ",\"id\":" + String(id)
            + ",\"job_id\":" + (jobID.map { String($0) } ?? "null")
            + ",\"time\":" + JSONValue.string(time).canonical + "}"
    }

    public static func chainHash(prevHash: String, canonicalJSON: String) -> String {
        SHA256.hex(Array(prevHash.utf8) + Array(canonicalJSON.utf8))
    }

    public static func keyedChainHash(key: AuditKey, prevHash: String, canonicalJSON: String) -> String {
        HMACSHA256.hex(key: key.bytes, message: Array(prevHash.utf8) + Array(canonicalJSON.utf8))
    }

    /// The action of the event from which the chain is keyed; its details name the key's id.
    public static let keyedAction = "audit.keyed"

    var canonical: String { Self.canonicalJSON(id: id, time: time, actor: actor, action: action, jobID: jobID, details: details) }

    /// Whether the stored hash is the plain SHA-256 of the row (an event from before keying).
    var hashesUnkeyed: Bool { hash == Self.chainHash(prevHash: prevHash, canonicalJSON: canonical) }

    func hashes(under key: AuditKey) -> Bool { HMACSHA256.equal(hash, Self.keyedChainHash(key: key, prevHash: prevHash, canonicalJSON: canonical)) }

    /// The event as one JSON line (for `quill audit show` and export).
    public var jsonLine: String {
        "{\"action\":" + JSONValue.string(action).canonical + ",\"actor\":" + JSONValue.string(actor).canonical
            + ",\"details\":" + details + ",\"hash\":" + JSONValue.string(hash).canonical + ",\"id\":" + String(id)
            + ",\"job_id\":" + (jobID.map { String($0) } ?? "null") + ",\"prev_hash\":" + JSONValue.string(prevHash).canonical
            + ",\"time\":" + JSONValue.string(time).canonical + "}"
    }
}

/// What `verify` found.
public enum AuditVerification: Sendable, Equatable, CustomStringConvertible {
    case intact(rows: Int, lastHash: String)
    /// The first row that does not fit the chain, and why.
    case broken(row: Int64, problem: String)

    public var description: String {
        switch self {
        case let .intact(rows, last): return "audit trail intact: \(rows) events, last hash \(last)"
        case let .broken(row, problem): return "audit trail broken at event \(row): \(problem)"
        }
    }
}

extension QuillStore {
    static func timestamp(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    /// Appends one event inside the caller's transaction. With an audit key (handed to the
    /// connection by `QuillStore.init`), the first event appended to a chain that is not yet keyed
    /// is preceded by an `audit.keyed` event, and every event from there on is HMAC-chained.
    @discardableResult
    static func appendEvent(_ db: Database, actor: String, action: String, jobID: Int64?, details: JSONValue) throws -> AuditEvent {
        let key = try Data.fetchOne(db, sql: "SELECT quill_audit_key()").map { AuditKey(bytes: Array($0)) }
        let last = try Row.fetchOne(db, sql: "SELECT * FROM audit_events ORDER BY id DESC LIMIT 1").map(event)
        if let last, !last.hashesUnkeyed {
            // The chain is keyed (or its head was altered): never extend it with an unkeyed or a foreign-keyed link.
            guard let key else { throw StoreError.auditKeyRequired(lastEvent: last.id) }
            guard last.hashes(under: key) else { throw StoreError.auditHeadUnverifiable(lastEvent: last.id, keyID: key.id) }
        } else if let key {
            try insertEvent(db, key: key, actor: actor, action: AuditEvent.keyedAction, jobID: nil,
                            details: ["key_id": .string(key.id), "unkeyed_events": .int(Int(last?.id ?? 0))])
        }
        return try insertEvent(db, key: key, actor: actor, action: action, jobID: jobID, details: details)
    }

    @discardableResult
    private static func insertEvent(_ db: Database, key: AuditKey?, actor: String, action: String, jobID: Int64?, details: JSONValue) throws -> AuditEvent {
        let last = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
        let prevHash: String = last?["hash"] ?? AuditEvent.genesisHash
        // AUTOINCREMENT never reuses an id, so the next id is the sequence's next value.
        let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'") ?? 0
        let id = seq + 1
        let time = timestamp()
        var detailsObject = details
        if case .object = details {} else { detailsObject = ["value": details] }
        let detailsText = detailsObject.canonical
        let canonical = AuditEvent.canonicalJSON(id: id, time: time, actor: actor, action: action, jobID: jobID, details: detailsText)
        let hash = key.map { AuditEvent.keyedChainHash(key: $0, prevHash: prevHash, canonicalJSON: canonical) }
            ?? AuditEvent.chainHash(prevHash: prevHash, canonicalJSON: canonical)
        try db.execute(sql: """
            INSERT INTO audit_events (id, time, actor, action, job_id, details, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, time, actor, action, jobID, detailsText, prevHash, hash])
        return AuditEvent(id: id, time: time, actor: actor, action: action, jobID: jobID, details: detailsText, prevHash: prevHash, hash: hash)
    }

    /// Appends an event that is not a job transition (daemon start, config reload, a CLI action).
    @discardableResult
    public func record(actor: String, action: String, jobID: Int64? = nil, details: JSONValue = [:]) throws -> AuditEvent {
        try write { db in try Self.appendEvent(db, actor: actor, action: action, jobID: jobID, details: details) }
    }

    /// Events in order, all or one job's.
    public func auditEvents(jobID: Int64? = nil, sinceID: Int64 = 0) throws -> [AuditEvent] {
        try read { db in
            let rows: [Row]
            if let jobID {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM audit_events WHERE job_id = ? AND id > ? ORDER BY id", arguments: [jobID, sinceID])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM audit_events WHERE id > ? ORDER BY id", arguments: [sinceID])
            }
            return rows.map(Self.event)
        }
    }

    /// The newest event of one action (the daemon's last scheduled retraining, say), without reading the trail.
    public func lastAuditEvent(action: String) throws -> AuditEvent? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM audit_events WHERE action = ? ORDER BY id DESC LIMIT 1", arguments: [action]).map(Self.event)
        }
    }

    static func event(_ row: Row) -> AuditEvent {
        AuditEvent(id: row["id"], time: row["time"], actor: row["actor"], action: row["action"], jobID: row["job_id"],
                   details: row["details"], prevHash: row["prev_hash"], hash: row["hash"])
    }

    /// Walks the chain with the store's own key and anchor file (see `verifyAudit(key:anchorFile:)`).
    public func verifyAudit() throws -> AuditVerification {
        try verifyAudit(key: audit.key, anchorFile: audit.anchorFile)
    }

    /// Walks the chain from the first row and names the first row that was altered, inserted or
    /// removed: ids must run 1, 2, 3… without gaps, each `prev_hash` must be the previous row's
    /// hash, and each hash must match its row: SHA-256 before the `audit.keyed` event, HMAC under
    /// `key` from it on. With a key, a chain that has no `audit.keyed` event is refused (its keyed
    /// events could have been rewritten as plain SHA-256 by someone without the key). A removed
    /// last row is caught through SQLite's AUTOINCREMENT counter (which anyone can lower) and,
    /// with an anchor file, through the signed checkpoints in it (which nobody without the key can
    /// forge): each must name an event the database still holds, with the same hash.
    public func verifyAudit(key: AuditKey?, anchorFile: String?) throws -> AuditVerification {
        var checkpoints: [Int64: (line: Int, checkpoint: AuditCheckpoint)] = [:]
        var lastCheckpoint: Int64 = 0
        if let anchorFile {
            guard let key else { return .broken(row: 0, problem: "an anchor file was given without the audit key that signs it") }
            for (n, c) in try AuditAnchorFile(path: anchorFile).read().enumerated() {
                guard let c else { return .broken(row: 0, problem: "line \(n + 1) of the anchor file \(anchorFile) is not a checkpoint (cut off or edited)") }
                guard c.isSigned(by: key) else { return .broken(row: c.eventID, problem: "line \(n + 1) of the anchor file \(anchorFile) is not signed by this audit key") }
                checkpoints[c.eventID] = (n + 1, c)
                lastCheckpoint = max(lastCheckpoint, c.eventID)
            }
        }
        return try read { db in
            var expectedID: Int64 = 1
            var prevHash = AuditEvent.genesisHash
            var keyedFrom: Int64?
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_events ORDER BY id")
            while let row = try cursor.next() {
                let e = Self.event(row)
                if e.id != expectedID {
                    return .broken(row: expectedID, problem: e.id > expectedID
                        ? "event \(expectedID)\(e.id - expectedID > 1 ? "–\(e.id - 1)" : "") was removed (the next event present is \(e.id))"
                        : "event ids are out of order")
                }
                if e.prevHash != prevHash {
                    return .broken(row: e.id, problem: "its prev_hash does not match the hash of event \(e.id - 1)")
                }
                if keyedFrom == nil && e.action == AuditEvent.keyedAction {
                    guard let key else {
                        return .broken(row: e.id, problem: "the trail is keyed from this event on; give the audit key (--key-file, or audit.key_file in --config) to verify it")
                    }
                    let named = (try? JSONSerialization.jsonObject(with: Data(e.details.utf8)) as? [String: Any])?["key_id"] as? String
                    if named != key.id {
                        return .broken(row: e.id, problem: "the trail was keyed with key \(named ?? "?"), not with this key (\(key.id))")
                    }
                    keyedFrom = e.id
                }
                if let _ = keyedFrom, let key {
                    if !e.hashes(under: key) {
                        return .broken(row: e.id, problem: "its HMAC does not match its content (altered, inserted or recomputed without the audit key)")
                    }
                } else if !e.hashesUnkeyed {
                    let recomputed = AuditEvent.chainHash(prevHash: prevHash, canonicalJSON: e.canonical)
                    return .broken(row: e.id, problem: "its content was altered (stored hash \(e.hash.prefix(12))…, content hashes to \(recomputed.prefix(12))…)")
                }
                if let anchored = checkpoints[e.id], anchored.checkpoint.hash != e.hash {
                    let line = anchored.line
                    return .broken(row: e.id, problem: "its hash differs from the checkpoint in line \(line) of the anchor file")
                }
                prevHash = e.hash
                expectedID += 1
            }
            let head = expectedID - 1
            if lastCheckpoint > head {
                return .broken(row: head + 1, problem: "events \(head + 1)–\(lastCheckpoint) at the end of the trail were removed (the anchor file holds a signed checkpoint of event \(lastCheckpoint))")
            }
            let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'") ?? 0
            if seq >= expectedID {
                return .broken(row: expectedID, problem: "event \(expectedID)\(seq > expectedID ? "–\(seq)" : "") at the end of the trail was removed")
            }
            if key != nil && keyedFrom == nil && head > 0 {
                return .broken(row: 1, problem: "an audit key was given but the trail holds no audit.keyed event: it was never keyed, or its keyed events were rewritten as plain SHA-256")
            }
            return .intact(rows: Int(head), lastHash: prevHash)
        }
    }
}
