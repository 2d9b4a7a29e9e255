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

    /// `paths.sender_group` and `paths.output_group`, resolved; `nil` leaves those folders' groups alone.
    public let senderGroup: gid_t?
    public let outputGroup: gid_t?

    public init(config: QuillConfig) {
        root = config.stateRoot
        inbox = config.inboxPath
        outbox = config.outboxPath
        senderGroup = config.paths.senderGroup.flatMap(FolderPermissions.gid(for:))
        outputGroup = config.paths.outputGroup.flatMap(FolderPermissions.gid(for:))
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

    /// Creates every folder (and, through `openStore`, the database) and sets who may use each
    /// (FolderPermissions): Quill's own folders 0700; the inbox 3730 with the sender group; outbox/ and
    /// review/ 2750 with the output group. The root stays searchable (0711 when created) so that senders
    /// and readers reach their folders without seeing the rest.
    public func create() throws {
        try FileOperations.makeDirectories(root, mode: 0o711)
        let owner = try FileOperations.lstat(root).st_uid
        if let senderGroup {
            if !FolderPermissions.isMember(senderGroup) {
                throw FolderPermissionError(path: inbox, "receives files of group \(FolderPermissions.groupName(senderGroup)) (paths.sender_group), "
                    + "but Quill's user is not a member and could not read them; add SupplementaryGroups=\(FolderPermissions.groupName(senderGroup)) to the unit")
            }
            try FolderPermissions.ensure(inbox, mode: FolderPermissions.inboxMode, group: senderGroup, owner: owner)
        } else {
            try FileOperations.makeDirectories(inbox, mode: 0o750)
        }
        try FolderPermissions.ensure(claimed, mode: FolderPermissions.privateMode, owner: owner)
        for dir in [outbox, review] {
            if let outputGroup {
                try FolderPermissions.ensure(dir, mode: FolderPermissions.outputMode, group: outputGroup, owner: owner)
            } else {
                try FileOperations.makeDirectories(dir, mode: 0o750)
            }
        }
        // Setgid like the outbox, so outputs staged here are created with the output group.
        try FolderPermissions.ensure(staging, mode: outputGroup == nil ? FolderPermissions.privateMode : 0o2700, group: outputGroup, owner: owner)
        for dir in [archive, failed, reviewed, adapters, runners] {
            try FolderPermissions.ensure(dir, mode: FolderPermissions.privateMode, owner: owner)
        }
    }

    public func openStore(audit: AuditSettings = AuditSettings()) throws -> QuillStore {
        try create()
        return try QuillStore(path: database, audit: audit)
    }

    func path(_ relative: String) -> String { root + "/" + relative }
}
