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
    public let interruption = Interruption()

    private let lock = NSCondition()
    private var config: QuillConfig
    private var queue: [WorkItem] = []
    private var queuedNames = Set<String>()
    private var inFlightNames = Set<String>()
    private var busyWorkers = 0
    private var stopping = false
    private var reloadRequested = false
    /// Jobs that met an error, with the (uptime) time of their next try.
    private var retryLater = [Int64: Double]()
    /// The last error's kind and what follows, for `STATUS=`; cleared by the next job that succeeds.
    private var problem: String?
    private var mode = Mode.once
    private var summary = Summary()
    private var lastEvent = "started"
    private var watcher: InboxWatcher?

    private enum WorkItem { case name(String), job(Int64) }

    /// - Parameters:
    ///   - reloadConfig: reads the configuration again on `requestReload()` (file < command line).
    ///   - afterStep: test hook called after each durable job step; a throw stops that job there
    ///     as a crash would.
    public init(config: QuillConfig, processor: any DocumentProcessor, logger: Logger = Logger(label: "quill.daemon"),
                notifier: SystemdNotifier? = nil, reloadConfig: (@Sendable () throws -> QuillConfig)? = nil,
                afterStep: (@Sendable (Job) throws -> Void)? = nil) {
        self.config = config
        self.processor = processor
        self.logger = logger
        self.notifier = config.systemd.notify ? notifier : nil
        self.reloadConfig = reloadConfig
        self.afterStep = afterStep
    }

    /// Stop intake, let the job in hand finish its current step or re-queue at the processor's next
    /// safe point, and return from `run`.
    public func requestStop() {
        lock.lock()
        stopping = true
        lock.broadcast()
        let w = watcher
        lock.unlock()
        interruption.request()
        w?.wake()
    }

    /// Read the configuration again before the next intake round.
    public func requestReload() {
        lock.lock()
        reloadRequested = true
        let w = watcher
        lock.unlock()
        w?.wake()
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
        let watcher = try InboxWatcher(folder: root.inbox)
        lock.lock(); self.watcher = watcher; self.mode = mode; lock.unlock()
        defer { lock.lock(); self.watcher = nil; lock.unlock() }
        try store.record(actor: "daemon", action: "daemon.started", details: [
            "runner": .string(runner.id), "mode": .string(mode == .serve ? "serve" : "once"),
            "workers": .int(config.jobs.workers), "model": .string(config.model.path),
        ])
        logger.info("daemon.started", metadata: ["runner": "\(runner.id)", "workers": "\(config.jobs.workers)"])

        var threads = [WorkerThread]()
        let slots = (0..<config.jobs.workers).map { _ in WorkerSlot() }

        var pending: [String: (Observation, Double)] = [:]
        let filter = { [self] in NameFilter(ignoreSuffixes: self.currentConfig.watch.ignoreSuffixes) }
        func now() -> Double { ProcessInfo.processInfo.systemUptime }
        func note(_ name: String) {
            guard filter().accepts(name), pending[name] == nil,
                  let st = try? FileOps.lstatIfExists(root.inbox + "/" + name) else { return }
            pending[name] = (Observation(st), now())
        }
        // A name that is not valid UTF-8 is renamed to one that is (UndecodableNames); the audit
        // trail keeps both, the journal neither (names can hold patient names).
        func rename(undecodable raw: [UInt8]) -> String? {
            guard filter().accepts(UndecodableNames.escaped(raw)) else { return nil }
            do {
                let name = try UndecodableNames.rename(raw, in: root.inbox)
                _ = try? store.record(actor: "daemon", action: "inbox.renamed", details: [
                    // The name's hash, not the name: file names can carry patient names or MRNs.
                    "name_sha256": .string(SHA256.hex(raw)),
                    "reason": .string("the name is not valid UTF-8"),
                ])
                logger.notice("inbox.renamed", metadata: ["reason": "name not valid UTF-8"])
                return name
            } catch {
                logger.error("inbox.rename_failed", metadata: ["error": "\(error)"])
                return nil
            }
        }
        func scan() {
            do {
                let (names, undecodable) = try FileOps.listNames(root.inbox)
                for name in names { note(name) }
                for raw in undecodable { if let name = rename(undecodable: raw) { note(name) } }
            } catch {
                logger.error("inbox.scan_failed", metadata: ["error": "\(PrivacySafe.text(error))"])
            }
        }

        adoptOrphans(store: store, root: root, me: runner.id)
        scan()
        // Joined, not merely waited for, before `run` returns: see WorkerThread.
        do {
            for (i, slot) in slots.enumerated() {
                threads.append(try WorkerThread(name: "quill-worker-\(i)", stackSize: 8 << 20) { [self] in
                    self.workerLoop(store: store, root: root, owner: runner.id, slot: slot)
                })
            }
        } catch {
            requestStop()
            threads.forEach { $0.join() }
            throw error
        }
        notifier?.send("READY=1\nSTATUS=watching the inbox")
        var nextRescan = now() + currentConfig.watch.rescanSeconds
        var nextWatchdog = now()
        var lastStatus = ""
        var stuckLogged = false

        while true {
            lock.lock()
            let stop = stopping
            let reload = reloadRequested
            reloadRequested = false
            let idle = queue.isEmpty && busyWorkers == 0
            lock.unlock()
            if stop { break }
            if reload { self.reload(store: store) }
            if mode == .once && pending.isEmpty && idle { break }

            let watch = currentConfig.watch
            let checkEvery = min(max(watch.stabilitySeconds / 2, 0.02), 1)
            var deadline = nextRescan
            if !pending.isEmpty { deadline = min(deadline, now() + checkEvery) }
            if mode == .once { deadline = min(deadline, now() + 0.05) }
            if let w = notifier?.watchdogInterval { deadline = min(deadline, nextWatchdog + w) }
            let limit = currentLimit
            lock.lock()
            if let due = retryLater.values.min() { deadline = min(deadline, due) }
            // Wake to read the workers' heartbeats while any is busy.
            if busyWorkers > 0 { deadline = min(deadline, now() + min(1, limit / 4)) }
            lock.unlock()
            let events: [InboxWatcher.Event]
            do { events = try watcher.wait(timeout: deadline - now()) } catch {
                logger.error("inbox.watch_failed", metadata: ["error": "\(PrivacySafe.text(error))"])
                Thread.sleep(forTimeInterval: 0.2)
                events = [.overflow]
            }
            for e in events {
                switch e {
                case .name(let n): if mode == .serve { note(n) }
                case .overflow:
                    logger.notice("inbox.overflow")
                    if mode == .serve { scan() }
                case .undecodableName:
                    if mode == .serve { scan() }
                }
            }
            if now() >= nextRescan {
                if mode == .serve { scan() }
                adoptOrphans(store: store, root: root, me: runner.id)
                nextRescan = now() + watch.rescanSeconds
            }
            queueDueRetries(at: now())
            // Workers' heartbeats: a document past its limit is interrupted; a worker that stays
            // busy past the grace after it no longer earns the watchdog ping.
            let stuck = slots.compactMap { slot -> (Int64?, Double)? in
                if case let .stuck(job, seconds) = slot.check(limit: limit, grace: WorkerSlot.grace(limit: limit)) { return (job, seconds) }
                return nil
            }
            if let first = stuck.first, !stuckLogged {
                logger.critical("worker.stuck", metadata: ["job": "\(first.0.map { String($0) } ?? "-")", "busy_s": "\(Int(first.1))",
                                                          "limit_s": "\(limit)"])
                stuckLogged = true
            }
            if stuck.isEmpty { stuckLogged = false }
            // Stability: a name moves on when its size, mtime and inode held for the interval.
            let t = now()
            lock.lock()
            for (name, (obs, since)) in pending {
                if queuedNames.contains(name) || inFlightNames.contains(name) { continue }
                guard let st = try? FileOps.lstatIfExists(root.inbox + "/" + name) else { pending[name] = nil; continue }
                let current = Observation(st)
                if current != obs {
                    pending[name] = (current, t)
                } else if t - since >= watch.stabilitySeconds {
                    pending[name] = nil
                    queue.append(.name(name))
                    queuedNames.insert(name)
                    lock.signal()
                }
            }
            var status = "\(queue.count + pending.count) waiting, \(busyWorkers) in progress; last: \(lastEvent)"
            if let problem { status += "; problem: " + problem }
            if let first = stuck.first {
                status += "; worker stuck on job \(first.0.map { String($0) } ?? "-") past jobs.timeout_seconds, watchdog pings stopped"
            }
            lock.unlock()
            if let n = notifier {
                if let w = n.watchdogInterval, now() >= nextWatchdog, stuck.isEmpty { n.send("WATCHDOG=1"); nextWatchdog = now() + w }
                if status != lastStatus { n.send("STATUS=" + status); lastStatus = status }
            }
        }

        notifier?.send("STOPPING=1")
        requestStop()
        threads.forEach { $0.join() }
        runner.release()
        lock.lock()
        let result = summary
        lock.unlock()
        _ = try? store.record(actor: "daemon", action: "daemon.stopped", details: [
            "runner": .string(runner.id), "written": .int(result.written), "failed": .int(result.failed),
            "duplicates": .int(result.duplicates), "requeued": .int(result.requeued),
        ])
        do { try store.checkpointAudit() } catch {}  // a failure is logged by the checkpoint's own handler
        logger.info("daemon.stopped", metadata: ["written": "\(result.written)", "failed": "\(result.failed)", "requeued": "\(result.requeued)"])
        return result
    }

    private var currentConfig: QuillConfig {
        lock.lock(); defer { lock.unlock() }
        return config
    }

    private var currentLimit: Double { currentConfig.jobs.timeoutSeconds }

    /// Moves the retries that are due onto the queue.
    private func queueDueRetries(at time: Double) {
        lock.lock()
        let due = retryLater.filter { $0.value <= time }.keys.sorted()
        for id in due { retryLater[id] = nil }
        queue.append(contentsOf: due.map { WorkItem.job($0) })
        if !due.isEmpty { lock.broadcast() }
        lock.unlock()
    }

    /// Caller holds `lock`.
    private func retry(_ id: Int64, after seconds: Double) {
        let due = ProcessInfo.processInfo.systemUptime + max(0, seconds)
        retryLater[id] = min(retryLater[id] ?? due, due)
    }

    private func workerLoop(store: QuillStore, root: StateRoot, owner: String, slot: WorkerSlot) {
        while true {
            lock.lock()
            while queue.isEmpty && !stopping { lock.wait() }
            if stopping { lock.unlock(); return }
            let item = queue.removeFirst()
            if case .name(let n) = item { queuedNames.remove(n); inFlightNames.insert(n) }
            busyWorkers += 1
            let config = self.config
            let mode = self.mode
            lock.unlock()

            var runner = JobRunner(store: store, root: root, config: config, processor: processor, owner: owner,
                                   interruption: interruption, logger: logger, afterStep: afterStep)
            runner.slot = slot
            var jobID: Int64?
            var outcome: JobRunner.Outcome?
            if case .job(let id) = item { slot.beginJob(id) } else { slot.beginJob(nil) }
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
                        lock.lock(); retry(id, after: min(next.timeIntervalSinceNow, config.jobs.retryMaxSeconds)); lock.unlock()
                    } else if job.owner == owner && !job.isFinished {
                        outcome = try runner.run(job)
                    }
                }
            } catch let r as JobRunner.RetryLater {
                logger.error("job.retry_scheduled", metadata: ["job": "\(r.jobID)", "error_kind": "\(r.errorKind)",
                                                               "errors": "\(r.schedule.errors)", "retry_in_s": "\(Int(r.schedule.delaySeconds.rounded(.up)))"])
                lock.lock()
                summary.errors += 1
                retry(r.jobID, after: r.schedule.delaySeconds)
                problem = "job \(r.jobID): \(r.errorKind); try \(r.schedule.errors + 1) in \(Int(r.schedule.delaySeconds.rounded(.up))) s"
                lock.unlock()
            } catch {
                logger.error("job.error", metadata: ["job": "\(jobID.map { String($0) } ?? "-")", "error": "\(PrivacySafe.text(error))"])
                outcome = nil
                lock.lock()
                summary.errors += 1
                if let jobID, !(error is StoreError) { retry(jobID, after: config.watch.rescanSeconds) }
                lock.unlock()
            }
            slot.endJob()

            lock.lock()
            busyWorkers -= 1
            if case .finished(let s) = outcome, s != "failed" { problem = nil }
            if case .name(let n) = item { inFlightNames.remove(n) }
            switch outcome {
            case .finished("written"): summary.written += 1
            case .finished("duplicate"): summary.duplicates += 1
            case .finished: summary.failed += 1
            case .abandoned: summary.abandoned += 1
            case .requeued: summary.requeued += 1
            case nil: break
            }
            if let jobID, let outcome { lastEvent = "job \(jobID) \(Self.word(outcome))" }
            lock.broadcast()
            lock.unlock()
            watcherWake()
        }
    }

    private func watcherWake() {
        lock.lock(); let w = watcher; lock.unlock()
        w?.wake()
    }

    private static func word(_ o: JobRunner.Outcome) -> String {
        switch o {
        case .finished(let s): return s
        case .abandoned: return "taken by another runner"
        case .requeued: return "re-queued"
        }
    }

    /// Takes over the unfinished jobs of runners that are gone (their lock is free) and queues them
    /// first: a crash loses nothing, and the job resumes from its last durable state.
    private func adoptOrphans(store: QuillStore, root: StateRoot, me: String) {
        do {
            for owner in try store.ownersOfUnfinishedJobs() where owner != me {
                try RunnerLock.ifGone(owner: owner, folder: root.runners) {
                    let ids = try store.adoptJobs(from: owner, to: me)
                    guard !ids.isEmpty else { return }
                    logger.notice("jobs.adopted", metadata: ["from": "\(owner)", "count": "\(ids.count)"])
                    lock.lock()
                    queue.insert(contentsOf: ids.map { WorkItem.job($0) }, at: 0)
                    lock.broadcast()
                    lock.unlock()
                }
            }
        } catch {
            logger.error("jobs.adopt_failed", metadata: ["error": "\(PrivacySafe.text(error))"])
        }
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
