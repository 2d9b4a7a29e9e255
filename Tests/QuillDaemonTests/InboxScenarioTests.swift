import Foundation
import QuillDaemon
import QuillStore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Scenarios with real folders, real inotify and a real SQLite file.
final class InboxScenarioTests: XCTestCase {
    func testAFileDroppedWhileServingIsProcessedToArchiveAndOutbox() throws {
        let h = Harness()
        let stop = h.serve(h.daemon())
        h.drop("admission.txt", Harness.note(1))
        eventually("the outputs appear") { h.visibleOutbox().count == 2 }
        let summary = stop()
        XCTAssertEqual(summary.written, 1)
        XCTAssertEqual(h.visibleOutbox(), ["admission.discharge-summary.md", "admission.discharge-summary.txt"])
        let text = try String(contentsOfFile: h.outbox + "/admission.discharge-summary.txt", encoding: .utf8)
        XCTAssertTrue(text.contains("asthma"), "the output is rendered from the document's sections")
        try h.assertEveryInputSettledOnce(["admission.txt"])
        let actions = try h.store().auditEvents(jobID: 1).map(\.action)
        XCTAssertEqual(actions, ["job.received", "job.claimed", "job.ingested", "job.generated", "job.written"])
    }

    func testFilesPresentBeforeStartAreProcessedByTheStartUpScan() throws {
        let h = Harness()
        for i in 1...3 { h.drop("before-\(i).txt", Harness.note(i)) }
        h.drop("dialogue.txt", "Doctor: What brings you in?\nPatient: My knee hurts when I climb stairs.\nDoctor: We will get an x-ray.\n")
        let summary = try h.runOnce()
        XCTAssertEqual(summary.written, 4)
        XCTAssertTrue(h.visibleOutbox().contains("dialogue.soap-note.txt"), "a dialogue becomes a SOAP note")
        try h.assertEveryInputSettledOnce(["before-1.txt", "before-2.txt", "before-3.txt", "dialogue.txt"])
    }

