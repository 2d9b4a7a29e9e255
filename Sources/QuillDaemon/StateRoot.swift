import Foundation
import QuillStore
#if canImport(Glibc)
import Glibc
#endif

/// The folders of a state root (DESIGN.md, "Folders"), created when missing.
public struct StateRoot: Sendable {
    public let root: String
    public let inbox: String
    public let outbox: String

    public init(config: QuillConfig) {
        root = config.stateRoot
        inbox = config.inboxPath
        outbox = config.outboxPath
    }

    /// Files that one runner has claimed by renaming them here (same filesystem as the inbox).
    public var claimed: String { inbox + "/.quill-claimed" }
    /// Outputs generated but not yet published, per job (same filesystem as the outbox).
    public var staging: String { outbox + "/.quill-staging" }
    public var archive: String { root + "/archive" }
    public var failed: String { root + "/failed" }
    /// Outputs the fact check held back for a reviewer.
    public var review: String { root + "/review" }
    public var reviewed: String { root + "/reviewed" }
    public var adapters: String { root + "/adapters" }
    /// One lock file per running runner; a lock nobody holds means its runner is gone.
    public var runners: String { root + "/.quill-runners" }
    public var database: String { root + "/quill.sqlite" }

    /// Creates every folder (and, through `openStore`, the database).
    public func create() throws {
        try FileOps.makeDirectories(root)
        for dir in [inbox, claimed, outbox, staging, archive, failed, review, reviewed, adapters, runners] {
            try FileOps.makeDirectories(dir)
        }
    }

    public func openStore(audit: AuditSettings = AuditSettings()) throws -> QuillStore {
        try create()
        return try QuillStore(path: database, audit: audit)
    }

    func path(_ relative: String) -> String { root + "/" + relative }
}
