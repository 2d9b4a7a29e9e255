import Foundation
import Logging
import QuillStore

/// What a worker does with one item of the work queue: records a stable inbox name as a new job,
/// or takes up a job (adopted, or due for a retry), and runs it with `JobRunner` to a final state,
/// or until a stop or an error. An error is counted and the job tried again later.
struct Worker: Sendable {
    let store: QuillStore
    let root: StateRoot
    /// This runner's id (`RunnerLock`): the owner of the jobs it receives and adopts.
    let owner: String
    let processor: any DocumentProcessor
    let interruption: Interruption
    let logger: Logger
    let afterStep: (@Sendable (Job) throws -> Void)?
    let queue: WorkQueue
    let status: RunStatus

    func handle(_ item: WorkQueue.Item, slot: WorkerSlot, config: QuillConfig, mode: Daemon.Mode) {
        var runner = JobRunner(store: store, root: root, config: config, processor: processor, owner: owner,
                               interruption: interruption, logger: logger, afterStep: afterStep)
        runner.slot = slot
        var jobID: Int64?
        var outcome: JobRunner.Outcome?
        do {
            switch item {
            case .name(let name):
                if let job = try runner.receive(name: name) {
                    jobID = job.id
                    outcome = try runner.run(job)
                }
            case .job(let id):
                jobID = id
                let job = try store.job(id: id)
                if let next = job.attempts.nextAttemptAt, mode == .serve, !job.isFinished, next > Date() {
                    // Its back-off outlives a restart; `quill process` (once) tries it regardless.
                    // Never longer than the cap, should the clock have been set back.
                    queue.retry(id, after: min(next.timeIntervalSinceNow, config.jobs.retryMaxSeconds))
                } else if job.owner == owner && !job.isFinished {
                    outcome = try runner.run(job)
                }
            }
        } catch let r as JobRunner.RetryLater {
            logger.error("job.retry_scheduled", metadata: ["job": "\(r.jobID)", "error_kind": "\(r.errorKind)",
                                                           "errors": "\(r.schedule.errors)", "retry_in_s": "\(Int(r.schedule.delaySeconds.rounded(.up)))"])
            status.recordRetry(r)
            queue.retry(r.jobID, after: r.schedule.delaySeconds)
        } catch {
            logger.error("job.error", metadata: ["job": "\(jobID.map { String($0) } ?? "-")", "error": "\(PrivacySafe.text(error))"])
            status.recordError()
            if let jobID, !(error is StoreError) { queue.retry(jobID, after: config.watch.rescanSeconds) }
        }
        if let outcome { status.record(outcome, job: jobID) }
    }
}
