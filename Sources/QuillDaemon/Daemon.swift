import ClinicalDocuments
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
    private var retryLater = Set<Int64>()
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
        let store = try root.openStore()
        let runner = try RunnerLock(folder: root.runners)
        let watcher = try InboxWatcher(folder: root.inbox)
        lock.lock(); self.watcher = watcher; lock.unlock()
        defer { lock.lock(); self.watcher = nil; lock.unlock() }
        try store.record(actor: "daemon", action: "daemon.started", details: [
            "runner": .string(runner.id), "mode": .string(mode == .serve ? "serve" : "once"),
            "workers": .int(config.jobs.workers), "model": .string(config.model.path),
        ])
        logger.info("daemon.started", metadata: ["runner": "\(runner.id)", "workers": "\(config.jobs.workers)"])

        var threads = [WorkerThread]()

        var pending: [String: (Observation, Double)] = [:]
        let filter = { [self] in NameFilter(ignoreSuffixes: self.currentConfig.watch.ignoreSuffixes) }
        func now() -> Double { ProcessInfo.processInfo.systemUptime }
        func note(_ name: String) {
            guard filter().accepts(name), pending[name] == nil,
                  let st = try? FileOps.lstatIfExists(root.inbox + "/" + name) else { return }
            pending[name] = (Observation(st), now())
        }
        func scan() {
            do {
                for name in try FileOps.list(root.inbox) { note(name) }
            } catch {
                logger.error("inbox.scan_failed", metadata: ["error": "\(error)"])
            }
        }

        adoptOrphans(store: store, root: root, me: runner.id)
        scan()
        // Joined, not merely waited for, before `run` returns: see WorkerThread.
        do {
            for i in 0..<config.jobs.workers {
                threads.append(try WorkerThread(name: "quill-worker-\(i)", stackSize: 8 << 20) { [self] in
                    self.workerLoop(store: store, root: root, owner: runner.id)
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
            let events: [InboxWatcher.Event]
            do { events = try watcher.wait(timeout: deadline - now()) } catch {
                logger.error("inbox.watch_failed", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 0.2)
                events = [.overflow]
            }
            for e in events {
                switch e {
                case .name(let n): if mode == .serve { note(n) }
                case .overflow:
                    logger.notice("inbox.overflow")
                    if mode == .serve { scan() }
                }
            }
            if now() >= nextRescan {
                if mode == .serve { scan() }
                adoptOrphans(store: store, root: root, me: runner.id)
                lock.lock()
                let retry = retryLater
                retryLater.removeAll()
                queue.append(contentsOf: retry.sorted().map { WorkItem.job($0) })
                if !retry.isEmpty { lock.broadcast() }
                lock.unlock()
                nextRescan = now() + watch.rescanSeconds
            }
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
            let status = "\(queue.count + pending.count) waiting, \(busyWorkers) in progress; last: \(lastEvent)"
            lock.unlock()
            if let n = notifier {
                if let w = n.watchdogInterval, now() >= nextWatchdog { n.send("WATCHDOG=1"); nextWatchdog = now() + w }
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
        logger.info("daemon.stopped", metadata: ["written": "\(result.written)", "failed": "\(result.failed)", "requeued": "\(result.requeued)"])
        return result
    }

    private var currentConfig: QuillConfig {
        lock.lock(); defer { lock.unlock() }
        return config
    }

    private func workerLoop(store: QuillStore, root: StateRoot, owner: String) {
        while true {
            lock.lock()
            while queue.isEmpty && !stopping { lock.wait() }
            if stopping { lock.unlock(); return }
            let item = queue.removeFirst()
            if case .name(let n) = item { queuedNames.remove(n); inFlightNames.insert(n) }
            busyWorkers += 1
            let config = self.config
            lock.unlock()

            let runner = JobRunner(store: store, root: root, config: config, processor: processor, owner: owner,
                                   interruption: interruption, logger: logger, afterStep: afterStep)
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
                    if job.owner == owner && !job.isFinished { outcome = try runner.run(job) }
                }
            } catch {
                logger.error("job.error", metadata: ["job": "\(jobID.map { String($0) } ?? "-")", "error": "\(error)"])
                outcome = nil
                lock.lock()
                summary.errors += 1
                if let jobID, !(error is StoreError) { retryLater.insert(jobID) }
                lock.unlock()
            }

            lock.lock()
            busyWorkers -= 1
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
            logger.error("jobs.adopt_failed", metadata: ["error": "\(error)"])
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
            fresh.jobs = old.jobs
            fresh.model = old.model
            config = fresh
            lock.unlock()
            processor.configurationReloaded(fresh)
            _ = try? store.record(actor: "daemon", action: "config.reloaded", details: ["needs_restart": .strings(needsRestart)])
            logger.notice("config.reloaded", metadata: ["needs_restart": "\(needsRestart.joined(separator: ","))"])
        } catch {
            _ = try? store.record(actor: "daemon", action: "config.reload_failed", details: ["error": .string("\(error)")])
            logger.error("config.reload_failed", metadata: ["error": "\(error)"])
        }
    }
}
