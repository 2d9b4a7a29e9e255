import ClinicalDocuments
import Foundation
import LLM
import XCTest
@testable import QuillPipeline

/// From the example documents (text note, HL7 v2, CDA, dialogue) to all five formats with the embedded demo
/// model through Quill's own loader, tokenizer and templates; every output read back by a real reader.
final class DemoModelEndToEndTests: XCTestCase {
    static let pipeline: DocumentPipeline? = try? DocumentPipeline(
        modelFolder: PipelineFixtures.repo.appendingPathComponent("models/demo"), quantization: .q8_0,
        settings: PipelineSettings(templatesFolder: PipelineFixtures.templates))

    func process(_ example: String) throws -> (ClinicalDocument, PipelineResult) {
        let pipeline = try XCTUnwrap(Self.pipeline, "the demo model in models/demo must load")
        let url = PipelineFixtures.repo.appendingPathComponent("examples/\(example)")
        let document = try XCTUnwrap(readClinicalDocuments(at: url).first)
        let stem = String(example.prefix { $0 != "." })
        let result = try pipeline.process(document, stem: stem, inputSHA256: "test", session: pipeline.makeSession(threads: 2))
        return (document, result)
    }

    func files(_ result: PipelineResult) -> [String: String] {
        Dictionary(uniqueKeysWithValues: result.files.map { ($0.name, String(decoding: $0.data, as: UTF8.self)) })
    }

    /// A note the repetition check flags goes to review and its provenance says why; the wiring is shown with a
    /// hair-trigger check (any word twice), since the demo model does not loop on the examples.
    func testARepeatingOutputGoesToReview() throws {
        let loaded = try XCTUnwrap(Self.pipeline, "the demo model in models/demo must load")
        let strict = PipelineSettings(templatesFolder: PipelineFixtures.templates, formats: [.text], reviewOn: [],
                                      repetitionCheck: RepetitionCheck(phraseWords: 1, minimumCount: 2))
        let pipeline = try DocumentPipeline(model: loaded.model, tokenizer: loaded.tokenizer, chatTemplate: loaded.chatTemplate, settings: strict)
        let document = try XCTUnwrap(readClinicalDocuments(at: PipelineFixtures.repo.appendingPathComponent("examples/visit-dialogue.txt")).first)
        let result = try pipeline.process(document, stem: "visit", inputSHA256: "test", session: pipeline.makeSession(threads: 2))
        let loop = try XCTUnwrap(result.repetition)
        XCTAssertTrue(result.needsReview)
        XCTAssertGreaterThanOrEqual(loop.count, 2)
        XCTAssertTrue(result.note.sections.map(\.heading).contains(loop.section))
        XCTAssertEqual(result.provenance.repetition, loop)
        XCTAssertTrue(try XCTUnwrap(String(data: result.provenance.json(), encoding: .utf8)).contains("\"repetition\""))

        // The shipped check passes the same output, and with no kind of fact finding under review it goes out.
        let normal = try DocumentPipeline(model: loaded.model, tokenizer: loaded.tokenizer, chatTemplate: loaded.chatTemplate,
                                          settings: PipelineSettings(templatesFolder: PipelineFixtures.templates, formats: [.text], reviewOn: []))
        let plain = try normal.process(document, stem: "visit", inputSHA256: "test", session: normal.makeSession(threads: 2))
        XCTAssertNil(plain.repetition)
        XCTAssertFalse(plain.needsReview)
    }

