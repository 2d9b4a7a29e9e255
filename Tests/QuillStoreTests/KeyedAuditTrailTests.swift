import Foundation
import GRDB
import QuillStore
import XCTest

/// Tampering with a real SQLite file the way someone who can write it would: drop the guard
/// triggers, edit, insert, delete, recompute the SHA-256 chain, lower `sqlite_sequence`.
final class KeyedAuditTrailTests: XCTestCase {
    var dir: String!
    var key: AuditKey!
    var dbPath: String { dir + "/quill.sqlite" }
    var anchorPath: String { dir + "/anchor.jsonl" }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "quill-keyed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        key = try AuditKey.create(path: dir + "/audit.key")
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    private func settings(every: Int = 3) -> AuditSettings {
        AuditSettings(key: key, anchorFile: anchorPath, checkpointEvery: every)
    }

    /// A keyed store with `n` events and a checkpoint at the end, as at a daemon's stop.
    @discardableResult
    private func keyedStore(_ n: Int, every: Int = 3) throws -> QuillStore {
        let store = try QuillStore(path: dbPath, audit: settings(every: every))
        for i in 1...n { try store.record(actor: "daemon", action: "test.event", details: ["n": .int(i)]) }
        try store.checkpointAudit()
        try store.checkpoint()
        return store
    }

    private func verify(anchor: Bool = true) throws -> AuditVerification {
        try QuillStore(path: dbPath).verifyAudit(key: key, anchorFile: anchor ? anchorPath : nil)
    }

