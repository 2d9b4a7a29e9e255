import ClinicalDocuments
import Foundation
import QuillDaemon
import QuillDaemonTestSupport
import QuillStore
import XCTest

/// Reviewers save outputs into `reviewed/`: each is bound to its job, recorded once with its audit
/// event, and moved to `archive/reviewed/`; what cannot be bound or read goes to `failed/reviewed/`.
final class ReviewedFolderTests: XCTestCase {
    /// The test processor, with a correction check that refuses a marker (the pipeline's check reads sections).
    struct CheckingProcessor: DocumentProcessor {
        let inner = SectionTextProcessor()
        func process(_ document: ClinicalDocument, stem: String, inputSHA256: String, interruption: Interruption) throws -> ProcessedDocument {
            try inner.process(document, stem: stem, inputSHA256: inputSHA256, interruption: interruption)
        }
        func checkCorrection(_ text: String, outputName: String) throws {
            if text.contains("UNREADABLE") { throw CheckFailed(file: outputName) }
        }
        struct CheckFailed: Error, CustomStringConvertible {
            var file: String
            var description: String { "\(file), line 2, has a section the task does not have" }
        }
    }

    private func save(_ h: Harness, _ name: String, _ text: String) {
        let tmp = h.root + "/reviewed/." + name + ".tmp"
        try! Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
        try! FileManager.default.moveItem(atPath: tmp, toPath: h.root + "/reviewed/" + name)
    }

    private func errorReason(_ h: Harness, _ name: String) -> String {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: h.root + "/failed/reviewed/" + name + ".error.json"))) ?? Data()
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["reason"] as? String ?? ""
    }

    func testSavedOutputsAreBoundRecordedOnceAndMovedAndTheRestRefusedWithAReason() throws {
        let h = Harness()
        let logs = LogRecords()
        let stop = h.serve(Daemon(config: h.config, processor: CheckingProcessor(), logger: logs.logger()))
        h.drop("bed-4.txt", Harness.note(4))
        h.drop("bed-5.txt", Harness.note(5))
        h.drop("bed-6.txt", Harness.note(6))
        eventually("three documents written") { h.visibleOutbox().count == 6 }
        let original4 = try String(contentsOfFile: h.outbox + "/bed-4.discharge-summary.txt", encoding: .utf8)
        let original6 = try String(contentsOfFile: h.outbox + "/bed-6.discharge-summary.md", encoding: .utf8)

        save(h, "bed-4.discharge-summary.txt", original4.replacingOccurrences(of: "asthma", with: "asthma, well controlled"))
        save(h, "bed-6.discharge-summary.md", original6)                             // saved unchanged: an accept
        save(h, "bed-5.discharge-summary.txt", "UNREADABLE\n")                      // the check refuses it
        save(h, "bed-9.discharge-summary.txt", "no such output\n")                  // matches no job
        eventually("four files taken in") { h.list("reviewed").filter { !$0.hasPrefix(".") }.isEmpty }
        // A second review of a document already reviewed is refused.
        save(h, "bed-4.discharge-summary.md", "# changed again\n")
        eventually("the second review refused") { h.list("failed/reviewed").contains("bed-4.discharge-summary.md") }
        _ = stop()

        let store = try h.store()
        let reviews = try store.reviews()
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: reviews.map { ($0.document, $0.kind) }),
                       ["bed-4.discharge-summary": .correct, "bed-6.discharge-summary": .accept])
        let correction = reviews.first { $0.kind == .correct }!
        let accept = reviews.first { $0.kind == .accept }!
        XCTAssertEqual(correction.document, "bed-4.discharge-summary")
        XCTAssertEqual(correction.via, "folder")
        XCTAssertEqual(correction.reviewer, NSUserName(), "the owner of the saved file")
        XCTAssertEqual(correction.editSize, 3, "\"asthma.\" replaced, two words inserted")
        XCTAssertTrue(correction.correctedText?.contains("well controlled") ?? false)
        XCTAssertEqual(h.list("archive/reviewed").sorted(), ["\(correction.id).bed-4.discharge-summary.txt", "\(accept.id).bed-6.discharge-summary.md"].sorted())
        XCTAssertEqual(accept.correctedText, original6, "an accept keeps the text it approved, for replay")

        XCTAssertEqual(Set(h.list("failed/reviewed").filter { !$0.hasSuffix(".error.json") }),
                       ["bed-5.discharge-summary.txt", "bed-9.discharge-summary.txt", "bed-4.discharge-summary.md"])
        XCTAssertTrue(errorReason(h, "bed-5.discharge-summary.txt").contains("line 2"), errorReason(h, "bed-5.discharge-summary.txt"))
        XCTAssertTrue(errorReason(h, "bed-9.discharge-summary.txt").contains("matches no output"))
        XCTAssertTrue(errorReason(h, "bed-4.discharge-summary.md").contains("already reviewed"))

        let events = try store.auditEvents()
        XCTAssertEqual(events.filter { $0.action == "review.corrected" }.count, 1)
        XCTAssertEqual(events.filter { $0.action == "review.accepted" }.count, 1)
        XCTAssertEqual(events.filter { $0.action == "review.refused" }.count, 3)
        let everything = events.filter { $0.action.hasPrefix("review.") }.map(\.details) + logs.all.map { $0.message + " " + $0.metadata.values.joined(separator: " ") }
        XCTAssertFalse(everything.contains { $0.contains("bed-") || $0.contains("well controlled") }, "no names or text in the trail or logs")
        guard case .intact = try store.verifyAudit() else { return XCTFail("audit chain broken") }
        try h.assertEveryInputSettledOnce(["bed-4.txt", "bed-5.txt", "bed-6.txt"])
    }

    /// A correction recorded just before a stop, whose file had not moved yet, is only moved after the restart.
    func testAFileRecordedBeforeARestartIsMovedNotRecordedAgain() throws {
        let h = Harness()
        let first = h.serve(Daemon(config: h.config, processor: CheckingProcessor(), logger: LogRecords().logger()))
        h.drop("bed-7.txt", Harness.note(7))
        eventually("written") { h.visibleOutbox().count == 2 }
        _ = first()
        let name = "bed-7.discharge-summary.txt"
        let text = try String(contentsOfFile: h.outbox + "/" + name, encoding: .utf8) + "Plan: rest.\n"
        // What the intake records, done by hand, as if the process died before the move.
        let store = try h.store()
        let desk = ReviewDesk(store: store, root: StateRoot(config: h.config))
        let (job, output) = try desk.output(named: name)
        try desk.record(.correct(text: text), on: output, of: job, reviewer: NSUserName(), via: "folder", check: { _, _ in })
        save(h, name, text)

        let second = h.serve(Daemon(config: h.config, processor: CheckingProcessor(), logger: LogRecords().logger()))
        eventually("moved") { h.list("reviewed").filter { !$0.hasPrefix(".") }.isEmpty }
        _ = second()
        XCTAssertEqual(try store.reviews().count, 1)
        XCTAssertEqual(h.list("archive/reviewed").count, 1)
        XCTAssertEqual(h.list("failed/reviewed"), [])
    }
}
