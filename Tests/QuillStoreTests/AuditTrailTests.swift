import Digests
import Foundation
import GRDB
import QuillStore
import XCTest

final class CanonicalJSONTests: XCTestCase {
    func testSortsKeysWritesNoWhitespaceAndEscapesOnlyWhatItMust() {
        let v: JSONValue = ["b": 1, "a": ["x": true, "é": nil, "A": "q\"\\\n/ü"], "c": [1, "two"]]
        XCTAssertEqual(v.canonical, #"{"a":{"A":"q\"\\\u000a/ü","x":true,"é":null},"b":1,"c":[1,"two"]}"#)
    }
}

final class AuditTrailTests: XCTestCase {
    var dir: String!

    override func setUp() {
        dir = NSTemporaryDirectory() + "quill-store-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    private func storeWithEvents(_ n: Int) throws -> QuillStore {
        let store = try QuillStore(path: dir + "/quill.sqlite")
        for i in 1...n { try store.record(actor: "daemon", action: "test.event", details: ["n": .int(i), "note": .string("event \(i)")]) }
        return store
    }

    func testTheDatabaseIsPrivateAndInWALMode() throws {
        let store = try storeWithEvents(1)
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let mode = try DatabaseQueue(path: store.path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
    }

    func testAnUntouchedChainVerifiesAndEachHashIsRecomputableFromItsRow() throws {
        let store = try storeWithEvents(5)
        guard case .intact(let rows, _) = try store.verifyAudit() else { return XCTFail("chain should verify") }
        XCTAssertEqual(rows, 5)
        let events = try store.auditEvents()
        XCTAssertEqual(events.first?.prevHash, AuditEvent.genesisHash)
        for (prev, e) in zip(events, events.dropFirst()) { XCTAssertEqual(e.prevHash, prev.hash) }
        let e = events[2]
        let canonical = #"{"action":"test.event","actor":"daemon","details":{"n":3,"note":"event 3"},"id":3,"job_id":null,"time":"\#(e.time)"}"#
        XCTAssertEqual(e.hash, SHA256.hex(Array(e.prevHash.utf8) + Array(canonical.utf8)))
    }

    func testTheTableRefusesUpdatesAndDeletes() throws {
        let store = try storeWithEvents(2)
        let db = try DatabaseQueue(path: store.path)
        XCTAssertThrowsError(try db.write { try $0.execute(sql: "UPDATE audit_events SET actor = 'x' WHERE id = 1") })
        XCTAssertThrowsError(try db.write { try $0.execute(sql: "DELETE FROM audit_events WHERE id = 1") })
    }

    /// Someone opens the SQLite file, drops the guard trigger and edits event 3's details.
    func testEditingOneRowByHandMakesVerifyNameThatRow() throws {
        let store = try storeWithEvents(6)
        try store.checkpoint()
        try DatabaseQueue(path: store.path).write { db in
            try db.execute(sql: "DROP TRIGGER audit_events_no_update")
            try db.execute(sql: #"UPDATE audit_events SET details = '{"n":3,"note":"event three"}' WHERE id = 3"#)
        }
        let result = try QuillStore(path: store.path).verifyAudit()
        guard case .broken(let row, let problem) = result else { return XCTFail("tampering not detected") }
        XCTAssertEqual(row, 3)
        XCTAssertTrue(problem.contains("altered"), problem)
    }

    /// A byte changed in the file itself, below SQLite: the edit bypasses triggers entirely.
    func testFlippingBytesInTheFileMakesVerifyNameThatRow() throws {
        let store = try storeWithEvents(6)
        try store.checkpoint()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: store.path))
        let needle = Data("event 4".utf8)
        guard let range = bytes.range(of: needle) else { return XCTFail("row text not found in file") }
        bytes[range.upperBound - 1] = UInt8(ascii: "9")
        try bytes.write(to: URL(fileURLWithPath: store.path))
        guard case .broken(let row, _) = try QuillStore(path: store.path).verifyAudit() else { return XCTFail("tampering not detected") }
        XCTAssertEqual(row, 4)
    }

    func testRemovingARowOrTheLastRowIsNamed() throws {
        let store = try storeWithEvents(6)
        try DatabaseQueue(path: store.path).write { db in
            try db.execute(sql: "DROP TRIGGER audit_events_no_delete")
            try db.execute(sql: "DELETE FROM audit_events WHERE id = 4")
        }
        guard case .broken(let row, let problem) = try store.verifyAudit() else { return XCTFail() }
        XCTAssertEqual(row, 4)
        XCTAssertTrue(problem.contains("removed"), problem)

        let other = dir + "/b"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        let store2 = try QuillStore(path: other + "/quill.sqlite")
        for i in 1...3 { try store2.record(actor: "daemon", action: "test.event", details: ["n": .int(i)]) }
        try DatabaseQueue(path: store2.path).write { db in
            try db.execute(sql: "DROP TRIGGER audit_events_no_delete")
            try db.execute(sql: "DELETE FROM audit_events WHERE id = 3")
        }
        guard case .broken(let last, _) = try store2.verifyAudit() else { return XCTFail("truncation not detected") }
        XCTAssertEqual(last, 3)
    }
}

final class JobStoreTests: XCTestCase {
    func testEachTransitionIsOneEventAndAStaleRunnerCannotMoveAJob() throws {
        let dir = NSTemporaryDirectory() + "quill-jobs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try QuillStore(path: dir + "/quill.sqlite")
        var job = try store.receive(inboxName: "a.txt", size: 3, owner: "r1")
        XCTAssertNil(job.places.archivePath, "places are reserved at the claim")
        job = try store.reservePlaces(job, archiveDay: "2025-01-01", isTaken: { _ in false })
        XCTAssertEqual(job.places.archivePath, "archive/2025-01-01/a.txt")
        var second = try store.receive(inboxName: "a.txt", size: 3, owner: "r1")
        second = try store.reservePlaces(second, archiveDay: "2025-01-01", isTaken: { _ in false })
        XCTAssertEqual(second.places.archivePath, "archive/2025-01-01/a.\(second.id).txt", "a second file of the same name gets its own place")
        XCTAssertEqual(second.places.failedName, "a.\(second.id).txt")
        let input = ClaimedInput(sha256: String(repeating: "a", count: 64), size: 3)
        job = try store.transition(job, to: .claimed(input))
        let stale = job
        job = try store.transition(job, to: .ingested(input, stems: ["a"]))
        XCTAssertThrowsError(try store.transition(stale, to: .ingested(input, stems: ["a"]))) { error in
            guard case StoreError.jobChanged = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try store.job(id: job.id).state, .ingested(input, stems: ["a"]))
        XCTAssertEqual(try store.auditEvents(jobID: job.id).map(\.action), ["job.received", "job.claimed", "job.ingested"])
        let adopted = try store.adoptJobs(from: "r1", to: "r2")
        XCTAssertEqual(adopted, [job.id, second.id])
        XCTAssertEqual(try store.unfinishedJobs(owner: "r2").count, 2)
    }
}
