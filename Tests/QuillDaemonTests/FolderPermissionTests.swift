import Foundation
import QuillDaemon
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Who may read and write what in the state root (docs/OPERATIONS.md, "Who may read and write what"):
/// the modes and groups Quill sets, and, as root, what real sender and reader accounts can then do.
final class FolderPermissionTests: XCTestCase {
    func stat(_ path: String) throws -> Glibc.stat {
        var st = Glibc.stat()
        guard lstat(path, &st) == 0 else { throw NSError(domain: "stat", code: Int(errno), userInfo: [NSLocalizedDescriptionKey: path]) }
        return st
    }

    func mode(_ path: String) throws -> mode_t { try stat(path).st_mode & 0o7777 }

    func testQuillsOwnFoldersAndFilesArePrivateAndOutputsGroupReadable() throws {
        let h = Harness()
        h.drop("note-1.txt", Harness.note(1))
        h.drop("broken.txt", "")
        try h.runOnce()
        for folder in ["inbox/.quill-claimed", "outbox/.quill-staging", "archive", "failed", "adapters", ".quill-runners"] {
            XCTAssertEqual(try mode(h.root + "/" + folder), 0o700, folder)
        }
        let day = try XCTUnwrap(h.list("archive").first)
        XCTAssertEqual(try mode(h.root + "/archive/" + day), 0o700, "archive day folder")
        XCTAssertEqual(try mode(h.root + "/quill.sqlite"), 0o600)
        XCTAssertEqual(try mode(h.root + "/failed/broken.txt.error.json"), 0o600, "error files are Quill's own")
        let outputs = h.visibleOutbox()
        XCTAssertFalse(outputs.isEmpty)
        for o in outputs { XCTAssertEqual(try mode(h.outbox + "/" + o), 0o640, o) }
    }

    func testALoosenedFolderIsTightenedAtStart() throws {
        let h = Harness()
        chmod(h.root + "/archive", 0o777)
        chmod(h.root + "/inbox/.quill-claimed", 0o755)
        try StateRoot(config: h.config).create()
        XCTAssertEqual(try mode(h.root + "/archive"), 0o700)
        XCTAssertEqual(try mode(h.root + "/inbox/.quill-claimed"), 0o700)
    }

