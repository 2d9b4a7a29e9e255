import Digests
import Foundation
import Logging
import QuillStore

/// What comes into the work queue: names seen in the inbox (inotify events, rescans), each held
/// until its size, mtime and inode stay the same for `watch.stability_seconds`, and the unfinished
/// jobs of runners that are gone. Runs on the daemon's own thread; inotify is only a hint (see
/// `InboxWatcher`), the rescans and the claim decide.
final class Intake {
    let watcher: InboxWatcher
    private let root: StateRoot
    private let store: QuillStore
    private let queue: WorkQueue
    /// This runner's id: the jobs of other runners whose lock is free are adopted.
    private let owner: String
    private let logger: Logger
    /// The names looked at, under the configuration of the moment (a reload may change it).
    private let filter: () -> NameFilter
    /// Names seen and not yet stable: how they looked, and since when (uptime).
    private var pending: [String: (Observation, Double)] = [:]
    private let also: [String]

    /// `also`: other folders whose events `wait` passes on (the reviewers' `reviewed/`).
    init(root: StateRoot, store: QuillStore, queue: WorkQueue, owner: String, logger: Logger,
         filter: @escaping () -> NameFilter, also: [String] = []) throws {
        watcher = try InboxWatcher(folder: root.inbox, also: also)
        self.also = also
        self.root = root; self.store = store; self.queue = queue; self.owner = owner; self.logger = logger; self.filter = filter
    }

    /// Names waiting to become stable.
    var pendingCount: Int { pending.count }

    /// Waits for inotify events until `deadline` (uptime); `watching`: note the names they bring.
    /// Returns the `also` folders that had events (all of them after an overflow).
    @discardableResult
    func wait(until deadline: Double, watching: Bool) -> Set<String> {
        var elsewhere = Set<String>()
        let events: [InboxWatcher.Event]
        do { events = try watcher.wait(timeout: deadline - Self.now()) } catch {
            logger.error("inbox.watch_failed", metadata: ["error": "\(PrivacySafe.text(error))"])
            Thread.sleep(forTimeInterval: 0.2)
            events = [.overflow]
        }
        for e in events {
            switch e {
            case .name(let n): if watching { note(n) }
            case .overflow:
                logger.notice("inbox.overflow")
                if watching { scan() }
                elsewhere.formUnion(also)
            case .undecodableName:
                if watching { scan() }
            case .elsewhere(let folder): elsewhere.insert(folder)
            }
        }
        return elsewhere
    }

    /// Every name in the inbox now.
    func scan() {
        do {
            let (names, undecodable) = try FileOperations.listNames(root.inbox)
            for name in names { note(name) }
            for raw in undecodable { if let name = rename(undecodable: raw) { note(name) } }
        } catch {
            logger.error("inbox.scan_failed", metadata: ["error": "\(PrivacySafe.text(error))"])
        }
    }

    /// Queues the names that held still for `seconds`; forgets those that are gone.
    func queueStableNames(stableFor seconds: Double) {
        let t = Self.now()
        for (name, (seen, since)) in pending where !queue.holds(name: name) {
            guard let st = try? FileOperations.lstatIfExists(root.inbox + "/" + name) else { pending[name] = nil; continue }
            let current = Observation(st)
            if current != seen {
                pending[name] = (current, t)
            } else if t - since >= seconds {
                pending[name] = nil
                queue.add(name: name)
            }
        }
    }

    /// Takes over the unfinished jobs of runners that are gone (their lock is free) and queues them
    /// first: a crash loses nothing, and the job resumes from its last durable state.
    func adoptOrphans() {
        do {
            for other in try store.ownersOfUnfinishedJobs() where other != owner {
                try RunnerLock.ifGone(owner: other, folder: root.runners) {
                    let ids = try store.adoptJobs(from: other, to: owner)
                    guard !ids.isEmpty else { return }
                    logger.notice("jobs.adopted", metadata: ["from": "\(other)", "count": "\(ids.count)"])
                    queue.addFirst(jobs: ids)
                }
            }
        } catch {
            logger.error("jobs.adopt_failed", metadata: ["error": "\(PrivacySafe.text(error))"])
        }
    }

    private func note(_ name: String) {
        guard filter().accepts(name), pending[name] == nil,
              let st = try? FileOperations.lstatIfExists(root.inbox + "/" + name) else { return }
        pending[name] = (Observation(st), Self.now())
    }

    /// A name that is not valid UTF-8 is renamed to one that is (UndecodableNames); the audit
    /// trail keeps both, the journal neither (names can hold patient names).
    private func rename(undecodable raw: [UInt8]) -> String? {
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

    static func now() -> Double { ProcessInfo.processInfo.systemUptime }
}
