import Foundation
import Logging
@testable import QuillDaemon
import QuillDaemonTestSupport
import QuillStore
import XCTest

/// `retraining.schedule`: the daemon starts `quill retrain` as a child process when a run is due, records
/// its start and end, counts the next run from the last one recorded (a restart neither repeats nor skips
/// a run), and ends a run in progress when it stops. Real child processes (`/bin/sh`), real SQLite.
final class ScheduledRetrainingTests: XCTestCase {
    private var utc: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }

    private func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func testSchedulesAreReadAndBadOnesNamed() throws {
        XCTAssertEqual(try RetrainSchedule(parsing: "daily 02:00"), .daily(hour: 2, minute: 0))
        XCTAssertEqual(try RetrainSchedule(parsing: "  Daily 23:59 "), .daily(hour: 23, minute: 59))
        XCTAssertEqual(try RetrainSchedule(parsing: "every 6 hours"), .every(hours: 6))
        XCTAssertEqual(try RetrainSchedule(parsing: "every 1 hour"), .every(hours: 1))
        XCTAssertNil(try RetrainSchedule(parsing: ""))
        for bad in ["daily 24:00", "daily 2:5", "daily", "weekly 02:00", "every 0 hours", "every six hours", "daily 02:00 UTC"] {
            XCTAssertThrowsError(try RetrainSchedule(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("\"\(bad)\""), "\(error)")
            }
        }
        var config = QuillConfig()
        config.paths.state = "/tmp/x"
        config.retraining.schedule = "nightly"
        XCTAssertThrowsError(try config.validate(file: "quill.toml")) { error in
            XCTAssertTrue("\(error)".contains("retraining.schedule is \"nightly\""), "\(error)")
        }
    }

    func testTheNextRunCountsFromTheLastOne() {
        let daily = RetrainSchedule.daily(hour: 2, minute: 0)
        XCTAssertEqual(daily.next(after: date("2026-03-01T01:00:00Z"), calendar: utc), date("2026-03-01T02:00:00Z"))
        XCTAssertEqual(daily.next(after: date("2026-03-01T02:00:00Z"), calendar: utc), date("2026-03-02T02:00:00Z"))
        // Down over the night of the 2nd: the run missed at 02:00 on the 3rd is due when the daemon is back.
        XCTAssertLessThan(daily.next(after: date("2026-03-02T02:00:05Z"), calendar: utc), date("2026-03-03T09:00:00Z"))
        XCTAssertEqual(daily.first(from: date("2026-03-01T03:00:00Z"), calendar: utc), date("2026-03-02T02:00:00Z"))
        let every = RetrainSchedule.every(hours: 6)
        XCTAssertEqual(every.next(after: date("2026-03-01T03:00:00Z")), date("2026-03-01T09:00:00Z"))
        XCTAssertEqual(every.first(from: date("2026-03-01T03:00:00Z")), date("2026-03-01T03:00:00Z"))
    }

    func testADueRunStartsOnceIsRecordedAndARestartDoesNotRepeatIt() throws {
        let h = Harness()
        let store = try h.store()
        var starts = 0
        let clock = ScheduledRetraining(store: store, logger: Logger(label: "test"), start: {
            starts += 1
            return try ChildProcessRun(executable: "/bin/sh", arguments: ["-c", "exit 3"])
        })
        let schedule = RetrainSchedule.every(hours: 1)
        XCTAssertNotNil(clock.tick(schedule: schedule))
        XCTAssertEqual(starts, 1)
        eventually("the child's end is recorded") {
            _ = clock.tick(schedule: schedule)
            return ((try? store.auditEvents()) ?? []).contains { $0.action == "retraining.finished" }
        }
        let finished = try XCTUnwrap(store.auditEvents().last { $0.action == "retraining.finished" })
        XCTAssertTrue(finished.details.contains("\"exit_status\":3"), finished.details)
        // Next due an hour after the start, not at once; a new daemon reads the same from the trail.
        let next = try XCTUnwrap(clock.tick(schedule: schedule))
        XCTAssertGreaterThan(next.timeIntervalSinceNow, 3500)
        let restarted = ScheduledRetraining(store: store, logger: Logger(label: "test"), start: {
            XCTFail("started again after a restart"); return try ChildProcessRun(executable: "/bin/true", arguments: [])
        })
        XCTAssertGreaterThan(try XCTUnwrap(restarted.tick(schedule: schedule)).timeIntervalSinceNow, 3500)
        XCTAssertNil(restarted.tick(schedule: nil), "no schedule, no run")
        XCTAssertEqual(try store.auditEvents().filter { $0.action == "retraining.started" }.count, 1)
        XCTAssertEqual(starts, 1)
    }

    func testTheServingDaemonStartsADueRunAndEndsItWhenItStops() throws {
        let h = Harness()
        h.config.retraining.schedule = "every 12 hours"
        let pidFile = h.root + "/child.pid"
        var logger = Logger(label: "quill.test")
        logger.logLevel = .warning
        let daemon = Daemon(config: h.config, processor: SectionTextProcessor(), logger: logger, startRetraining: {
            try ChildProcessRun(executable: "/bin/sh", arguments: ["-c", "echo $$ > '\(pidFile)'; exec sleep 60"])
        })
        let stop = h.serve(daemon)
        eventually("the scheduled run started") { FileManager.default.fileExists(atPath: pidFile) }
        h.drop("a.txt", Harness.note(1))
        eventually("documents are processed while it runs") { h.visibleOutbox().count == 2 }
        _ = stop()
        let pid = try XCTUnwrap(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        eventually("the child ended with the daemon") { kill(pid, 0) != 0 }
        let actions = try h.store().auditEvents().map(\.action)
        XCTAssertEqual(actions.filter { $0 == "retraining.started" }.count, 1)
        XCTAssertEqual(actions.filter { $0 == "retraining.stopped" }.count, 1)
        guard case .intact = try h.store().verifyAudit() else { return XCTFail("audit chain broken") }
    }
}
