import Foundation

/// The work waiting for a worker, and the workers: stable inbox names and job ids in order (jobs
/// adopted from runners that are gone go first), one thread per worker with its heartbeat slot,
/// and the jobs that met an error, held until their next try. The intake adds work and reads the
/// heartbeats from the daemon's thread; each worker takes one item at a time and hands it to `work`.
final class WorkQueue: @unchecked Sendable {
    enum Item: Sendable, Equatable { case name(String), job(Int64) }

    /// What the intake needs to know to decide how long to wait, and for `STATUS=`.
    struct Snapshot {
        var waiting: Int
        var busy: Int
        /// The (uptime) time of the earliest retry.
        var nextRetry: Double?
        var isIdle: Bool { waiting == 0 && busy == 0 }
    }

    let slots: [WorkerSlot]
    private let condition = NSCondition()
    private var items: [Item] = []
    private var queuedNames = Set<String>()
    private var inFlightNames = Set<String>()
    private var busy = 0
    private var stopping = false
    /// Jobs that met an error, with the (uptime) time of their next try.
    private var retryLater = [Int64: Double]()
    private var threads: [WorkerThread] = []

    init(workers: Int) { slots = (0..<workers).map { _ in WorkerSlot() } }

    /// Starts one thread per slot. Each runs `work` on one item at a time until `stop()`, and
    /// `afterEach` once the item no longer counts as busy.
    func start(work: @escaping @Sendable (Item, WorkerSlot) -> Void, afterEach: @escaping @Sendable () -> Void) throws {
        for (i, slot) in slots.enumerated() {
            threads.append(try WorkerThread(name: "quill-worker-\(i)", stackSize: 8 << 20) { [self] in
                self.workerLoop(slot, work, afterEach)
            })
        }
    }

    /// Workers end once the item in hand is done; nothing more is taken.
    func stop() { locked { stopping = true; condition.broadcast() } }

    var isStopping: Bool { locked { stopping } }

    /// Waits until every worker thread has ended: joined, not merely waited for (see WorkerThread).
    func join() { threads.forEach { $0.join() } }

    /// A stable inbox name.
    func add(name: String) { locked { items.append(.name(name)); queuedNames.insert(name); condition.signal() } }

    /// Jobs adopted from a runner that is gone: first, so that a crash delays nothing it held.
    func addFirst(jobs ids: [Int64]) { locked { items.insert(contentsOf: ids.map(Item.job), at: 0); condition.broadcast() } }

    /// Whether the name waits here or a worker holds it: the intake leaves it pending meanwhile.
    func holds(name: String) -> Bool { locked { queuedNames.contains(name) || inFlightNames.contains(name) } }

    /// Tries the job again `seconds` from now (or sooner, if already due sooner).
    func retry(_ id: Int64, after seconds: Double) {
        let due = ProcessInfo.processInfo.systemUptime + max(0, seconds)
        locked { retryLater[id] = min(retryLater[id] ?? due, due) }
    }

    /// Moves the retries due at `time` onto the queue.
    func queueDueRetries(at time: Double) {
        locked {
            let due = retryLater.filter { $0.value <= time }.keys.sorted()
            for id in due { retryLater[id] = nil }
            items.append(contentsOf: due.map(Item.job))
            if !due.isEmpty { condition.broadcast() }
        }
    }

    var snapshot: Snapshot { locked { Snapshot(waiting: items.count, busy: busy, nextRetry: retryLater.values.min()) } }

    /// Reads the heartbeats: a document past `limit` is interrupted (`WorkerSlot.check`); returns
    /// the workers still busy past the grace after it.
    func stuckWorkers(limit: Double) -> [(job: Int64?, seconds: Double)] {
        slots.compactMap { slot -> (job: Int64?, seconds: Double)? in
            if case let .stuck(job, seconds) = slot.check(limit: limit, grace: WorkerSlot.grace(limit: limit)) { return (job, seconds) }
            return nil
        }
    }

    private func workerLoop(_ slot: WorkerSlot, _ work: (Item, WorkerSlot) -> Void, _ afterEach: () -> Void) {
        while true {
            condition.lock()
            while items.isEmpty && !stopping { condition.wait() }
            if stopping { condition.unlock(); return }
            let item = items.removeFirst()
            if case .name(let n) = item { queuedNames.remove(n); inFlightNames.insert(n) }
            busy += 1
            condition.unlock()

            if case .job(let id) = item { slot.beginJob(id) } else { slot.beginJob(nil) }
            work(item, slot)
            slot.endJob()

            locked {
                busy -= 1
                if case .name(let n) = item { inFlightNames.remove(n) }
                condition.broadcast()
            }
            afterEach()
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock(); defer { condition.unlock() }
        return try body()
    }
}
