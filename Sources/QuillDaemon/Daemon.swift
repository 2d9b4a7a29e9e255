import ClinicalDocuments
import Digests
import Foundation
import Logging
import QuillStore
#if canImport(Glibc)
import Glibc
#endif

/// The daemon: watches the inbox, hands stable files to workers, and runs each job to its final
/// place (DESIGN.md, "The one flow"). `run(_:)` is a library function: `quill serve` and
/// `quill process` call it, and so do the tests, on temporary folders (STYLE 11).
///
/// Threads, not tasks: the model's work is blocking CPU work that uses every core, so each worker
/// is a thread of its own and the intake loop (inotify, rescans, stability checks, watchdog) runs
/// on the thread that called `run`. Signals arrive through `requestStop()` / `requestReload()`,
/// which `main` wires to `SIGTERM`/`SIGINT` and `SIGHUP`.
public final class Daemon: @unchecked Sendable {
    public enum Mode: Sendable {
        /// Until `requestStop()`.
        case serve
        /// What is in the inbox now (and jobs left unfinished by runners that are gone), then return.
        case once
    }

    /// What a run did.
    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        public var written = 0
        public var duplicates = 0
        public var failed = 0
        public var abandoned = 0
        public var requeued = 0
        public var errors = 0
        public init() {}
        public var description: String {
            "\(written) written, \(duplicates) duplicate, \(failed) failed, \(abandoned) taken by another runner, \(requeued) re-queued, \(errors) errors"
        }
    }

    private let processor: any DocumentProcessor
    private let logger: Logger
    private let notifier: SystemdNotifier?
    private let reloadConfig: (@Sendable () throws -> QuillConfig)?
    private let afterStep: (@Sendable (Job) throws -> Void)?
    private let startRetraining: (() throws -> BackgroundRun)?
    public let interruption = Interruption()
    private let queue: WorkQueue
    private let status = RunStatus()

    private let lock = NSLock()
    private var config: QuillConfig
    private var reloadRequested = false
    private var watcher: InboxWatcher?

    /// - Parameters:
    ///   - reloadConfig: reads the configuration again on `requestReload()` (file < command line).
    ///   - afterStep: test hook called after each durable job step; a throw stops that job there
    ///     as a crash would.
    ///   - startRetraining: starts one retraining run (`quill retrain` as a child process) when
    ///     `retraining.schedule` says one is due; only in `.serve`.
    public init(config: QuillConfig, processor: any DocumentProcessor, logger: Logger = Logger(label: "quill.daemon"),
                notifier: SystemdNotifier? = nil, reloadConfig: (@Sendable () throws -> QuillConfig)? = nil,
                afterStep: (@Sendable (Job) throws -> Void)? = nil, startRetraining: (() throws -> BackgroundRun)? = nil) {
        self.config = config
        self.processor = processor
        self.logger = logger
        self.notifier = config.systemd.notify ? notifier : nil
        self.reloadConfig = reloadConfig
        self.afterStep = afterStep
        self.startRetraining = startRetraining
        queue = WorkQueue(workers: config.jobs.workers)
    }

    /// Stop intake, let the job in hand finish its current step or re-queue at the processor's next
    /// safe point, and return from `run`.
    public func requestStop() {
        queue.stop()
        interruption.request()
        wakeWatcher()
    }

    /// Read the configuration again before the next intake round.
    public func requestReload() {
        lock.lock(); reloadRequested = true; lock.unlock()
        wakeWatcher()
    }

    /// Runs until stopped (`.serve`) or until the inbox as it was at start is done (`.once`).
    public func run(_ mode: Mode) throws -> Summary {
        let root = StateRoot(config: config)
        let audit = try config.auditSettings(environment: ProcessInfo.processInfo.environment, logger: logger)
        if audit.key == nil {
            logger.warning("audit.unkeyed", metadata: ["hint": "no audit key (audit.key_file or the quill-audit-key credential): the trail is a plain SHA-256 chain that anyone who can write the database can recompute"])
        }
        let store = try root.openStore(audit: audit)
        let runner = try RunnerLock(folder: root.runners)
        let filter = { [self] in NameFilter(ignoreSuffixes: self.currentConfig.watch.ignoreSuffixes) }
        let intake = try Intake(root: root, store: store, queue: queue, owner: runner.id, logger: logger,
                                filter: filter, also: [root.reviewed])
        let processor = self.processor
        let reviewed = ReviewedIntake(desk: ReviewDesk(store: store, root: root),
                                      check: { try processor.checkCorrection($0, outputName: $1) }, logger: logger, filter: filter)
        lock.lock(); self.watcher = intake.watcher; lock.unlock()
        defer { lock.lock(); self.watcher = nil; lock.unlock() }
        try store.record(actor: "daemon", action: "daemon.started", details: [
            "runner": .string(runner.id), "mode": .string(mode == .serve ? "serve" : "once"),
            "workers": .int(config.jobs.workers), "model": .string(config.model.path),
        ])
        logger.info("daemon.started", metadata: ["runner": "\(runner.id)", "workers": "\(config.jobs.workers)"])

        intake.adoptOrphans()
        intake.scan()
        reviewed.scan()
        let worker = Worker(store: store, root: root, owner: runner.id, processor: processor, interruption: interruption,
                            logger: logger, afterStep: afterStep, queue: queue, status: status)
        do {
            try queue.start(work: { [self] item, slot in worker.handle(item, slot: slot, config: currentConfig, mode: mode) },
                            afterEach: { [self] in wakeWatcher() })
        } catch {
            requestStop()
            queue.join()
            throw error
        }
        notifier?.send("READY=1\nSTATUS=watching the inbox")
        let retraining = mode == .serve ? startRetraining.map { ScheduledRetraining(store: store, logger: logger, start: $0) } : nil
        watch(intake, reviewed: reviewed, store: store, mode: mode, retraining: retraining)
        retraining?.stop()

        notifier?.send("STOPPING=1")
        requestStop()
        queue.join()
        runner.release()
        let result = status.counts
        _ = try? store.record(actor: "daemon", action: "daemon.stopped", details: [
            "runner": .string(runner.id), "written": .int(result.written), "failed": .int(result.failed),
            "duplicates": .int(result.duplicates), "requeued": .int(result.requeued),
        ])
        do { try store.checkpointAudit() } catch {}  // a failure is logged by the checkpoint's own handler
        logger.info("daemon.stopped", metadata: ["written": "\(result.written)", "failed": "\(result.failed)", "requeued": "\(result.requeued)"])
        return result
    }

    /// The intake loop, on the thread that called `run`: waits for inotify events, rescans and
    /// adopts, queues stable names and due retries, reads the workers' heartbeats, and tells
    /// systemd, until a stop (or, once, until the inbox as it was and the queue are done).
    private func watch(_ intake: Intake, reviewed: ReviewedIntake, store: QuillStore, mode: Mode, retraining: ScheduledRetraining?) {
        func now() -> Double { Intake.now() }
        var nextRescan = now() + currentConfig.watch.rescanSeconds
        var nextWatchdog = now()
        var lastStatus = ""
        var stuckLogged = false
        while !queue.isStopping {
            lock.lock(); let reload = reloadRequested; reloadRequested = false; lock.unlock()
            if reload { self.reload(store: store) }
            if mode == .once && intake.pendingCount == 0 && queue.snapshot.isIdle { break }

            let watch = currentConfig.watch
            let limit = currentConfig.jobs.timeoutSeconds
            var deadline = nextRescan
            if intake.pendingCount > 0 || reviewed.pendingCount > 0 { deadline = min(deadline, now() + min(max(watch.stabilitySeconds / 2, 0.02), 1)) }
            if mode == .once { deadline = min(deadline, now() + 0.05) }
            if let w = notifier?.watchdogInterval { deadline = min(deadline, nextWatchdog + w) }
            let work = queue.snapshot
            if let due = work.nextRetry { deadline = min(deadline, due) }
            // Wake to read the workers' heartbeats while any is busy.
            if work.busy > 0 { deadline = min(deadline, now() + min(1, limit / 4)) }
            if let next = retraining?.tick(schedule: currentConfig.retraining.parsedSchedule) {
                deadline = min(deadline, now() + max(0.05, next.timeIntervalSinceNow))
            }
            if !intake.wait(until: deadline, watching: mode == .serve).isEmpty { reviewed.scan() }
            if now() >= nextRescan {
                if mode == .serve { intake.scan(); reviewed.scan() }
                intake.adoptOrphans()
                nextRescan = now() + watch.rescanSeconds
            }
            queue.queueDueRetries(at: now())
            // A document past its limit is interrupted; a worker that stays busy past the grace
            // after it no longer earns the watchdog ping.
            let stuck = queue.stuckWorkers(limit: limit)
            if let first = stuck.first, !stuckLogged {
                logger.critical("worker.stuck", metadata: ["job": "\(first.job.map { String($0) } ?? "-")", "busy_s": "\(Int(first.seconds))",
                                                          "limit_s": "\(limit)"])
                stuckLogged = true
            }
            if stuck.isEmpty { stuckLogged = false }
            intake.queueStableNames(stableFor: watch.stabilitySeconds)
            reviewed.takeStableFiles(stableFor: watch.stabilitySeconds)
            if let n = notifier {
                let work = queue.snapshot
                let line = status.line(waiting: work.waiting + intake.pendingCount, busy: work.busy, stuck: stuck.first)
                if let w = n.watchdogInterval, now() >= nextWatchdog, stuck.isEmpty { n.send("WATCHDOG=1"); nextWatchdog = now() + w }
                if line != lastStatus { n.send("STATUS=" + line); lastStatus = line }
            }
        }
    }

    private var currentConfig: QuillConfig {
        lock.lock(); defer { lock.unlock() }
        return config
    }

    private func wakeWatcher() {
        lock.lock(); let w = watcher; lock.unlock()
        w?.wake()
    }

    private func reload(store: QuillStore) {
        guard let reloadConfig else { return }
        do {
            var fresh = try reloadConfig()
            lock.lock()
            let old = config
            // Paths, workers and the model are fixed for the life of the process.
            var needsRestart = [String]()
            if fresh.paths != old.paths { needsRestart.append("paths") }
            if fresh.jobs.workers != old.jobs.workers { needsRestart.append("jobs.workers") }
            if fresh.model != old.model { needsRestart.append("model") }
            fresh.paths = old.paths
            fresh.jobs.workers = old.jobs.workers
            fresh.model = old.model
            config = fresh
            lock.unlock()
            processor.configurationReloaded(fresh)
            _ = try? store.record(actor: "daemon", action: "config.reloaded", details: ["needs_restart": .strings(needsRestart)])
            logger.notice("config.reloaded", metadata: ["needs_restart": "\(needsRestart.joined(separator: ","))"])
        } catch {
            _ = try? store.record(actor: "daemon", action: "config.reload_failed", details: ["error": .string(PrivacySafe.text(error))])
            logger.error("config.reload_failed", metadata: ["error": "\(PrivacySafe.text(error))"])
        }
    }
}
