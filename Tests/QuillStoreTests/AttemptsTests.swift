import Foundation
import GRDB
@testable import QuillStore
import XCTest

/// Schema v2: runs and errors of a job, on a database an earlier Quill left behind.
final class AttemptsTests: XCTestCase {
    func testADatabaseFromBeforeAttemptsIsUpgradedAndItsRunsAndErrorsAreCounted() throws {
        let path = NSTemporaryDirectory() + "quill-attempts-\(UUID().uuidString.prefix(8)).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        // A version-1 file with a job left in `ingested` by a runner that is gone.
        let old = try DatabaseQueue(path: path)
        try old.write { db in
            try db.execute(sql: QuillStore.v1)
            try db.execute(sql: "PRAGMA user_version = 1")
            try db.execute(sql: """
                INSERT INTO jobs (token, owner, state, inbox_name, claim_name, received_at, updated_at, sha256, size, stems)
                VALUES ('0123456789ab', 'gone', 'ingested', 'a.txt', '0123456789ab.a.txt', 0, 0, 'abc', 3, '["a"]')
                """)
        }
        try old.close()

        let store = try QuillStore(path: path)
        let job = try store.job(id: 1)
        XCTAssertEqual(job.attempts, JobAttempts(), "an upgraded job starts with no runs and no errors")
        XCTAssertEqual(try store.beginAttempt(job, maxStops: 2), .begun(number: 1))
        // The first run never ended (the process died): the second is the last allowed.
        XCTAssertEqual(try store.beginAttempt(job, maxStops: 2), .begun(number: 2))
        XCTAssertEqual(try store.beginAttempt(job, maxStops: 2), .exhausted(stoppedWorker: 2))
        XCTAssertEqual(try store.job(id: 1).attempts.stoppedWorker, 2)

        // A run that ends with the process alive does not count against the job.
        try store.endAttempt(job, reason: "requeued")
        XCTAssertEqual(try store.beginAttempt(job, maxStops: 2), .begun(number: 3))

        // Back-off: base, doubled, then the cap, for any number of errors.
        var delays = [Double]()
        for _ in 0..<70 {
            delays.append(try store.scheduleRetry(job, errorKind: "write: ENOSPC (No space left on device)", endsAttempt: false,
                                                  baseSeconds: 10, maxSeconds: 35).delaySeconds)
        }
        XCTAssertEqual(Array(delays.prefix(4)), [10, 20, 35, 35])
        XCTAssertEqual(delays.last, 35)
        let stored = try store.job(id: 1).attempts
        XCTAssertEqual(stored.errors, 70)
        XCTAssertEqual(stored.lastErrorKind, "write: ENOSPC (No space left on device)")
        let wait = try XCTUnwrap(stored.nextAttemptAt).timeIntervalSinceNow
        XCTAssertTrue(wait > 30 && wait <= 35, "\(wait)")

        let actions = try store.auditEvents(jobID: 1).map(\.action)
        XCTAssertEqual(actions.filter { $0 == "job.attempt_started" }.count, 3)
        XCTAssertEqual(actions.filter { $0 == "job.retry_scheduled" }.count, 70)
        XCTAssertTrue(actions.contains("job.attempt_ended"))
        guard case .intact = try store.verifyAudit() else { return XCTFail("audit chain broken") }
    }
}
