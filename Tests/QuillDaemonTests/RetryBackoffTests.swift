import Foundation
import QuillDaemon
import QuillDaemonTestSupport
import QuillStore
import XCTest

/// Errors that are not the document's fault are retried with growing pauses that outlive a
/// restart, and the service says what is wrong (the kind, never a file name).
final class RetryBackoffTests: XCTestCase {
    /// The outbox's staging folder replaced by a file: every write of outputs fails with ENOTDIR
    /// (for root too, unlike a chmod).
    private func breakStaging(_ h: Harness) throws {
        try FileManager.default.removeItem(atPath: h.outbox + "/.quill-staging")
        XCTAssertTrue(FileManager.default.createFile(atPath: h.outbox + "/.quill-staging", contents: Data()))
    }

    /// The folder check at start refuses a file in the staging folder's place, so it is broken
    /// only once the daemon is running.
    private func waitUntilStarted(_ h: Harness) {
        eventually("the daemon started") { (try? h.store().auditEvents().contains { $0.action == "daemon.started" }) ?? false }
    }

    private func repairStaging(_ h: Harness) throws {
        try FileManager.default.removeItem(atPath: h.outbox + "/.quill-staging")
        try FileManager.default.createDirectory(atPath: h.outbox + "/.quill-staging", withIntermediateDirectories: false)
    }

    /// Error log records of job 1, one per try that failed.
    private func failedTries(_ logs: LogRecords) -> [LogRecords.Record] {
        logs.all.filter { $0.level >= .error && $0.metadata["job"] == "1" }
    }

    func testAnUnwritableOutboxIsRetriedWithGrowingPausesAndStatusSaysWhatIsWrong() throws {
        let h = Harness(rescan: 0.1)  // a rescan every 0.1 s: it must not drive the retries
        h.config.jobs.retryBaseSeconds = 0.2
        h.config.jobs.retryMaxSeconds = 0.8
        let logs = LogRecords()
        let listener = NotifyListener(path: h.root + "/notify.sock")
        defer { listener.close() }
        let daemon = Daemon(config: h.config, processor: SectionTextProcessor(), logger: logs.logger(),
                            notifier: SystemdNotifier(notifySocket: listener.path, watchdogUSec: nil, watchdogPID: nil))
        let stop = h.serve(daemon)
        waitUntilStarted(h)
        try breakStaging(h)
        h.drop("ward-bed-12.txt", Harness.note(12))
        Thread.sleep(forTimeInterval: 3.0)

        // Tries at about 0, 0.2, 0.6, 1.4, 2.2 s: pauses of 0.2, 0.4, 0.8, 0.8 (the cap).
        let tries = failedTries(logs)
        XCTAssertGreaterThanOrEqual(tries.count, 3, "\(tries.map(\.message))")
        XCTAssertLessThanOrEqual(tries.count, 7, "backed off, not retried at every rescan: \(tries.count) tries in 3 s")
        let pauses = zip(tries, tries.dropFirst()).map { $1.time.timeIntervalSince($0.time) }
        if pauses.count >= 3 {
            XCTAssertGreaterThan(pauses[2], pauses[0] * 1.5, "pauses grow: \(pauses)")
        }
        XCTAssertTrue(tries.allSatisfy { $0.metadata["error_kind"]?.contains("ENOTDIR") ?? false },
                      "each try's log record names the error kind: \(tries.map(\.metadata))")
        let status = listener.statuses.last ?? ""
        XCTAssertTrue(status.contains("ENOTDIR"), "STATUS says what is wrong: \(status)")
        let everything = logs.all.map { $0.message + " " + $0.metadata.values.joined(separator: " ") } + listener.statuses
        XCTAssertFalse(everything.contains { $0.contains("ward-bed") }, "no file names in logs or STATUS")

        // The database opened directly: opening the state root checks its folders, and staging is broken.
        let events = try QuillStore(path: StateRoot(config: h.config).database).auditEvents(jobID: 1).filter { $0.action == "job.retry_scheduled" }
        XCTAssertEqual(events.count, tries.count, "each error is in the audit trail")
        XCTAssertTrue(events.allSatisfy { $0.details.contains("ENOTDIR") && !$0.details.contains("ward-bed") })

        try repairStaging(h)
        eventually("the next try succeeds", timeout: 5) { h.visibleOutbox().count == 2 }
        Thread.sleep(forTimeInterval: 0.2)
        _ = stop()
        XCTAssertFalse(listener.statuses.last?.contains("problem") ?? true, "the problem is cleared: \(listener.statuses.last ?? "")")
        try h.assertEveryInputSettledOnce(["ward-bed-12.txt"])
    }

    /// The time of the next try is stored: a restart does not try the job again before it (a
    /// service restarted in a loop would otherwise retry at once each time).
    func testTheBackOffOutlivesARestart() throws {
        let h = Harness()
        h.config.jobs.retryBaseSeconds = 2.5
        h.config.jobs.retryMaxSeconds = 2.5
        let first = LogRecords()
        let stopFirst = h.serve(Daemon(config: h.config, processor: SectionTextProcessor(), logger: first.logger()))
        waitUntilStarted(h)
        try breakStaging(h)
        h.drop("a.txt", Harness.note(5))
        eventually("the first try failed") { !self.failedTries(first).isEmpty }
        _ = stopFirst()
        try repairStaging(h)

        let second = LogRecords()
        let restarted = Date()
        let stopSecond = h.serve(Daemon(config: h.config, processor: SectionTextProcessor(), logger: second.logger()))
        Thread.sleep(forTimeInterval: 1.0)
        XCTAssertEqual(h.visibleOutbox(), [], "not tried again before its stored time")
        eventually("tried once its time came", timeout: 6) { h.visibleOutbox().count == 2 }
        XCTAssertGreaterThan(Date().timeIntervalSince(restarted), 1.5)
        _ = stopSecond()
        try h.assertEveryInputSettledOnce(["a.txt"])
    }
}
