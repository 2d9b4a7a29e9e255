import Foundation
import QuillDaemon
import QuillDaemonTestSupport
import QuillStore
import XCTest

/// `jobs.timeout_seconds`, and watchdog pings that prove the workers are alive.
final class TimeLimitAndWatchdogTests: XCTestCase {
    /// A processor that honours the interruption is stopped at the limit: the file fails with a
    /// timeout, promptly, and the file behind it is processed.
    func testADocumentOverTheTimeLimitIsStoppedAndFailsAndTheNextIsProcessed() throws {
        let h = Harness()
        h.config.jobs.timeoutSeconds = 0.5
        h.drop("slow.txt", "Assessment: QUILL-TEST-SLOW\nPlan: wait.\n")
        h.drop("quick.txt", Harness.note(1))
        let started = Date()
        let daemon = Daemon(config: h.config, processor: SectionTextProcessor(slowSeconds: 30), logger: LogRecords().logger())
        let summary = try daemon.run(.once)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "stopped at the limit, not after the processor's 30 s")
        XCTAssertEqual(summary.failed, 1)
        XCTAssertEqual(summary.written, 1)
        let reason = try failureReason(h, "slow.txt")
        XCTAssertTrue(reason.contains("jobs.timeout_seconds"), reason)
        try h.assertEveryInputSettledOnce(["quick.txt"])
        let slow = try XCTUnwrap(h.store().jobs().first { $0.inboxName == "slow.txt" })
        guard case .failed(.generate, _, _) = slow.state else { return XCTFail("\(slow.state)") }
    }

    /// A processor that ignores the interruption keeps its worker busy: the intake loop alone is not
    /// proof of life, so the watchdog pings stop (systemd would restart the service), `STATUS=` says
    /// why, and they resume once the worker is free again.
    func testAWorkerStuckPastTheTimeLimitStopsTheWatchdogPings() throws {
        let h = Harness()
        h.config.jobs.timeoutSeconds = 0.3  // stuck after the limit and a second of grace
        let listener = NotifyListener(path: h.root + "/notify.sock")
        defer { listener.close() }
        let notifier = SystemdNotifier(notifySocket: listener.path, watchdogUSec: "200000", watchdogPID: nil)
        let daemon = Daemon(config: h.config, processor: SectionTextProcessor(slowSeconds: 3), logger: LogRecords().logger(),
                            notifier: notifier)
        let stop = h.serve(daemon)
        Thread.sleep(forTimeInterval: 0.3)
        h.drop("hang.txt", "Assessment: QUILL-TEST-HANG\nPlan: none.\n")
        eventually("the stuck job has ended", timeout: 15) { h.list("failed").contains("hang.txt") }
        Thread.sleep(forTimeInterval: 0.5)
        _ = stop()

        let pings = listener.pings
        let gap = NotifyListener.longestGap(pings)
        XCTAssertGreaterThan(gap, 1.0, "no ping while the worker was stuck (pings every 0.1 s otherwise)")
        XCTAssertLessThan(gap, 3.5, "pings resumed once the worker was free")
        XCTAssertTrue(listener.statuses.contains { $0.contains("stuck") }, "\(listener.statuses)")
        XCTAssertFalse(listener.statuses.contains { $0.contains("hang.txt") }, "STATUS names no file")
        let reason = try failureReason(h, "hang.txt")
        XCTAssertTrue(reason.contains("jobs.timeout_seconds"), "a late result is still a timeout: \(reason)")
        XCTAssertEqual(h.visibleOutbox(), [])
    }
}
