import Digests
import Foundation
import QuillDaemon
import QuillStore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Inputs that try to change under the daemon, block it, exhaust it or slip past it by their name:
/// each still ends in archive/ or failed/, and what is archived is what was hashed and processed.
final class HostileInputTests: XCTestCase {
    struct SimulatedCrash: Error {}

    // MARK: What is hashed is what is processed and archived

    /// The sender keeps the file open and rewrites it right after the claim: the outputs and the
    /// archived copy come from the bytes that were hashed, not from the rewrite.
    func testAWriterThatKeepsTheFileOpenCannotChangeWhatIsProcessedOrArchived() throws {
        let h = Harness()
        let original = Harness.note(41)
        h.drop("held.txt", original)
        let fd = open(h.inbox + "/held.txt", O_WRONLY | O_CLOEXEC)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        let rewrite = Array("Chief complaint: QUILL-TEST-REWRITTEN chest pain.\nPlan: none at all.\n".utf8)
        let rewritten = Flag()
        let daemon = h.daemon(afterStep: { job in
            guard job.state.name == "claimed", !rewritten.isSet else { return }
            rewritten.set()
            _ = ftruncate(fd, 0)
            _ = rewrite.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
        })
        let summary = try daemon.run(.once)
        XCTAssertTrue(rewritten.isSet)
        XCTAssertEqual(summary.written, 1)
        let day = try XCTUnwrap(h.list("archive").first)
        let archivedBytes = try Data(contentsOf: URL(fileURLWithPath: h.root + "/archive/" + day + "/held.txt"))
        XCTAssertEqual(String(decoding: archivedBytes, as: UTF8.self), original, "the archive holds the bytes that were hashed")
        let job = try XCTUnwrap(h.store().jobs().first)
        XCTAssertEqual(job.state.input?.sha256, SHA256.hex(Array(archivedBytes)))
        for o in h.visibleOutbox() {
            let text = try String(contentsOfFile: h.outbox + "/" + o, encoding: .utf8)
            XCTAssertFalse(text.contains("QUILL-TEST-REWRITTEN"), "\(o) was generated from the rewrite")
            XCTAssertTrue(text.contains("case 41"), "\(o) comes from the claimed bytes")
        }
    }

    /// A runner stops right after the claim; before the next one starts, the claimed file is
    /// changed. The next runner must not process bytes other than those hashed: it fails the job.
    func testAClaimedFileChangedBeforeAResumeIsFailedNotProcessed() throws {
        let h = Harness()
        h.drop("resumed.txt", Harness.note(42))
        let crashed = Flag()
        let first = h.daemon(afterStep: { job in
            if job.state.name == "claimed" && !crashed.isSet { crashed.set(); throw SimulatedCrash() }
        })
        XCTAssertEqual(try first.run(.once).errors, 1)
        let claimed = h.list("inbox/.quill-claimed")
        XCTAssertEqual(claimed.count, 1)
        try Data("Chief complaint: QUILL-TEST-REWRITTEN.\nPlan: none.\n".utf8)
            .write(to: URL(fileURLWithPath: h.inbox + "/.quill-claimed/" + claimed[0]))
        let summary = try h.runOnce()
        XCTAssertEqual(summary.failed, 1)
        XCTAssertEqual(summary.written, 0)
        XCTAssertEqual(h.visibleOutbox(), [])
        XCTAssertEqual(h.archived(), [])
        XCTAssertTrue(try reason(h, "resumed.txt").contains("changed after it was claimed"))
    }

    // MARK: Pipes, devices, hard links

    func testAHardLinkedFileIsRefusedIntoFailed() throws {
        let h = Harness()
        let elsewhere = h.root + "/elsewhere.txt"
        try Data(Harness.note(43).utf8).write(to: URL(fileURLWithPath: elsewhere))
        XCTAssertEqual(link(elsewhere, h.inbox + "/linked.txt"), 0)
        let summary = try h.runOnce()
        XCTAssertEqual(summary.failed, 1)
        XCTAssertEqual(h.archived(), [])
        XCTAssertEqual(h.visibleOutbox(), [])
        XCTAssertTrue(h.list("failed").contains("linked.txt"))
        XCTAssertTrue(try reason(h, "linked.txt").contains("hard links"))
    }