    func testAClaimedFolderThatIsALinkIsRefused() throws {
        let h = Harness()
        let elsewhere = h.root + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false)
        rmdir(h.inbox + "/.quill-claimed")
        symlink(elsewhere, h.inbox + "/.quill-claimed")
        XCTAssertThrowsError(try StateRoot(config: h.config).create()) { error in
            XCTAssertTrue("\(error)".contains(".quill-claimed is not a folder"), "\(error)")
        }
    }

    func testAClaimedFolderASenderCreatedIsRefused() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to give the folder to another user")
        let h = Harness()
        chown(h.inbox + "/.quill-claimed", 65534, 65534)
        XCTAssertThrowsError(try StateRoot(config: h.config).create()) { error in
            XCTAssertTrue("\(error)".contains(".quill-claimed belongs to"), "\(error)")
        }
    }

    func testGroupsAreSetOnTheInboxAndTheOutputFolders() throws {
        let h = Harness()
        let gid = getegid()
        h.config.paths.senderGroup = "\(gid)"
        h.config.paths.outputGroup = "\(gid)"
        try StateRoot(config: h.config).create()
        XCTAssertEqual(try mode(h.inbox), 0o3730)
        XCTAssertEqual(try mode(h.outbox), 0o2750)
        XCTAssertEqual(try mode(h.root + "/review"), 0o2750)
        XCTAssertEqual(try mode(h.root + "/outbox/.quill-staging"), 0o2700)
        XCTAssertEqual(try mode(h.inbox + "/.quill-claimed"), 0o700)
    }

    // MARK: Real accounts (root only)

    /// Creates groups and users for one test and removes them afterwards.
    final class Accounts {
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        var users: [String] = [], groups: [String] = []
        func group(_ name: String) throws -> String {
            let g = "qt\(tag)\(name)"
            try run("/usr/sbin/groupadd", [g]); groups.append(g); return g
        }
        func user(_ name: String, groups member: [String]) throws -> String {
            let u = "qt\(tag)\(name)"
            try run("/usr/sbin/useradd", ["-M", "-N", "-s", "/usr/sbin/nologin", "-G", member.joined(separator: ","), u]); users.append(u); return u
        }
        deinit {
            for u in users { _ = try? Accounts.status("/usr/sbin/userdel", [u]) }
            for g in groups { _ = try? Accounts.status("/usr/sbin/groupdel", [g]) }
        }
        func run(_ tool: String, _ args: [String]) throws {
            let s = try Accounts.status(tool, args)
            if s != 0 { throw NSError(domain: tool, code: Int(s)) }
        }
        static func status(_ tool: String, _ args: [String]) throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool); p.arguments = args
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try p.run(); p.waitUntilExit(); return p.terminationStatus
        }
        /// Runs a shell command as `user` (umask 027, as a sender's account would have); true when it succeeded.
        func can(_ user: String, _ command: String, in dir: String) throws -> Bool {
            try Accounts.status("/usr/sbin/runuser", ["-u", user, "--", "/bin/sh", "-c", "cd '\(dir)' && umask 027 && \(command)"]) == 0
        }
    }

    func testSendersCannotListRenameOrReadOthersAndOnlyReadersReadOutputs() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to create the sender and reader accounts")
        let a = Accounts()
        let senders = try a.group("snd"), readers = try a.group("rdr")
        let alice = try a.user("s1", groups: [senders]), bob = try a.user("s2", groups: [senders])
        let reader = try a.user("rd", groups: [readers])
        let h = Harness()
        h.config.paths.senderGroup = senders
        h.config.paths.outputGroup = readers
        try StateRoot(config: h.config).create()
        let r = h.root

        XCTAssertTrue(try a.can(alice, "printf 'Chief complaint: cough.\\nPlan: rest.\\n' > inbox/.a.part && mv inbox/.a.part inbox/note-a.txt", in: r),
                      "a sender writes to a temporary name and renames")
        XCTAssertEqual(try stat(h.inbox + "/note-a.txt").st_gid, FolderPermissions.gid(for: senders), "dropped files get the sender group")
        XCTAssertFalse(try a.can(bob, "ls inbox", in: r), "another sender cannot list the inbox")
        XCTAssertFalse(try a.can(bob, "mv inbox/note-a.txt inbox/mine.txt", in: r), "nor rename another's file")
        XCTAssertFalse(try a.can(bob, "rm -f inbox/note-a.txt", in: r), "nor remove it")
        XCTAssertFalse(try a.can(bob, "mv inbox/.quill-claimed inbox/gone", in: r), "nor rename the claimed folder")
        XCTAssertFalse(try a.can(bob, "touch inbox/.quill-claimed/x", in: r), "nor put files into it")
        XCTAssertFalse(try a.can(reader, "touch inbox/x.txt", in: r), "a reader cannot drop files")

        try h.runOnce()
        let outputs = h.visibleOutbox()
        XCTAssertEqual(outputs.count, 2)
        for o in outputs {
            let st = try stat(h.outbox + "/" + o)
            XCTAssertEqual(st.st_gid, FolderPermissions.gid(for: readers), "\(o) has the output group")
            XCTAssertEqual(st.st_mode & 0o7777, 0o640)
        }
        let output = "outbox/" + outputs[0]
        XCTAssertTrue(try a.can(reader, "ls outbox && cat \(output) > /dev/null", in: r), "a reader lists and reads outputs")
        XCTAssertFalse(try a.can(alice, "cat \(output) > /dev/null", in: r), "a sender does not read outputs")
        XCTAssertFalse(try a.can(reader, "ls archive", in: r), "nobody else lists the archive")
        XCTAssertFalse(try a.can(reader, "cat quill.sqlite > /dev/null", in: r), "nor reads the database")
        XCTAssertFalse(try a.can(alice, "ls archive/*/note-a.txt", in: r), "a sender cannot reach its archived input")
        XCTAssertFalse(try a.can(bob, "ls failed outbox/.quill-staging .quill-runners", in: r), "nor Quill's other folders")
    }
}
