import Foundation
import Logging
import QuillStore

/// A retraining run the daemon started: `quill serve` starts `quill retrain` as a child process, so that
/// training runs at its own low priority, in its own memory, and a crash in it cannot take the daemon down.
public protocol BackgroundRun: AnyObject {
    /// The exit status once the run has ended; `nil` while it runs.
    var exitStatus: Int32? { get }
    /// Asks the run to end (SIGTERM). Its unfinished candidate is removed by the next run.
    func terminate()
}

/// The daemon's retraining clock (`retraining.schedule`): starts a run when one is due and none is going,
/// and records each start and end in the audit trail. The next start counts from the last recorded one, so
/// a restart neither skips a day nor runs twice; a run missed while the daemon was down starts when it is back.
final class ScheduledRetraining {
    static let startedAction = "retraining.started"

    private let start: () throws -> BackgroundRun
    private let store: QuillStore
    private let logger: Logger
    /// The last start recorded; `nil` before the first.
    private var last: Date?
    private var running: (run: BackgroundRun, since: Date)?
    /// How often a running child is looked at.
    static let pollSeconds = 2.0

    init(store: QuillStore, logger: Logger, start: @escaping () throws -> BackgroundRun) {
        self.store = store
        self.logger = logger
        self.start = start
        last = ((try? store.lastAuditEvent(action: Self.startedAction)) ?? nil)?.date
    }

    /// Called by the intake loop on every round; returns when it next wants to be called (`nil`: no schedule).
    func tick(schedule: RetrainSchedule?, now: Date = Date()) -> Date? {
        if let (run, since) = running, let status = run.exitStatus {
            running = nil
            let seconds = Int(now.timeIntervalSince(since))
            _ = try? store.record(actor: "daemon", action: "retraining.finished", details: ["exit_status": .int(Int(status)), "seconds": .int(seconds)])
            if status == 0 { logger.info("retraining.finished", metadata: ["seconds": "\(seconds)"]) } else {
                logger.error("retraining.failed", metadata: ["exit_status": "\(status)", "seconds": "\(seconds)"])
            }
        }
        if running != nil { return now.addingTimeInterval(Self.pollSeconds) }
        guard let schedule else { return nil }
        let due = last.map { schedule.next(after: $0) } ?? schedule.first(from: now)
        if now < due { return due }
        last = now
        do {
            let run = try start()
            running = (run, now)
            _ = try? store.record(actor: "daemon", action: Self.startedAction, details: ["schedule": .string(schedule.description)])
            logger.info("retraining.started", metadata: ["schedule": "\(schedule)"])
            return now.addingTimeInterval(Self.pollSeconds)
        } catch {
            _ = try? store.record(actor: "daemon", action: "retraining.start_failed", details: ["error": .string(PrivacySafe.text(error))])
            logger.error("retraining.start_failed", metadata: ["error": "\(PrivacySafe.text(error))"])
            return schedule.next(after: now)
        }
    }

    /// The daemon is stopping: a run in progress is ended, and the trail says so.
    func stop() {
        guard let (run, since) = running else { return }
        running = nil
        run.terminate()
        _ = try? store.record(actor: "daemon", action: "retraining.stopped", details: ["seconds": .int(Int(Date().timeIntervalSince(since)))])
        logger.notice("retraining.stopped")
    }
}
