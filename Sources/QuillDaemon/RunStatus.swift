import Foundation

/// What a run has done so far: the counts `run` returns, the last job's outcome and the last
/// error's kind, for systemd's `STATUS=` line. Workers write it; the daemon's thread reads it.
final class RunStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var summary = Daemon.Summary()
    private var lastEvent = "started"
    /// The last error's kind and what follows; cleared by the next job that succeeds.
    private var problem: String?

    /// A job's run ended.
    func record(_ outcome: JobRunner.Outcome, job: Int64?) {
        lock.lock(); defer { lock.unlock() }
        switch outcome {
        case .written: summary.written += 1; problem = nil
        case .duplicate: summary.duplicates += 1; problem = nil
        case .failed: summary.failed += 1
        case .abandoned: summary.abandoned += 1
        case .requeued: summary.requeued += 1
        }
        if let job { lastEvent = "job \(job) \(Self.word(outcome))" }
    }

    /// An error that will be tried again later (`JobRunner.RetryLater`).
    func recordRetry(_ r: JobRunner.RetryLater) {
        lock.lock(); defer { lock.unlock() }
        summary.errors += 1
        problem = "job \(r.jobID): \(r.errorKind); try \(r.schedule.errors + 1) in \(Int(r.schedule.delaySeconds.rounded(.up))) s"
    }

    /// Any other error.
    func recordError() {
        lock.lock(); defer { lock.unlock() }
        summary.errors += 1
    }

    var counts: Daemon.Summary {
        lock.lock(); defer { lock.unlock() }
        return summary
    }

    /// The `STATUS=` text.
    func line(waiting: Int, busy: Int, stuck: (job: Int64?, seconds: Double)?) -> String {
        lock.lock(); defer { lock.unlock() }
        var status = "\(waiting) waiting, \(busy) in progress; last: \(lastEvent)"
        if let problem { status += "; problem: " + problem }
        if let stuck {
            status += "; worker stuck on job \(stuck.job.map { String($0) } ?? "-") past jobs.timeout_seconds, watchdog pings stopped"
        }
        return status
    }

    private static func word(_ o: JobRunner.Outcome) -> String {
        switch o {
        case .written: return "written"
        case .duplicate: return "duplicate"
        case .failed: return "failed"
        case .abandoned: return "taken by another runner"
        case .requeued: return "re-queued"
        }
    }
}
