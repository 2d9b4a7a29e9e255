import Foundation
import QuillDaemon
import QuillStore

/// `quill process FILE…`: back-fills. Each file is copied into the inbox (under a temporary name, then renamed,
/// as any other producer must) and processed with the same pipeline, audit trail and guarantees as the daemon;
/// the originals are left where they are. Then one line per file says where it ended.
public enum Backfill {
    /// Copies `files` into the inbox; returns the inbox name each received.
    public static func enqueue(_ files: [String], inbox: String) throws -> [(source: String, inboxName: String)] {
        let fm = FileManager.default
        try fm.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        var placed: [(String, String)] = []
        for file in files {
            var isFolder: ObjCBool = false
            guard fm.fileExists(atPath: file, isDirectory: &isFolder), !isFolder.boolValue else {
                throw ConfigError(file: file, "not a readable file")
            }
            let base = (file as NSString).lastPathComponent
            let stem = (base as NSString).deletingPathExtension, ext = (base as NSString).pathExtension
            var name = base, n = 1
            while fm.fileExists(atPath: inbox + "/" + name) || placed.contains(where: { $0.1 == name }) {
                n += 1; name = ext.isEmpty ? "\(stem)-\(n)" : "\(stem)-\(n).\(ext)"
            }
            let part = inbox + "/." + name + ".part"
            try? fm.removeItem(atPath: part)
            try fm.copyItem(atPath: file, toPath: part)
            guard rename(part, inbox + "/" + name) == 0 else { throw ConfigError(file: file, "could not be placed in the inbox") }
            placed.append((file, name))
        }
        return placed
    }

    /// Where each file ended, from its latest job: state, job id, and outputs and destination, the earlier job
    /// for a duplicate, or the failed step and reason (the keys of `quill process`'s JSON lines).
    public static func outcomes(_ placed: [(source: String, inboxName: String)], databasePath: String) throws -> [[String: Any]] {
        let store = try QuillStore(path: databasePath)
        let jobs = try store.jobs()
        return placed.map { p in
            let job = jobs.filter { $0.inboxName == p.inboxName }.max { $0.id < $1.id }
            var line: [String: Any] = ["file": p.source, "state": job?.state.name ?? "not processed"]
            if let job { line["job"] = job.id }
            switch job?.state {
            case let .written(_, _, generated)?:
                line["outputs"] = generated.outputs.map(\.name)
                line["destination"] = generated.needsReview ? "review" : "outbox"
            case let .duplicate(_, of, earlier)?:
                line["duplicate_of"] = of; line["outputs"] = earlier
            case let .failed(step, reason, _)?:
                line["step"] = step.rawValue; line["reason"] = reason
            default: break
            }
            return line
        }
    }
}
