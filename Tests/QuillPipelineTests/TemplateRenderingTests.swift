import ClinicalDocuments
import Foundation
import XCTest
@testable import QuillPipeline

/// Every template's output checked by a real reader or validator: plain text exactly, C-CDA through libxml2
/// (our CDA reader) with its LOINC codes, HL7 MDM through our HL7 reader and Python `hl7`, FHIR through
/// Python `fhir.resources`.
final class TemplateRenderingTests: XCTestCase {
    let doc = PipelineFixtures.dischargeDocument()
    let note = PipelineFixtures.dischargeNote()

    func testPlainTextIsTheSectionLines() throws {
        let text = try PipelineFixtures.render(note, document: doc, format: .text)
        XCTAssertEqual(text, """
        Discharge summary
        Patient: Ana O'Neil & Co|^~, female, 36 years, MRN MRN-4821937
        Admission: Admitted on 2025-03-07.
        Presenting complaint: Headache for 1 week.
        Diagnosis: Appendicitis <acute> & "quoted".
        History: Hyperlipidemia.
        Treatment: Azithromycin 500 mg x 1 then 250 mg QD x 4 days; albuterol PRN | ^ ~ \\ done.
        Investigations: CT scan: 90% RCA occlusion. CRP 15 mg/L.
        Discharge: Discharged on 2025-03-07.
        Follow-up: Not documented.

        """)
    }

    func testMarkdownHasEverySection() throws {
        let md = try PipelineFixtures.render(note, document: doc, format: .markdown)
        for s in DocumentTask.dischargeSummary.sections { XCTAssertTrue(md.contains("## \(s.heading)\n"), s.heading) }
        XCTAssertTrue(md.hasPrefix("# Discharge summary\n"))
    }

    func testCDAIsWellFormedWithRequiredSectionsAndReadsBack() throws {
        let xml = try PipelineFixtures.render(note, document: doc, format: .cda)
        let back = try CDAReader.read(bytes: Array(xml.utf8), file: "out.cda.xml")
        XCTAssertEqual(back.patient.name, "Ana O'Neil & Co|^~")
        XCTAssertEqual(back.patient.id, "MRN-4821937")
        XCTAssertEqual(back.patient.birthDate, "1989-01-15")
        let codes = Set(back.sections.compactMap(\.code))
        for required in ["48765-2", "8648-8", "11535-2", "18776-5", "10183-2"] { XCTAssertTrue(codes.contains(required), "section \(required)") }
        XCTAssertTrue(xml.contains("code=\"18842-5\""))
        let diagnosis = back.sections.first { $0.code == "11535-2" }
        XCTAssertEqual(diagnosis?.text, "Appendicitis <acute> & \"quoted\".")
        XCTAssertTrue(back.sections.first { $0.code == "18776-5" }?.text.contains("Not documented.") ?? false)
    }

    func testSOAPCDACarriesTheFourSOAPCodes() throws {
        let xml = try PipelineFixtures.render(PipelineFixtures.soapNote(), document: doc, format: .cda)
        let back = try CDAReader.read(bytes: Array(xml.utf8), file: "out.cda.xml")
        XCTAssertEqual(back.sections.compactMap(\.code), ["61150-9", "61149-1", "51848-0", "18776-5"])
        XCTAssertTrue(xml.contains("code=\"11506-3\""))
        XCTAssertEqual(back.sections.first?.text, "Cough for 3 days, no fever.")
    }

    func testHL7MDMReparsesToTheSameText() throws {
        let hl7 = try PipelineFixtures.render(note, document: doc, format: .hl7)
        XCTAssertFalse(hl7.contains("\n"), "segments end in carriage returns")
        let messages = HL7Reader.read(bytes: Array(hl7.utf8), file: "out.hl7")
        XCTAssertEqual(messages.count, 1)
        let back = try messages[0].get()
        XCTAssertEqual(back.patient.id, "MRN-4821937")
        XCTAssertEqual(back.patient.name.map { $0.contains("O'Neil & Co|^~") }, true)
        let plain = try PipelineFixtures.render(note, document: doc, format: .text)
        let narrative = back.sections.map(\.text).joined(separator: "\n")
        XCTAssertEqual(narrative, plain.trimmingCharacters(in: .newlines))

        // Python's hl7 package, an independent parser, reads the same OBX-5 values back (after unescaping).
        let file = try PipelineFixtures.temporaryFile("out.hl7", hl7)
        let (status, output) = try PipelineFixtures.python("""
        import sys, hl7
        m = hl7.parse(open(sys.argv[1], encoding='utf-8', newline='').read())
        print(m.segment('MSH')[9])
        for obx in m.segments('OBX'):
            print(m.unescape(str(obx[5])))
        """, file: file)
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output.split(separator: "\n").dropFirst().joined(separator: "\n"), plain.trimmingCharacters(in: .newlines))
        XCTAssertEqual(output.split(separator: "\n").first, "MDM^T02^MDM_T02")
    }

    func testFHIRBundleValidatesWithFhirResources() throws {
        for n in [note, PipelineFixtures.soapNote()] {
            let json = try PipelineFixtures.render(n, document: doc, format: .fhir)
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)), json)
            let file = try PipelineFixtures.temporaryFile("out.fhir.json", json)
            let (status, output) = try PipelineFixtures.python("""
            import sys, json
            from fhir.resources.R4B.bundle import Bundle  # R4B: the R4 line of FHIR (the package default is R5)
            b = Bundle.model_validate(json.load(open(sys.argv[1])))
            comp = b.entry[0].resource
            print(comp.__resource_type__, len(comp.section), b.entry[1].resource.name[0].text)
            """, file: file)
            XCTAssertEqual(status, 0, output)
            XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "Composition \(n.sections.count) Ana O'Neil & Co|^~")
        }
    }

    func testMissingOrBrokenTemplateIsAnErrorNamingTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quill-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        XCTAssertThrowsError(try TemplateSet(folder: folder, tasks: [.soapNote], formats: [.text])) {
            XCTAssertTrue("\($0)".contains("soap-note.txt.mustache") && "\($0)".contains("missing"), "\($0)")
        }
        try "{{#sections}}{{heading}}".write(to: folder.appendingPathComponent("soap-note.txt.mustache"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TemplateSet(folder: folder, tasks: [.soapNote], formats: [.text])) {
            XCTAssertTrue("\($0)".contains("soap-note.txt.mustache") && "\($0)".contains("does not parse"), "\($0)")
        }
    }
}
