import ClinicalDocuments
import Foundation
import XCTest
@testable import SyntheticRecords

/// Written files go back through Quill's own readers (`readClinicalFile`), and the patient, the
/// stay and the text come out as they went in.
final class DocumentFileTests: XCTestCase {
    func readBack(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> ClinicalDocument {
        let reading = readClinicalFile(at: url)
        XCTAssertEqual(reading.results.count, 1, url.lastPathComponent, file: file, line: line)
        return try reading.results[0].get()
    }

    func assertPatient(_ doc: ClinicalDocument, _ r: SyntheticRecord, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(doc.patient.name, r.patient.name, r.id, file: file, line: line)
        XCTAssertEqual(doc.patient.id, r.patient.mrn, r.id, file: file, line: line)
        XCTAssertEqual(doc.patient.birthDate, r.patient.birthDate.iso, r.id, file: file, line: line)
        XCTAssertEqual(doc.patient.sex?.rawValue, r.patient.sex.rawValue, r.id, file: file, line: line)
    }

    /// The reader gives the model the note's text: for HL7 and CDA every line as written; for a text
    /// note every word, less the heading labels it turns into section titles ("Dx:", "Past history:").
    func assertTextSurvives(_ doc: ClinicalDocument, _ r: SyntheticRecord, file: StaticString = #filePath, line: UInt = #line) {
        let text = doc.sections.map(\.text).joined(separator: "\n")
        if doc.sourceFormat == .plainText {
            var remaining = TextDocument.render(r).split(whereSeparator: \.isWhitespace).map(String.init)
            for word in text.split(whereSeparator: \.isWhitespace).map(String.init) {
                guard let i = remaining.firstIndex(of: word) else {
                    XCTFail("\(r.id): '\(word)' is not in the file", file: file, line: line); continue
                }
                remaining.remove(at: i)
            }
            let dropped = remaining.filter { !$0.hasSuffix(":") }
            XCTAssertTrue(dropped.allSatisfy { ["Past", "F/u", "Follow"].contains($0) }, "\(r.id): lost \(dropped)", file: file, line: line)
        } else {
            for noteLine in r.input.split(separator: "\n") {
                XCTAssertTrue(text.contains(noteLine), "\(r.id): '\(noteLine)' lost\n\(text)", file: file, line: line)
            }
        }
        for fact in r.facts {
            XCTAssertTrue(FactMatching.isSupported(fact, by: text), "\(r.id): fact '\(fact)' lost", file: file, line: line)
        }
    }

    func testDischargeRecordsRotateThroughTextHL7AndCDAAndReadBack() throws {
        let dir = try temporaryDirectory(self)
        let records = SyntheticRecords.generate(task: .dischargeSummary, count: 60, seed: 21)
        let urls = try RecordFiles.write(records, to: dir)
        XCTAssertEqual(Set(urls.map(\.pathExtension)), ["txt", "hl7", "xml"])
        for (r, url) in zip(records, urls) {
            let doc = try readBack(url)
            XCTAssertEqual(doc.kind, .clinicalNote, r.id)
            XCTAssertEqual(doc.task, .dischargeSummary, r.id)
            assertPatient(doc, r)
            assertTextSurvives(doc, r)
            switch RecordFiles.format(of: r) {
            case .hl7, .cda:
                XCTAssertEqual(doc.sourceFormat, RecordFiles.format(of: r) == .hl7 ? .hl7v2 : .cda)
                XCTAssertEqual(doc.encounter.admission, r.admission?.iso, r.id)
                XCTAssertEqual(doc.encounter.discharge, r.discharge?.iso, r.id)
            case .text:
                XCTAssertEqual(doc.sourceFormat, .plainText)
            }
            let reference = try String(contentsOf: dir.appendingPathComponent("\(r.id).reference.txt"), encoding: .utf8)
            XCTAssertEqual(reference, r.reference)
        }
    }

    func testDialoguesAreTextTranscriptsReadAsDialogues() throws {
        let dir = try temporaryDirectory(self)
        let records = SyntheticRecords.generate(task: .soapNote, count: 40, seed: 22)
        let urls = try RecordFiles.write(records, to: dir)
        for (r, url) in zip(records, urls) {
            XCTAssertEqual(url.pathExtension, "txt")
            let doc = try readBack(url)
            XCTAssertEqual(doc.kind, .dialogue, r.id)
            XCTAssertEqual(doc.task, .soapNote, r.id)
            assertPatient(doc, r)
            let lines = r.input.split(separator: "\n")
            XCTAssertEqual(doc.turns.count, lines.count, r.id)
            XCTAssertEqual(doc.turns.map(\.role), (0..<lines.count).map { $0 % 2 == 0 ? .doctor : .patient }, r.id)
            for (turn, line) in zip(doc.turns, lines) { XCTAssertTrue(line.hasSuffix(turn.text), "\(r.id): \(turn.text)") }
        }
    }

    func testHL7EscapesEveryDelimiterAndTheReaderUnescapesThem() throws {
        XCTAssertEqual(HL7Document.escape(#"a|b^c~d\e&f"#), #"a\F\b\S\c\R\d\E\e\T\f"#)
        var r = SyntheticRecords.record(task: .dischargeSummary, seed: 1, index: 1)
        r.input = #"Pipes | carets x10^9/L ~ tildes \ back & amps. Dx: test."#
        r.patient.familyName = "O'Brien&Co"
        let dir = try temporaryDirectory(self)
        for type in [HL7Document.MessageType.mdmT02, .oruR01] {
            let url = dir.appendingPathComponent("x-\(type).hl7")
            try Data(HL7Document.render(r, as: type).utf8).write(to: url)
            let doc = try readBack(url)
            XCTAssertTrue(doc.sections.map(\.text).joined().contains(r.input), "\(type)")
            XCTAssertEqual(doc.patient.name, r.patient.name)
        }
    }

    func testCDAEscapesMarkupAndTheReaderRestoresIt() throws {
        XCTAssertEqual(CDADocument.escape(#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;")
        var r = SyntheticRecords.record(task: .dischargeSummary, seed: 1, index: 2)
        r.input = "K < 3.0 & Na > 150 \"flagged\" <script>. Dx: test."
        let url = try temporaryDirectory(self).appendingPathComponent("x.xml")
        try Data(CDADocument.render(r).utf8).write(to: url)
        XCTAssertEqual(try readBack(url).sections.first?.text, r.input)
    }

    func testUnknownNameAndMRNAreLeftOutOfEveryFormat() throws {
        var r = SyntheticRecords.record(task: .dischargeSummary, seed: 1, index: 0)
        r.patient.givenName = nil; r.patient.familyName = nil; r.patient.mrn = nil
        let dir = try temporaryDirectory(self)
        for (i, ext) in ["txt", "hl7", "xml"].enumerated() {
            r.index = i
            let url = dir.appendingPathComponent("x.\(ext)")
            try Data(RecordFiles.document(r).content.utf8).write(to: url)
            let doc = try readBack(url)
            XCTAssertNil(doc.patient.name, ext); XCTAssertNil(doc.patient.id, ext)
            XCTAssertEqual(doc.patient.birthDate, r.patient.birthDate.iso, ext)
        }
        XCTAssertTrue(r.reference.contains("\nPatient: \(r.patient.sex.rawValue), \(r.patient.age) years\n"))
    }
}
