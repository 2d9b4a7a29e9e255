import ClinicalDocuments
import Foundation
import Logging
import QuillApp
import QuillDaemon
import QuillStore
import XCTest

/// The daemon as `quill serve` runs it, with the real processor that `makeDocumentProcessor` builds from a
/// config: the demo model in models/demo, the shipped templates, a temporary state root, real inotify and
/// SQLite. A file dropped into the inbox comes out as outputs in outbox/ or review/, its input in archive/.
final class ServeWithDemoModelTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "quill-app-\(UUID().uuidString.prefix(8))"
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func config() -> QuillConfig {
        var c = QuillConfig()
        c.paths.state = root
        c.paths.templates = Self.repo.appendingPathComponent("templates").path
        c.model.path = Self.repo.appendingPathComponent("models/demo").path
        c.model.threads = 2
        c.model.adapter = "none"
        c.watch.stabilitySeconds = 0.1
        // No rescan during the test: the file is found by inotify.
        c.watch.rescanSeconds = 3600
        c.jobs.timeoutSeconds = 600
        c.systemd.notify = false
        return c
    }

    func list(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + relative)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    func archived() -> [String] { list("archive").flatMap { day in list("archive/" + day) } }

    /// Serves until `example` (a file of examples/) has settled; returns the output names (outbox and review).
    func serve(_ config: QuillConfig, dropping example: String) throws -> [String] {
        try config.validate()
        try StateRoot(config: config).create()
        var logger = Logger(label: "quill.test")
        logger.logLevel = .warning
        let processor = try makeDocumentProcessor(config: config, logger: logger)
        let daemon = Daemon(config: config, processor: processor, logger: logger)
        let done = DispatchSemaphore(value: 0)
        let failure = ErrorBox()
        Thread.detachNewThread {
            do { _ = try daemon.run(.serve) } catch { failure.error = error }
            done.signal()
        }
        Thread.sleep(forTimeInterval: 1)
        // As a sender must: a name the daemon ignores, then a rename into place.
        let part = config.inboxPath + "/." + example + ".part"
        try FileManager.default.copyItem(atPath: Self.repo.appendingPathComponent("examples/" + example).path, toPath: part)
        try FileManager.default.moveItem(atPath: part, toPath: config.inboxPath + "/" + example)
        let end = Date().addingTimeInterval(600)
        while Date() < end, archived().isEmpty, list("failed").isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        daemon.requestStop()
        done.wait()
        if let e = failure.error { throw e }
        XCTAssertEqual(list("failed"), [], "nothing failed")
        XCTAssertEqual(archived(), [example], "the input is archived")
        XCTAssertEqual(list("inbox"), [], "the inbox is empty")
        let jobs = try StateRoot(config: config).openStore().jobs()
        XCTAssertEqual(jobs.map(\.state.name), ["written"])
        return list("outbox") + list("review")
    }

    final class ErrorBox: @unchecked Sendable { var error: Error? }

    func testADroppedNoteBecomesADischargeSummaryInEveryFormat() throws {
        let outputs = try serve(config(), dropping: "discharge-note.txt")
        XCTAssertEqual(Set(outputs), Set(["txt", "md", "cda.xml", "hl7", "fhir.json", "provenance.json"].map { "discharge-note.discharge-summary.\($0)" }))
        let text = try String(contentsOfFile: (list("outbox").isEmpty ? root + "/review/" : root + "/outbox/") + "discharge-note.discharge-summary.txt", encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("Discharge summary\n"), text)
    }

    /// `tasks.clinical_note` decides what a clinical note becomes at this site.
    func testTheConfiguredTaskForAClinicalNoteIsWhatIsWritten() throws {
        var c = config()
        c.tasks.clinicalNote = "soap_note"
        c.tasks.formats = ["text"]
        let outputs = try serve(c, dropping: "discharge-note.txt")
        XCTAssertEqual(Set(outputs), ["discharge-note.soap-note.txt", "discharge-note.soap-note.provenance.json"])
        let text = try String(contentsOfFile: (list("outbox").isEmpty ? root + "/review/" : root + "/outbox/") + "discharge-note.soap-note.txt", encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("SOAP note\n"), text)
        for heading in ["Subjective:", "Objective:", "Assessment:", "Plan:"] { XCTAssertTrue(text.contains(heading), text) }
    }
}
