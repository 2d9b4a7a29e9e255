import ClinicalDocuments
import Foundation
import Logging
import QuillApp
import QuillDaemon
import XCTest

/// The default model (`models/default.gguf`, fetched by `make models`, with the task adapter
/// `models/default.adapter` names) through the processor the daemon runs, with no model named in the config:
/// one real-style document of each input kind (plain-text note, HL7 v2, C-CDA, dialogue) comes out complete,
/// and the provenance names the real files.
final class DefaultModelEndToEndTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testEachInputKindThroughTheDefaultModel() throws {
        let link = Self.repo.appendingPathComponent("models/default.gguf")
        guard FileManager.default.fileExists(atPath: link.path) else {
            throw XCTSkip("\(link.path) names a model that is absent: run `make models`")
        }
        let state = NSTemporaryDirectory() + "quill-default-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        var c = QuillConfig()
        c.paths.state = state
        c.paths.templates = Self.repo.appendingPathComponent("templates").path
        c.model.threads = 2
        XCTAssertEqual(c.model.path, "", "no model named: the default is used")
        try StateRoot(config: c).create()
        var logger = Logger(label: "quill.test")
        logger.logLevel = .warning
        let processor = try makeDocumentProcessor(config: c, logger: logger)
        let model = link.resolvingSymlinksInPath().lastPathComponent
        let adapterLink = Self.repo.appendingPathComponent("models/default.adapter")
        let adapter = FileManager.default.fileExists(atPath: adapterLink.path) ? adapterLink.resolvingSymlinksInPath().lastPathComponent : "none"

        for example in ["discharge-note.txt", "discharge-note.hl7", "discharge-note.cda.xml", "visit-dialogue.txt"] {
            let document = try XCTUnwrap(readClinicalDocuments(at: Self.repo.appendingPathComponent("examples/" + example)).first)
            let stem = String(example.prefix { $0 != "." })
            let result = try processor.process(document, stem: stem, inputSHA256: "test", interruption: Interruption())
            let files = Dictionary(uniqueKeysWithValues: result.outputs.map { ($0.fileName, String(decoding: $0.bytes, as: UTF8.self)) })
            let task = document.task
            XCTAssertEqual(files.count, 6, "\(example): five formats and provenance")
            let text = try XCTUnwrap(files["\(stem).\(task.fileName).txt"], example)
            for heading in task.headings { XCTAssertTrue(text.contains("\n\(heading):"), "\(example): \(heading) in\n\(text)") }
            // The model wrote something in most sections: a real model reads the document, not only "Not documented.".
            let written = task.headings.filter { h in
                text.split(separator: "\n").contains { $0.hasPrefix("\(h):") && !$0.hasSuffix("Not documented.") && $0.count > h.count + 4 }
            }
            XCTAssertGreaterThanOrEqual(written.count, task.headings.count / 2, "\(example):\n\(text)")
            XCTAssertEqual(result.audit["model"], model, example)
            XCTAssertEqual(result.audit["adapter"], adapter, example)
        }
    }
}
