import Foundation
import GRDB

/// One row of `audit_events`.
///
/// `hash = SHA256(prev_hash ‖ canonical event JSON)`, hex, where `prev_hash` is the previous row's
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

    /// Appends one event inside the caller's transaction.
    @discardableResult
    static func appendEvent(_ db: Database, actor: String, action: String, jobID: Int64?, details: JSONValue) throws -> AuditEvent {
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
        let hash = AuditEvent.chainHash(prevHash: prevHash, canonicalJSON: canonical)
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

    static func event(_ row: Row) -> AuditEvent {
        AuditEvent(id: row["id"], time: row["time"], actor: row["actor"], action: row["action"], jobID: row["job_id"],
                   details: row["details"], prevHash: row["prev_hash"], hash: row["hash"])
    }

    /// Walks the chain from the first row and names the first row that was altered, inserted or
    /// removed: ids must run 1, 2, 3… without gaps, each `prev_hash` must be the previous row's
    /// hash, and each hash must match its row. A removed last row is caught through SQLite's
    /// AUTOINCREMENT counter, which remembers the highest id ever used.
    public func verifyAudit() throws -> AuditVerification {
        try read { db in
            var expectedID: Int64 = 1
            var prevHash = AuditEvent.genesisHash
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
                let recomputed = AuditEvent.chainHash(
                    prevHash: prevHash,
                    canonicalJSON: AuditEvent.canonicalJSON(id: e.id, time: e.time, actor: e.actor, action: e.action, jobID: e.jobID, details: e.details))
                if recomputed != e.hash {
                    return .broken(row: e.id, problem: "its content was altered (stored hash \(e.hash.prefix(12))…, content hashes to \(recomputed.prefix(12))…)")
                }
                prevHash = e.hash
                expectedID += 1
            }
            let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'") ?? 0
            if seq >= expectedID {
                return .broken(row: expectedID, problem: "event \(expectedID)\(seq > expectedID ? "–\(seq)" : "") at the end of the trail was removed")
            }
            return .intact(rows: Int(expectedID - 1), lastHash: prevHash)
        }
    }
}