    func testAFileStillBeingWrittenIsNotTakenUntilItIsStable() throws {
        let h = Harness(stability: 0.4)
        let stop = h.serve(h.daemon())
        // A sender that writes in place (as SMB clients do), a line every 100 ms for a second.
        let path = h.inbox + "/growing.txt"
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        for i in 0..<10 {
            let line = "Progress note line \(i): stable, afebrile, eating well.\n"
            _ = line.withCString { write(fd, $0, strlen($0)) }
            fsync(fd)
            Thread.sleep(forTimeInterval: 0.1)
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "taken after \(i + 1) of 10 writes")
        }
        close(fd)
        eventually("the finished file is processed") { h.visibleOutbox().count == 2 }
        _ = stop()
        let text = try String(contentsOfFile: h.outbox + "/growing.discharge-summary.txt", encoding: .utf8)
        XCTAssertTrue(text.contains("line 9"), "the output was made from the whole file")
        try h.assertEveryInputSettledOnce(["growing.txt"])
    }

    func testTempAndDotNamesAreIgnoredUntilRenamedIn() throws {
        let h = Harness(rescan: 60)  // no periodic rescan during the test: the rename must be seen through inotify
        let stop = h.serve(h.daemon())
        for name in ["upload.txt.part", "upload2.txt.tmp", "upload3.filepart", "draft.txt~", ".hidden.txt"] {
            try Data(Harness.note(name.count).utf8).write(to: URL(fileURLWithPath: h.inbox + "/" + name))
        }
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(h.visibleOutbox(), [], "nothing taken while the names are temporary")
        XCTAssertEqual(try h.store().jobs().count, 0)
        try FileManager.default.moveItem(atPath: h.inbox + "/upload.txt.part", toPath: h.inbox + "/upload.txt")
        eventually("the renamed file is processed") { h.visibleOutbox().count == 2 }
        _ = stop()
        XCTAssertEqual(h.list("inbox").filter { !$0.hasPrefix(".") }.sorted(), ["draft.txt~", "upload2.txt.tmp", "upload3.filepart"])
        XCTAssertTrue(h.list("inbox").contains(".hidden.txt"))
    }

    func testAPeriodicRescanFindsFilesThatRaisedNoEvent() throws {
        let h = Harness(rescan: 1.0)
        // A file that arrives without an event Quill listens for (as writes from another host on a
        // share do): a hard link made into the inbox raises only IN_CREATE.
        let stop = h.serve(h.daemon())
        Thread.sleep(forTimeInterval: 0.2)  // past the start-up scan
        let outside = h.root + "/outside.txt"
        try Data(Harness.note(7).utf8).write(to: URL(fileURLWithPath: outside))
        XCTAssertEqual(link(outside, h.inbox + "/linked.txt"), 0)
        unlink(outside)
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(h.visibleOutbox(), [], "no event, so not seen before the rescan")
        eventually("the rescan finds it") { h.visibleOutbox().count == 2 }
        _ = stop()
        try h.assertEveryInputSettledOnce(["linked.txt"])
    }

    func testAnInputWhoseContentWasAlreadyProcessedIsRecordedAsADuplicateWithTheEarlierOutputsNamed() throws {
        let h = Harness()
        h.drop("first.txt", Harness.note(1))
        try h.runOnce()
        h.drop("resent.txt", Harness.note(1))
        let summary = try h.runOnce()
        XCTAssertEqual(summary.duplicates, 1)
        XCTAssertEqual(h.visibleOutbox(), ["first.discharge-summary.md", "first.discharge-summary.txt"], "no second set of outputs")
        XCTAssertEqual(h.archived(), ["first.txt", "resent.txt"])
        let job = try h.store().jobs().last!
        guard case let .duplicate(_, of, earlier) = job.state else { return XCTFail("\(job.state)") }
        XCTAssertEqual(of, 1)
        XCTAssertEqual(earlier, ["first.discharge-summary.txt", "first.discharge-summary.md"])
        let event = try h.store().auditEvents(jobID: job.id).last!
        XCTAssertEqual(event.action, "job.duplicate")
        XCTAssertTrue(event.details.contains(#""duplicate_of":1"#))
        XCTAssertFalse(event.details.contains("first"), "output names come from the input's name; the audit keeps ids only")
    }

    func testASecondFileWithTheSameNameGetsItsOwnOutputsAndArchivePlace() throws {
        let h = Harness()
        h.drop("note.txt", Harness.note(1))
        try h.runOnce()
        h.drop("note.txt", Harness.note(2))
        try h.runOnce()
        XCTAssertEqual(h.archived(), ["note.2.txt", "note.txt"])
        XCTAssertEqual(h.visibleOutbox(), ["note-2.discharge-summary.md", "note-2.discharge-summary.txt",
                                           "note.discharge-summary.md", "note.discharge-summary.txt"])
    }

    func testBadInputsLandInFailedWithAReasonAClerkCanRead() throws {
        let h = Harness()
        var junk = [UInt8](repeating: 0, count: 2048)
        for i in junk.indices { junk[i] = UInt8(truncatingIfNeeded: i &* 7919) }
        try Data(junk).write(to: URL(fileURLWithPath: h.inbox + "/scan.pdf"))
        XCTAssertEqual(symlink("/etc/hostname", h.inbox + "/link.txt"), 0)
        try FileManager.default.createDirectory(atPath: h.inbox + "/a-folder", withIntermediateDirectories: false)
        try Data().write(to: URL(fileURLWithPath: h.inbox + "/empty.txt"))
        h.drop("refused.txt", "Assessment: QUILL-TEST-REJECT\nPlan: none.\n")
        let summary = try h.runOnce()
        XCTAssertEqual(summary.failed, 5)
        let failed = h.list("failed")
        for name in ["scan.pdf", "link.txt", "a-folder", "empty.txt", "refused.txt"] {
            XCTAssertTrue(failed.contains(name), "\(name) in failed/")
            let data = try Data(contentsOf: URL(fileURLWithPath: h.root + "/failed/\(name).error.json"))
            let obj = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            XCTAssertEqual(obj["file"] as? String, name)
            let reason = obj["reason"] as! String
            XCTAssertTrue(reason.contains(name), "the reason names the file: \(reason)")
        }
        func reason(_ n: String) throws -> String {
            let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: h.root + "/failed/\(n).error.json"))) as! [String: Any]
            return obj["reason"] as! String
        }
        XCTAssertTrue(try reason("link.txt").contains("symbolic link"))
        XCTAssertTrue(try reason("a-folder").contains("folder"))
        XCTAssertTrue(try reason("scan.pdf").contains("does not look like a text document"))
        XCTAssertTrue(try reason("empty.txt").contains("empty"))
        XCTAssertTrue(try reason("refused.txt").contains("could not be turned into its outputs"))
        var isLink = stat()
        XCTAssertEqual(lstat(h.root + "/failed/link.txt", &isLink), 0)
        XCTAssertEqual(isLink.st_mode & S_IFMT, S_IFLNK, "the link itself is moved, never followed")
        XCTAssertEqual(h.visibleOutbox(), [])
        XCTAssertEqual(h.archived(), [], "never both")
        guard case .intact = try h.store().verifyAudit() else { return XCTFail() }
    }

    func testAFileFromAUserNotAllowedIsRefused() throws {
        let h = Harness()
        h.config.watch.allowedOwners = ["65534"]  // nobody; the test's files belong to the test's user
        h.drop("from-root.txt", Harness.note(3))
        let summary = try h.runOnce()
        XCTAssertEqual(summary.failed, 1)
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: h.root + "/failed/from-root.txt.error.json"))) as! [String: Any]
        XCTAssertTrue((obj["reason"] as! String).contains("watch.allowed_owners"))
    }

    func testOutputsTheFactCheckHoldsBackGoToReviewNotTheOutbox() throws {
        let h = Harness()
        h.drop("doubtful.txt", "Diagnosis: QUILL-TEST-REVIEW pneumonia.\nPlan: antibiotics.\n")
        let summary = try h.runOnce()
        XCTAssertEqual(summary.written, 1)
        XCTAssertEqual(h.visibleOutbox(), [])
        XCTAssertEqual(h.list("review"), ["doubtful.discharge-summary.md", "doubtful.discharge-summary.txt"])
        XCTAssertEqual(h.archived(), ["doubtful.txt"])
    }

    func testFiveHundredFilesDroppedAtOnceAreEachProcessedExactlyOnce() throws {
        let h = Harness(stability: 0.05, rescan: 1)
        let stop = h.serve(h.daemon())
        let names = (1...500).map { String(format: "burst-%03d.txt", $0) }
        for (i, n) in names.enumerated() { h.drop(n, Harness.note(1000 + i)) }
        eventually("all 500 are processed", timeout: 120) { h.visibleOutbox().count == 1000 }
        let summary = stop()
        XCTAssertEqual(summary.written, 500)
        try h.assertEveryInputSettledOnce(names)
    }
}