    func testEveryExampleBecomesFiveFormatsAndProvenance() throws {
        for example in ["discharge-note.txt", "discharge-note.hl7", "discharge-note.cda.xml", "visit-dialogue.txt"] {
            let (document, result) = try process(example)
            let stem = String(example.prefix { $0 != "." })
            let task = document.task
            let out = files(result)
            XCTAssertEqual(Set(out.keys), Set(OutputFormat.allCases.map { $0.fileName(stem: stem, task: task) } + ["\(stem).\(task.fileName).provenance.json"]), example)

            // Every section present, in order, none empty; no reasoning in any output.
            XCTAssertEqual(result.note.sections.map(\.heading), task.sections.map(\.heading))
            XCTAssertTrue(result.note.sections.allSatisfy { !$0.text.isEmpty }, example)
            for (name, text) in out { XCTAssertFalse(text.contains("<think>") || text.contains("</think>"), name) }

            // The patient line comes from the structured data, never from the model.
            let txt = try XCTUnwrap(out[OutputFormat.text.fileName(stem: stem, task: task)])
            if let mrn = document.patient.id { XCTAssertTrue(txt.contains("MRN \(mrn)"), example) }

            // C-CDA reads back through libxml2 with the task's LOINC section codes.
            let cda = try CDAReader.read(bytes: Array(try XCTUnwrap(out[OutputFormat.cda.fileName(stem: stem, task: task)]).utf8), file: "out.xml")
            let codes = Set(cda.sections.compactMap(\.code))
            let required = task == .soapNote ? ["61150-9", "61149-1", "51848-0", "18776-5"] : ["48765-2", "8648-8", "11535-2", "18776-5", "10183-2"]
            XCTAssertTrue(codes.isSuperset(of: required), "\(example): \(codes)")

            // HL7 MDM re-parses to the plain-text lines.
            let hl7 = try HL7Reader.read(bytes: Array(try XCTUnwrap(out[OutputFormat.hl7.fileName(stem: stem, task: task)]).utf8), file: "out.hl7")[0].get()
            XCTAssertEqual(hl7.sections.map(\.text).joined(separator: "\n"), txt.trimmingCharacters(in: .newlines))

            // FHIR is JSON with a Composition of the task's sections.
            let fhir = try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(out[OutputFormat.fhir.fileName(stem: stem, task: task)]).utf8)) as? [String: Any]
            XCTAssertEqual(fhir?["type"] as? String, "document")

            // Provenance names the model and carries no patient text.
            let provenance = try XCTUnwrap(out["\(stem).\(task.fileName).provenance.json"])
            XCTAssertTrue(provenance.contains("\"model\" : \"demo\""), provenance)
            if let name = document.patient.name { XCTAssertFalse(provenance.contains(name), "patient name in provenance") }
        }
    }

    /// The demo model writes what the note says: the note's doses and dates reach the summary.
    func testTheSummaryCarriesTheNotesFacts() throws {
        let (_, result) = try process("discharge-note.cda.xml")
        let text = result.note.sections.map(\.text).joined(separator: "\n")
        for fact in ["0.5 g/kg", "500 mg", "2023-09-15", "60% right ICA stenosis"] { XCTAssertTrue(text.contains(fact), "\(fact) in \(text)") }
        XCTAssertTrue(result.findings.filter { $0.kind != .term }.isEmpty, "\(result.findings)")
    }
}

/// SIGHUP re-reads templates: an edited template takes effect, a broken one is refused and the old ones stay.
final class TemplateReloadTests: XCTestCase {
    func testReloadTakesEditsAndRefusesBrokenTemplates() throws {
        let pipeline = try XCTUnwrap(DemoModelEndToEndTests.pipeline)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quill-reload-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: PipelineFixtures.templates, to: folder)
        let txt = folder.appendingPathComponent("soap-note.txt.mustache")
        try "EDITED {{title}}\n".write(to: txt, atomically: true, encoding: .utf8)
        try pipeline.reloadTemplates(folder: folder, formats: [.text])
        let doc = try XCTUnwrap(readClinicalDocuments(at: PipelineFixtures.repo.appendingPathComponent("examples/visit-dialogue.txt")).first)
        let edited = try pipeline.process(doc, stem: "v", inputSHA256: "x", session: pipeline.makeSession(threads: 1))
        XCTAssertEqual(edited.files.first.map { String(decoding: $0.data, as: UTF8.self) }, "EDITED SOAP note\n")

        try "{{#sections}}".write(to: txt, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try pipeline.reloadTemplates(folder: folder, formats: [.text])) { XCTAssertTrue("\($0)".contains("soap-note.txt.mustache")) }
        let still = try pipeline.process(doc, stem: "v", inputSHA256: "x", session: pipeline.makeSession(threads: 1))
        XCTAssertEqual(still.files.first.map { String(decoding: $0.data, as: UTF8.self) }, "EDITED SOAP note\n")

        try pipeline.reloadTemplates(folder: PipelineFixtures.templates, formats: OutputFormat.allCases)
    }
}
