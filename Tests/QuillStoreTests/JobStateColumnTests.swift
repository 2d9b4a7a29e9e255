import Foundation
import GRDB
@testable import QuillStore
import XCTest

/// The `state` column as existing state folders hold it: the strings an earlier Quill wrote are
/// read as the same states, the unfinished ones are the jobs adopted and resumed, and a string
/// that names no state is reported with the row, not read as some other state.
final class JobStateColumnTests: XCTestCase {
    func testStatesWrittenByAnEarlierQuillReadBackAsTheSameKinds() throws {
        let path = NSTemporaryDirectory() + "quill-states-\(UUID().uuidString.prefix(8)).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let old = try DatabaseQueue(path: path)
        try old.write { db in
            try db.execute(sql: QuillStore.v1)
            try db.execute(sql: "PRAGMA user_version = 1")
            let sha = String(repeating: "a", count: 64)
            let outputs = #"[{"bytes":1,"name":"s.txt","sha256":"\#(sha)"}]"#
            // One row per state, owned by a runner named after it; `archived` is no state of Quill's.
            let rows: [(String, String)] = [
                ("received", "NULL, NULL, NULL, NULL, NULL, NULL"),
                ("claimed", "'\(sha)', NULL, NULL, NULL, NULL, NULL"),
                ("ingested", "'\(sha)', '[\"s\"]', NULL, NULL, NULL, NULL"),
                ("generated", "'\(sha)', '[\"s\"]', '\(outputs)', NULL, NULL, NULL"),
                ("written", "'\(sha)', '[\"s\"]', '\(outputs)', NULL, NULL, NULL"),
                ("duplicate", "'\(sha)', NULL, NULL, 5, '[\"s.txt\"]', NULL"),
                ("failed", "NULL, NULL, NULL, NULL, NULL, 'claim'"),
                ("archived", "'\(sha)', NULL, NULL, NULL, NULL, NULL"),
            ]
            for (i, (state, columns)) in rows.enumerated() {
                let reserved = state == "received" ? "NULL, NULL" : "'archive/2025-01-01/\(i).txt', '\(i).txt'"
                try db.execute(sql: """
                    INSERT INTO jobs (token, owner, state, inbox_name, claim_name, archive_path, failed_name, received_at, updated_at, size,
                                      sha256, stems, outputs, duplicate_of, earlier_outputs, failed_step)
                    VALUES ('token\(i)', '\(state)', '\(state)', '\(i).txt', 'token\(i).\(i).txt', \(reserved), 0, 0, 1, \(columns))
                    """)
            }
        }
        try old.close()

        let store = try QuillStore(path: path)
        for (i, kind) in JobState.Kind.allCases.enumerated() {
            let job = try store.job(id: Int64(i + 1))
            XCTAssertEqual(job.state.kind, kind)
            XCTAssertEqual(job.state.name, kind.rawValue, "the column's text is the kind's raw value")
        }
        XCTAssertNil(try store.job(id: 1).places.archivePath, "a received job has no places reserved yet")
        XCTAssertNil(try store.job(id: 1).places.failedName)
        XCTAssertEqual(try store.job(id: 2).places.failedName, "1.txt")
        XCTAssertThrowsError(try store.job(id: 8)) { error in
            guard case let StoreError.corruptRow(id, detail) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(id, 8)
            XCTAssertEqual(detail, "state archived", "the unknown state is named")
        }
        XCTAssertEqual(try store.ownersOfUnfinishedJobs().sorted(), ["claimed", "generated", "ingested", "received"])
        XCTAssertEqual(JobState.Kind.unfinished.map(\.rawValue), ["received", "claimed", "ingested", "generated"])
        XCTAssertEqual(try store.adoptJobs(from: "generated", to: "new"), [4])
        XCTAssertEqual(try store.unfinishedJobs(owner: "new").map(\.id), [4])
        XCTAssertEqual(try store.adoptJobs(from: "written", to: "new"), [], "a finished job is never adopted")
        XCTAssertEqual(try store.jobs(state: .written).map(\.id), [5])
        XCTAssertEqual(try store.writtenJob(sha256: String(repeating: "a", count: 64), excluding: 0)?.id, 5)
    }
}
