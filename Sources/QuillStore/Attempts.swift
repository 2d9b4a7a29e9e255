import Foundation
import GRDB

/// Attempts and retries (schema v2). A document that takes the process down (a crash in the
/// reader or the model, the watchdog's kill of a hung worker) must not do so for ever: every run
/// of the steps that read the content is counted durably before it starts, and counted again when
/// it ends with the process alive. A run begun and never ended stopped the worker; after
/// `jobs.max_attempts` of those the job is failed instead of run again.
///
/// Errors that are not the document's fault (a full disk, an unwritable outbox) are retried, each
/// time after a longer pause, and the pause's end is stored so that it outlives a restart.
extension QuillStore {
    /// The transition to `claimed` begins the first run: it is the one every job takes on its way
    /// to reading the content, and counting there costs no transaction of its own. Later runs
    /// (a job resumed after a restart or a retry) begin with `beginAttempt`.
    static func beginsAttempt(_ state: JobState) -> Bool {
        if case .claimed = state { return true }
        return false
    }

    public enum AttemptStart: Sendable, Equatable {
        case begun(number: Int)
        /// Runs of this job stopped the worker this many times; do not begin another.
        case exhausted(stoppedWorker: Int)
    }

    /// Counts a new run of `job` (in the state it was read in), unless earlier runs already
    /// stopped the worker `maxStops` times.
    public func beginAttempt(_ job: Job, maxStops: Int) throws -> AttemptStart {
        try write { db in
            try Self.expect(db, job, job.state.kind)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [job.id]) else { throw StoreError.noSuchJob(id: job.id) }
            let attempts = Self.attempts(row)
            let stopped = attempts.stoppedWorker
            if stopped >= maxStops { return .exhausted(stoppedWorker: stopped) }
            let number = attempts.begun &+ 1
            try db.execute(sql: "UPDATE jobs SET attempts_begun = ?, updated_at = ? WHERE id = ?",
                           arguments: [number, Date().timeIntervalSince1970, job.id])
            try Self.appendEvent(db, actor: Self.actor, action: "job.attempt_started", jobID: job.id, details: [
                "attempt": .int(number), "state": .string(job.state.name), "stopped_worker_before": .int(stopped),
            ])
            return .begun(number: number)
        }
    }

    /// The run in progress ended with the process alive (re-queued on a stop request).
    public func endAttempt(_ job: Job, reason: String) throws {
        try write { db in
            try Self.updateOwned(db, job, sql: "attempts_ended = attempts_ended + 1")
            try Self.appendEvent(db, actor: Self.actor, action: "job.attempt_ended", jobID: job.id, details: ["reason": .string(reason)])
        }
    }

    /// When a job that met an error is tried again.
    public struct RetrySchedule: Sendable, Equatable {
        /// Errors this job has met, this one included.
        public var errors: Int
        public var delaySeconds: Double
        public var nextAttemptAt: Date
    }

    /// Records an error of kind `errorKind` (never a file name or document text) and the time of
    /// the next try: `baseSeconds` after the first error, doubling with each further one, at most
    /// `maxSeconds`. `endsAttempt`: the error ended a run that `beginAttempt` (or the claim) began.
    public func scheduleRetry(_ job: Job, errorKind: String, endsAttempt: Bool,
                              baseSeconds: Double, maxSeconds: Double) throws -> RetrySchedule {
        try write { db in
            let errors = try (Int.fetchOne(db, sql: "SELECT errors FROM jobs WHERE id = ?", arguments: [job.id]) ?? 0) &+ 1
            let delay = Self.backoff(errors: errors, baseSeconds: baseSeconds, maxSeconds: maxSeconds)
            let next = Date().addingTimeInterval(delay)
            try Self.updateOwned(db, job, sql: "errors = ?, last_error_kind = ?, next_attempt_at = ?, attempts_ended = attempts_ended + ?",
                                 arguments: [errors, errorKind, next.timeIntervalSince1970, endsAttempt ? 1 : 0])
            try Self.appendEvent(db, actor: Self.actor, action: "job.retry_scheduled", jobID: job.id, details: [
                "error_kind": .string(errorKind), "errors": .int(errors), "retry_in_seconds": .int(Int(delay.rounded(.up))),
            ])
            return RetrySchedule(errors: errors, delaySeconds: delay, nextAttemptAt: next)
        }
    }

    /// `base × 2^(errors − 1)`, capped; in floating point so that no count of errors can trap.
    static func backoff(errors: Int, baseSeconds: Double, maxSeconds: Double) -> Double {
        let doublings = Double(min(max(errors, 1) - 1, 64))
        return min(maxSeconds, baseSeconds * pow(2, doublings))
    }

    /// Updates the job's row while this runner still holds it (any state: the error may have come
    /// between a step's file operations and its transition).
    static func updateOwned(_ db: Database, _ job: Job, sql assignments: String, arguments: StatementArguments = []) throws {
        try db.execute(sql: "UPDATE jobs SET \(assignments), updated_at = ? WHERE id = ? AND owner = ?",
                       arguments: arguments + [Date().timeIntervalSince1970, job.id, job.owner])
        if db.changesCount == 0 { throw StoreError.jobChanged(id: job.id, expected: job.state.name) }
    }

    static func attempts(_ row: Row) -> JobAttempts {
        var a = JobAttempts()
        a.begun = row["attempts_begun"] ?? 0
        a.ended = row["attempts_ended"] ?? 0
        a.errors = row["errors"] ?? 0
        a.lastErrorKind = row["last_error_kind"]
        a.nextAttemptAt = (row["next_attempt_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        return a
    }
}
