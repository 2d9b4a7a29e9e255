import Foundation

/// One worker's heartbeat, read by the intake loop: which job it holds, since when its current
/// piece of work (a job's steps, or one document's processing) began, and the interruption that
/// stops that document. The intake loop interrupts a document past `jobs.timeout_seconds`, and
/// withholds the watchdog ping while a worker stays busy well past the limit: a processor that
/// ignores the interruption (a hang, a loop that never reaches a token boundary) then gets the
/// process restarted by systemd, and the attempt counter fails the job if it does so again.
final class WorkerSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var jobID: Int64?
    private var since: Double?
    private var document: Interruption?
    private var overTime = false

    enum Health: Equatable {
        case idle, working
        /// Past the limit: the document's interruption was requested.
        case overTime(job: Int64?, seconds: Double)
        /// Past the limit and the grace that follows it: the worker does not answer.
        case stuck(job: Int64?, seconds: Double)
    }

    static func now() -> Double { ProcessInfo.processInfo.systemUptime }

    /// The worker took an item (a job id once known).
    func beginJob(_ id: Int64?) {
        lock.lock(); defer { lock.unlock() }
        jobID = id; since = Self.now(); document = nil; overTime = false
    }

    /// The worker is idle again.
    func endJob() {
        lock.lock(); defer { lock.unlock() }
        jobID = nil; since = nil; document = nil; overTime = false
    }

    /// One document's processing begins: the clock restarts for it.
    func beginDocument(job: Int64, interruption: Interruption) {
        lock.lock(); defer { lock.unlock() }
        jobID = job; since = Self.now(); document = interruption; overTime = false
    }

    /// The document's processing returned (or threw): back to the job's own steps.
    func endDocument() {
        lock.lock(); defer { lock.unlock() }
        since = Self.now(); document = nil
    }

    /// Whether the document that just ended was interrupted for its time.
    var timedOut: Bool {
        lock.lock(); defer { lock.unlock() }
        return overTime
    }

    /// Called by the intake loop: interrupts a document past `limit` seconds, and reports a worker
    /// still busy `grace` seconds after that.
    func check(limit: Double, grace: Double) -> Health {
        lock.lock(); defer { lock.unlock() }
        guard let since else { return .idle }
        let busy = Self.now() - since
        if busy < limit { return .working }
        if let document, !overTime {
            overTime = true
            document.request()
        }
        return busy < limit + grace ? .overTime(job: jobID, seconds: busy) : .stuck(job: jobID, seconds: busy)
    }

    /// The grace after the limit before a busy worker counts as stuck: the processor gets a tenth
    /// of the limit (at least a second) to reach its next token boundary.
    static func grace(limit: Double) -> Double { max(1, limit / 10) }
}