    /// A FIFO and a device node (as root) land in failed/ with a reason, on the inbox's own
    /// filesystem and across filesystems (inbox on tmpfs), and never hold a worker: the daemon
    /// runs as a child process that is killed, and the test failed, if it outlives the timeout.
    func testAFIFOAndADeviceEndInFailedWithoutBlockingAWorker() throws {
        for acrossFilesystems in [false, true] {
            let h = Harness()
            guard let inbox = acrossFilesystems ? try otherFilesystemInbox(h) : h.inbox else { continue }
            defer { if acrossFilesystems { try? FileManager.default.removeItem(atPath: inbox) } }
            XCTAssertEqual(mkfifo(inbox + "/pipe.txt", 0o644), 0)
            var expected = ["pipe.txt": "pipe"]
            if geteuid() == 0, mknod(inbox + "/zero.txt", S_IFCHR | 0o644, dev_t(0x105)) == 0  /* makedev(1, 5): /dev/zero */ {
                expected["zero.txt"] = "device"
            }
            try Data(Harness.note(44).utf8).write(to: URL(fileURLWithPath: inbox + "/fine.txt"))
            let run = try runHostToEnd(h, ["once", "--state", h.root, "--inbox", inbox], timeout: 60)
            XCTAssertEqual(run?.status, 0, "across filesystems: \(acrossFilesystems)")
            XCTAssertEqual(h.archived(), ["fine.txt"])
            for (name, word) in expected {
                XCTAssertTrue(h.list("failed").contains(name), "\(name) in failed/ (across filesystems: \(acrossFilesystems))")
                XCTAssertTrue((try? reason(h, name))?.contains(word) ?? false, "\(name): the reason says \(word)")
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: inbox + "/.quill-claimed"), [], "nothing left claimed")
        }
    }

    // MARK: Names

    /// Names of 250 bytes (ASCII and two-byte characters): temp, error-file and output names
    /// derived from them must still fit NAME_MAX, so each ends in archive/ or failed/.
    func testNamesNear255BytesAreProcessedOrFailedNotLeftClaimed() throws {
        let h = Harness()
        let plain = String(repeating: "a", count: 246) + ".txt"
        let wide = String(repeating: "é", count: 123) + ".txt"
        let refused = String(repeating: "b", count: 246) + ".txt"
        for n in [plain, wide, refused] { XCTAssertEqual(n.utf8.count, 250) }
        h.drop(plain, Harness.note(45))
        h.drop(wide, Harness.note(46))
        h.drop(refused, "Assessment: QUILL-TEST-REJECT\nPlan: none.\n")
        var summary = try h.runOnce()
        XCTAssertEqual(summary.written, 2)
        XCTAssertEqual(summary.failed, 1)
        h.drop(plain, Harness.note(47))  // the same long name again: its archive name gets the job id
        summary = try h.runOnce()
        XCTAssertEqual(summary.written, 1)

        XCTAssertEqual(h.list("inbox/.quill-claimed"), [], "nothing left claimed")
        XCTAssertEqual(h.list("inbox").filter { !$0.hasPrefix(".") }, [])
        let archived = h.archived()
        XCTAssertEqual(archived.count, 3)
        XCTAssertEqual(archived.filter { $0.hasPrefix("aaaa") && $0.hasSuffix(".txt") }.count, 2)
        XCTAssertEqual(archived.filter { $0.hasPrefix("éé") && $0.hasSuffix(".txt") }.count, 1)
        let failed = h.list("failed")
        XCTAssertEqual(failed.count, 2, "the input and its .error.json")
        let errorFile = try XCTUnwrap(failed.first { $0.hasSuffix(".error.json") })
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: h.root + "/failed/" + errorFile))) as! [String: Any]
        XCTAssertEqual(obj["file"] as? String, refused, "the error file names the file as it arrived")
        XCTAssertEqual(h.visibleOutbox().count, 6)
        for name in h.visibleOutbox() + archived + failed { XCTAssertLessThanOrEqual(name.utf8.count, 255) }
        guard case .intact = try h.store().verifyAudit() else { return XCTFail("audit chain broken") }
    }

    /// `caf\xE9-note.txt` (Latin-1, not UTF-8) found by the start-up scan, and another found
    /// through inotify while serving: each is renamed to its `%XX` form and processed.
    func testANameThatIsNotValidUTF8IsProcessedUnderAnEscapedName() throws {
        let h = Harness(rescan: 60)
        try writeRaw(h.inbox, Array("caf".utf8) + [0xE9] + Array("-note.txt".utf8), Harness.note(48))
        XCTAssertEqual(try h.runOnce().written, 1)
        XCTAssertEqual(h.archived(), ["caf%E9-note.txt"])
        XCTAssertEqual(rawNames(h.inbox), [Array(".quill-claimed".utf8)])

        let stop = h.serve(h.daemon())
        Thread.sleep(forTimeInterval: 0.2)
        try writeRaw(h.inbox, Array("r".utf8) + [0xC3, 0x28, 0xFF] + Array(".txt".utf8), Harness.note(49))
        eventually("the second file is processed without waiting for a rescan") { h.archived().count == 2 }
        XCTAssertEqual(stop().written, 1)
        XCTAssertEqual(h.archived(), ["caf%E9-note.txt", "r%C3(%FF.txt"])
        XCTAssertEqual(h.visibleOutbox().count, 4)
        let events = try h.store().auditEvents().filter { $0.action == "inbox.renamed" }
        XCTAssertEqual(events.count, 2)
        // The audit identifies the original name by its hash only: names can carry patient names.
        let original: [UInt8] = Array("caf".utf8) + [0xE9] + Array("-note.txt".utf8)
        XCTAssertTrue(events.first?.details.contains(SHA256.hex(original)) ?? false, "the audit keeps the original name's hash")
        XCTAssertFalse(events.contains { $0.details.contains("636166E92D6E6F74652E747874") },
                       "the audit keeps no name")
    }

    // MARK: Huge and sparse files

    /// A 6 GiB sparse file: refused by its size from fstat at the claim, without being read.
    /// Reading (hashing) it would take minutes; the child is killed after 30 s.
    func testAHugeSparseFileIsRefusedBySizeWithoutBeingRead() throws {
        let h = Harness()
        try makeSparse(h.inbox + "/huge.txt", bytes: 6 << 30)
        let run = try runHostToEnd(h, ["once", "--state", h.root], timeout: 30)
        XCTAssertEqual(run?.status, 0)
        XCTAssertTrue(h.list("failed").contains("huge.txt"))
        XCTAssertTrue((try? reason(h, "huge.txt"))?.contains("larger than the limit") ?? false)
        if let rss = run?.peakRSSKiB { XCTAssertLessThan(rss, 200 << 10, "peak RSS \(rss) KiB") }
    }

    /// Inbox on tmpfs, state root elsewhere: refused files cross filesystems into failed/ as a
    /// stream. A 4 GiB sparse file stays sparse (no disk, no memory); 96 MiB of real data moves
    /// with the daemon's peak memory far below the file's size.
    func testRefusedFilesCrossFilesystemsIntoFailedAsAStream() throws {
        let h = Harness()
        guard let inbox = try otherFilesystemInbox(h) else { return }
        defer { try? FileManager.default.removeItem(atPath: inbox) }
        try makeSparse(inbox + "/huge.hl7", bytes: 4 << 30)
        var big = [UInt8](repeating: 0, count: 96 << 20)
        var x: UInt32 = 2463534242
        for i in big.indices { x ^= x << 13; x ^= x >> 17; x ^= x << 5; big[i] = UInt8(truncatingIfNeeded: x) | 1 }
        try Data(big).write(to: URL(fileURLWithPath: inbox + "/big.txt"))
        let run = try runHostToEnd(h, ["once", "--state", h.root, "--inbox", inbox], timeout: 90)
        XCTAssertEqual(run?.status, 0)
        var st = stat()
        XCTAssertEqual(lstat(h.root + "/failed/huge.hl7", &st), 0)
        XCTAssertEqual(Int(st.st_size), 4 << 30)
        XCTAssertLessThan(Int(st.st_blocks) * 512, 1 << 20, "the sparse file stayed sparse")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: h.root + "/failed/big.txt")), Data(big))
        XCTAssertTrue((try? reason(h, "big.txt"))?.contains("larger than the limit") ?? false)
        if let rss = run?.peakRSSKiB { XCTAssertLessThan(rss, 80 << 10, "peak RSS \(rss) KiB moving a 96 MiB file") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: inbox + "/.quill-claimed"), [])
    }

    // MARK: Helpers

    private func reason(_ h: Harness, _ name: String) throws -> String {
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: h.root + "/failed/\(name).error.json"))) as! [String: Any]
        return obj["reason"] as? String ?? ""
    }

    /// An inbox folder on /dev/shm when that is another filesystem than the state root; `nil`
    /// (and the test skipped) otherwise.
    private func otherFilesystemInbox(_ h: Harness) throws -> String? {
        var shm = stat(), state = stat()
        guard stat("/dev/shm", &shm) == 0, stat(h.root, &state) == 0, shm.st_dev != state.st_dev else {
            throw XCTSkip("needs /dev/shm on another filesystem than \(h.root)")
        }
        let inbox = "/dev/shm/quill-inbox-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: inbox + "/.quill-claimed", withIntermediateDirectories: true)
        return inbox
    }

    private func makeSparse(_ path: String, bytes: Int) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        XCTAssertEqual(ftruncate(fd, off_t(bytes)), 0)
    }

    /// Creates a file whose name is given as raw bytes.
    private func writeRaw(_ folder: String, _ name: [UInt8], _ text: String) throws {
        let path = Array(folder.utf8) + [0x2F] + name + [0]
        let fd = path.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        }
        XCTAssertGreaterThanOrEqual(fd, 0)
        let bytes = Array(text.utf8)
        XCTAssertEqual(bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }, bytes.count)
        close(fd)
    }

    /// A folder's names as raw bytes.
    private func rawNames(_ folder: String) -> [[UInt8]] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names = [[UInt8]]()
        while let e = readdir(dir) {
            let raw = withUnsafeBytes(of: e.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if raw != [0x2E] && raw != [0x2E, 0x2E] { names.append(raw) }
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Runs the test host until it exits; one still running after `timeout` is killed and the test
    /// fails (a hung worker must show as a failure, not hang the suite). `nil` after a kill.
    private func runHostToEnd(_ h: Harness, _ args: [String], timeout: Double,
                              file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, peakRSSKiB: Int?)? {
        let log = h.root + "/host-stderr.log"
        XCTAssertTrue(FileManager.default.createFile(atPath: log, contents: nil))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: testHostPath)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let started = Date()
        try p.run()
        while p.isRunning && Date().timeIntervalSince(started) < timeout { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            XCTFail("the daemon was still running after \(timeout) s (a worker blocked or read a huge file)", file: file, line: line)
            return nil
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let rss = text.split(separator: "\n").last { $0.hasPrefix("peak_rss_kib=") }.flatMap { Int($0.dropFirst("peak_rss_kib=".count)) }
        print("host ran \(String(format: "%.1f", Date().timeIntervalSince(started))) s, peak RSS \(rss.map { "\($0) KiB" } ?? "?")")
        return (p.terminationStatus, rss)
    }
}