    private func tamper(_ body: (Database) throws -> Void) throws {
        let q = try DatabaseQueue(path: dbPath)
        try q.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_events_no_update")
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_events_no_delete")
            try body(db)
        }
    }

    /// What someone without the key does after an edit: recompute every later hash as plain SHA-256.
    private func recomputePlainChain(_ db: Database, from first: Int64) throws {
        var prev = try String.fetchOne(db, sql: "SELECT hash FROM audit_events WHERE id = ?", arguments: [first - 1]) ?? AuditEvent.genesisHash
        for row in try Row.fetchAll(db, sql: "SELECT * FROM audit_events WHERE id >= ? ORDER BY id", arguments: [first]) {
            let id: Int64 = row["id"]
            let canonical = AuditEvent.canonicalJSON(id: id, time: row["time"], actor: row["actor"], action: row["action"],
                                                     jobID: row["job_id"], details: row["details"])
            let hash = AuditEvent.chainHash(prevHash: prev, canonicalJSON: canonical)
            try db.execute(sql: "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?", arguments: [prev, hash, id])
            prev = hash
        }
    }

    func testTheKeyFileIsPrivateHexAndNeverReplaced() throws {
        let path = dir + "/audit.key"
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text.count, 65)
        XCTAssertEqual(try AuditKey.load(path: path), key)
        XCTAssertThrowsError(try AuditKey.create(path: path)) { XCTAssertEqual($0 as? AuditKeyError, .exists(path: path)) }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), text, "the key was not replaced")
        chmod(path, 0o644)
        XCTAssertThrowsError(try AuditKey.load(path: path)) { XCTAssertEqual($0 as? AuditKeyError, .tooOpen(path: path, mode: 0o644)) }
        XCTAssertNotEqual(try AuditKey.create(path: dir + "/second.key"), key, "two keys differ")
    }

    func testAKeyedChainStartsWithTheSwitchEventAndVerifiesOnlyWithItsKey() throws {
        try keyedStore(5)
        let events = try QuillStore(path: dbPath).auditEvents()
        XCTAssertEqual(events.first?.action, "audit.keyed")
        XCTAssertTrue(events.first!.details.contains(key.id))
        XCTAssertEqual(try verify(), .intact(rows: 6, lastHash: events.last!.hash))
        guard case .broken(1, let problem) = try QuillStore(path: dbPath).verifyAudit(key: nil, anchorFile: nil) else { return XCTFail() }
        XCTAssertTrue(problem.contains("give the audit key"), problem)
        let other = try AuditKey.create(path: dir + "/other.key")
        guard case .broken(1, let p2) = try QuillStore(path: dbPath).verifyAudit(key: other, anchorFile: nil) else { return XCTFail() }
        XCTAssertTrue(p2.contains("not with this key"), p2)
    }

    /// Why the key: without it, dropping the triggers and recomputing the chain is not detectable.
    func testWithoutAKeyARecomputedChainStillVerifies() throws {
        let store = try QuillStore(path: dbPath)
        for i in 1...5 { try store.record(actor: "daemon", action: "test.event", details: ["n": .int(i)]) }
        try store.checkpoint()
        try tamper { db in
            try db.execute(sql: #"UPDATE audit_events SET details = '{"n":99}' WHERE id = 3"#)
            try recomputePlainChain(db, from: 3)
        }
        guard case .intact = try QuillStore(path: dbPath).verifyAudit() else { return XCTFail("the plain chain was expected to be recomputable") }
    }

    func testDroppingTheTriggersAndRecomputingASHA256ChainFailsVerify() throws {
        try keyedStore(6)
        try tamper { db in
            try db.execute(sql: #"UPDATE audit_events SET details = '{"n":99}' WHERE id = 4"#)
            try recomputePlainChain(db, from: 4)
        }
        guard case .broken(4, let problem) = try verify(anchor: false) else { return XCTFail("\(try verify(anchor: false))") }
        XCTAssertTrue(problem.contains("HMAC"), problem)
    }

    /// The whole trail rewritten as plain SHA-256, the switch event removed and the ids closed up.
    func testRewritingTheWholeTrailAsUnkeyedFailsVerify() throws {
        try keyedStore(4)
        try tamper { db in
            try db.execute(sql: "DELETE FROM audit_events WHERE action = 'audit.keyed'")
            try db.execute(sql: "UPDATE audit_events SET id = id - 1")
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = seq - 1 WHERE name = 'audit_events'")
            try recomputePlainChain(db, from: 1)
        }
        guard case .broken(_, let problem) = try verify(anchor: false) else { return XCTFail("not detected") }
        XCTAssertTrue(problem.contains("no audit.keyed event"), problem)
    }

    func testDeletingTheTailAndLoweringSqliteSequenceIsCaughtByTheAnchorFile() throws {
        try keyedStore(8, every: 3)
        XCTAssertGreaterThanOrEqual(try AuditAnchorFile(path: anchorPath).read().count, 3, "checkpoints every 3 events and at the end")
        try tamper { db in
            try db.execute(sql: "DELETE FROM audit_events WHERE id > 6")
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = 6 WHERE name = 'audit_events'")
        }
        // The chain that is left is consistent: only the checkpoint outside the database shows the loss.
        guard case .intact = try verify(anchor: false) else { return XCTFail() }
        guard case .broken(7, let problem) = try verify() else { return XCTFail("truncation not detected: \(try verify())") }
        XCTAssertTrue(problem.contains("7–9") && problem.contains("removed"), problem)
    }

    func testInsertingARowIsCaught() throws {
        try keyedStore(3)
        try tamper { db in
            let head = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")!
            let id: Int64 = head["id"] + 1
            let time = "2026-01-01T00:00:00.000Z"
            let details = #"{"n":42}"#
            let canonical = AuditEvent.canonicalJSON(id: id, time: time, actor: "daemon", action: "test.event", jobID: nil, details: details)
            try db.execute(sql: "INSERT INTO audit_events (id, time, actor, action, job_id, details, prev_hash, hash) VALUES (?, ?, 'daemon', 'test.event', NULL, ?, ?, ?)",
                           arguments: [id, time, details, head["hash"], AuditEvent.chainHash(prevHash: head["hash"], canonicalJSON: canonical)])
        }
        guard case .broken(5, let problem) = try verify() else { return XCTFail("insert not detected: \(try verify())") }
        XCTAssertTrue(problem.contains("HMAC"), problem)
    }

    func testEditingARowIsCaught() throws {
        try keyedStore(4)
        try tamper { db in try db.execute(sql: "UPDATE audit_events SET actor = 'cli:mallory' WHERE id = 3") }
        guard case .broken(3, _) = try verify() else { return XCTFail("edit not detected") }
    }

    func testAnAnchorLineThatWasEditedOrCutOffIsReported() throws {
        try keyedStore(4, every: 2)
        let original = try String(contentsOfFile: anchorPath, encoding: .utf8)
        var lines = original.split(separator: "\n").map(String.init)
        let last = AuditCheckpoint.parse(line: lines.last!)!
        lines[lines.count - 1] = lines.last!.replacingOccurrences(of: last.hash, with: String(repeating: "0", count: 64))
        try (lines.joined(separator: "\n") + "\n").write(toFile: anchorPath, atomically: true, encoding: .utf8)
        guard case .broken(_, let p1) = try verify() else { return XCTFail() }
        XCTAssertTrue(p1.contains("not signed"), p1)
        try String(original.dropLast(20)).write(toFile: anchorPath, atomically: true, encoding: .utf8)
        guard case .broken(_, let p2) = try verify() else { return XCTFail() }
        XCTAssertTrue(p2.contains("cut off"), p2)
    }

    /// A database written before keying: its SHA-256 prefix is checked as such, and the switch
    /// event's HMAC covers the prefix's last hash, so a later rewrite of the prefix is caught.
    func testATrailFromBeforeKeyingIsVerifiedUpToTheSwitchAndProtectedFromIt() throws {
        let old = try QuillStore(path: dbPath)
        for i in 1...3 { try old.record(actor: "daemon", action: "test.event", details: ["n": .int(i)]) }
        let keyed = try QuillStore(path: dbPath, audit: settings())
        try keyed.record(actor: "daemon", action: "test.event", details: ["n": 4])
        let events = try keyed.auditEvents()
        XCTAssertEqual(events.map(\.action), ["test.event", "test.event", "test.event", "audit.keyed", "test.event"])
        XCTAssertTrue(events[3].details.contains(#""unkeyed_events":3"#))
        guard case .intact(5, _) = try verify(anchor: false) else { return XCTFail() }
        XCTAssertThrowsError(try QuillStore(path: dbPath).record(actor: "daemon", action: "x")) {
            guard case StoreError.auditKeyRequired = $0 else { return XCTFail("\($0)") }
        }
        try keyed.checkpoint()
        try tamper { db in
            try db.execute(sql: #"UPDATE audit_events SET details = '{"n":20}' WHERE id = 2"#)
            try recomputePlainChain(db, from: 2)
        }
        guard case .broken(4, _) = try verify(anchor: false) else { return XCTFail("prefix rewrite not detected") }
    }
}
