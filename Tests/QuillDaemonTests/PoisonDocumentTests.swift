import Foundation
import QuillDaemon
import QuillStore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A document that takes the process down (a trap in the model or the fact checker, a hang the
/// watchdog ends) is set aside after `jobs.max_attempts` such runs, instead of being adopted first
/// and crashing the restarted service again for ever.
final class PoisonDocumentTests: XCTestCase {
    /// No backtrace collection: a crash of the child should end it at once.
    let childEnvironment = ["SWIFT_BACKTRACE": "enable=no"]

    /// `quill process` restarted after each crash, as systemd's `Restart=` does: the crashing file
    /// ends in `failed/` saying it stopped the worker twice, and every other file is processed.
    func testADocumentThatCrashesTheProcessIsFailedAfterMaxAttemptsAndTheOthersAreProcessed() throws {
        let h = Harness()
        h.drop("poison.txt", "Assessment: QUILL-TEST-CRASH\nPlan: none.\n")
        let others = (1...3).map { "after-\($0).txt" }
        for (i, n) in others.enumerated() { h.drop(n, Harness.note(700 + i)) }

        var crashes = 0
        var cleanExit = false
        for _ in 0..<6 {
            let child = try startHost(["once", "--state", h.root, "--max-attempts", "2"], environment: childEnvironment)
            child.waitUntilExit()
            if child.terminationReason == .uncaughtSignal { crashes += 1; continue }
            XCTAssertEqual(child.terminationStatus, 0)
            cleanExit = true
            break
        }
        XCTAssertTrue(cleanExit, "a run finished without crashing (\(crashes) crashes)")
        XCTAssertEqual(crashes, 2, "the document stopped the worker exactly jobs.max_attempts times")
        XCTAssertTrue(h.list("failed").contains("poison.txt"))
        let reason = try failureReason(h, "poison.txt")
        XCTAssertTrue(reason.contains("stopped the worker 2 times"), reason)
        try h.assertEveryInputSettledOnce(others)

        let store = try h.store()
        let poison = try XCTUnwrap(store.jobs().first { $0.inboxName == "poison.txt" })
        let events = try store.auditEvents(jobID: poison.id)
        let failed = try XCTUnwrap(events.last)
        XCTAssertEqual(failed.action, "job.failed")
        XCTAssertTrue(failed.details.contains("stopped the worker 2 times"), failed.details)
        XCTAssertEqual(events.filter { $0.action == "job.attempt_started" }.count, 1,
                       "the claim began the first run, a restart the second, and no third began")
    }

    /// A processor that ignores the interruption at its time limit: the watchdog pings stop, the
    /// (emulated) systemd kills the process with SIGABRT and restarts it, and after two such runs the
    /// file is failed; the file behind it is processed.
    func testAHangThatIgnoresTheTimeLimitEndsInFailedThroughTheWatchdogAndRestarts() throws {
        let h = Harness()
        h.drop("hang.txt", "Assessment: QUILL-TEST-HANG\nPlan: none.\n")
        h.drop("next.txt", Harness.note(31))
        var kills = 0
        var rounds = 0
        while rounds < 6 && !h.list("failed").contains("hang.txt") {
            rounds += 1
            let listener = NotifyListener(path: h.root + "/notify-\(rounds).sock")
            let child = try startHost(["serve", "--state", h.root, "--max-attempts", "2", "--timeout", "0.3", "--rescan", "0.2"],
                                      environment: childEnvironment.merging(["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"]) { $1 })
            // systemd's side: no ping for well over WatchdogSec kills the service; it is restarted.
            let end = Date().addingTimeInterval(10)
            var killed = false
            while Date() < end && child.isRunning {
                Thread.sleep(forTimeInterval: 0.05)
                guard let last = listener.pings.last ?? listener.messages.first?.time else { continue }
                if h.list("failed").contains("hang.txt") && h.visibleOutbox().count == 2 { break }
                if Date().timeIntervalSince(last) > 1.5 {
                    kill(child.processIdentifier, SIGABRT)
                    killed = true
                    break
                }
            }
            let settled = h.list("failed").contains("hang.txt")
            if !killed && child.isRunning { kill(child.processIdentifier, settled ? SIGTERM : SIGKILL) }
            child.waitUntilExit()
            listener.close()
            if killed { kills += 1 } else if !settled { break }  // the pings never stopped
        }
        XCTAssertEqual(kills, 2, "the watchdog ended the hung worker jobs.max_attempts times")
        XCTAssertTrue(h.list("failed").contains("hang.txt"))
        let reason = try failureReason(h, "hang.txt")
        XCTAssertTrue(reason.contains("stopped the worker 2 times"), reason)
        eventually("the next file is processed") { h.visibleOutbox().count == 2 }
        if h.visibleOutbox().count != 2 {
            let last = try startHost(["once", "--state", h.root], environment: childEnvironment)
            last.waitUntilExit()
        }
        try h.assertEveryInputSettledOnce(["next.txt"])
    }
}
