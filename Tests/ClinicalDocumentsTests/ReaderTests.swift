import XCTest
@testable import ClinicalDocuments

/// The rules every format shares: detection by content, kind and task overrides, limits, and the
/// shape of errors and JSON.
final class ReaderTests: XCTestCase {
    func read(_ text: String, _ name: String, folder: String? = nil, limits: DocumentLimits = DocumentLimits()) -> Result<ClinicalDocument, DocumentError> {
        ClinicalDocumentReader.read(bytes: Array(text.utf8), fileName: name, folderName: folder, limits: limits)[0]
    }

    let dialogue = "Doctor: How are you?\nPatient: Tired.\nDoctor: Since when?\nPatient: A week.\n"

    func testFormatIsDetectedFromContentNotExtension() {
        XCTAssertEqual(ClinicalDocumentReader.detectFormat("\u{0B}MSH|^~\\&|"), .hl7)
        XCTAssertEqual(ClinicalDocumentReader.detectFormat("\n  FHS|^~\\&"), .hl7)
        XCTAssertEqual(ClinicalDocumentReader.detectFormat("  <?xml version='1.0'?><x/>"), .xml)
        XCTAssertEqual(ClinicalDocumentReader.detectFormat("MSH: methylsulfonylmethane"), .text)
        XCTAssertEqual(try read("MSH|^~\\&|||||||ORU^R01\rOBX|1|ST|x||v\r", "report.txt").get().sourceFormat, .hl7v2)
    }

    func testDialogueBecomesSOAPAndNoteBecomesDischargeSummary() throws {
        let d = try read(dialogue, "visit.txt").get()
        XCTAssertEqual([d.kind.rawValue, d.task.rawValue, d.kindSource.rawValue], ["dialogue", "soap_note", "content"])
        let n = try read("Dx: flu", "n.txt").get()
        XCTAssertEqual([n.kind.rawValue, n.task.rawValue], ["clinical_note", "discharge_summary"])
    }

    func testFileSuffixForcesTheKind() throws {
        let asNote = try read(dialogue, "visit.note.txt").get()
        XCTAssertEqual(asNote.kind, .clinicalNote)
        XCTAssertEqual(asNote.kindSource, .fileSuffix)
        XCTAssertEqual(asNote.task, .dischargeSummary)
        let asDialogue = try read("Doctor: Any pain?\nPatient: No.\nfree text line\n", "x.dialogue.txt").get()
        XCTAssertEqual(asDialogue.kind, .dialogue)
        XCTAssertEqual(asDialogue.turns.count, 2)
    }

    func testFileSuffixForcesTheTaskWhateverTheKind() throws {
        let doc = try read("Dx: flu", "note.soap.txt").get()
        XCTAssertEqual([doc.kind.rawValue, doc.task.rawValue, doc.taskSource.rawValue], ["clinical_note", "soap_note", "file_suffix"])
        let hl7 = try read("MSH|^~\\&|||||||ORU^R01\rOBX|1|ST|x||v\r", "lab.soap.hl7").get()
        XCTAssertEqual(hl7.task, .soapNote)
    }

    func testFolderOverridesAndSuffixWinsOverFolder() throws {
        XCTAssertEqual(try read("Dx: flu", "n.txt", folder: "soap").get().taskSource, .folder)
        XCTAssertEqual(try read(dialogue, "v.txt", folder: "notes").get().kind, .clinicalNote)
        let both = try read(dialogue, "v.dialogue.txt", folder: "notes").get()
        XCTAssertEqual(both.kind, .dialogue)
        XCTAssertEqual(both.kindSource, .fileSuffix)
    }

    func testFolderOverrideThroughTheFileEntryPoint() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quill-\(UUID().uuidString)/dialogue")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let url = dir.appendingPathComponent("visit.txt")
        try Data("Doctor: Hi.\nPatient: Hello.\nthen some notes\n".utf8).write(to: url)
        let doc = try readOne(url)
        XCTAssertEqual(doc.kind, .dialogue)
        XCTAssertEqual(doc.kindSource, .folder)
    }

    func testDialogueMarkerOnTextWithoutTurnsFailsWithTheReason() {
        guard case .failure(let e) = read("Dx: flu. Plan: rest.", "x.dialogue.txt"),
              case .kindOverrideFailed(let d) = e.problem else { return XCTFail() }
        XCTAssertTrue(d.contains("marked as a dialogue"), d)
    }

    func testWebVTTWithoutCueTextMarkedAsNoteHasNoText() {
        // Found by fuzz-text: cues with timings but no text once produced a document without sections.
        let vtt = "WEBVTT\n\n00:00.000 --00<.v\nloud Pati.000 --> 00:02.000\n\n"
        guard case .failure(let e) = read(vtt, "c.note.vtt"), case .noText = e.problem else { return XCTFail() }
        guard case .failure(let e2) = read(vtt, "c.vtt"), case .noText = e2.problem else { return XCTFail() }
    }

    func testConflictingMarkersAreAnError() {
        guard case .failure(let e) = read("Dx: flu", "x.note.dialogue.txt"), case .kindOverrideFailed = e.problem else { return XCTFail() }
    }

    func testKindMarkerOnHL7IsNoticedNotApplied() throws {
        let doc = try read("MSH|^~\\&|||||||ORU^R01\rOBX|1|ST|x||v\r", "lab.dialogue.hl7").get()
        XCTAssertEqual(doc.kind, .clinicalNote)
        XCTAssertEqual(doc.task, .dischargeSummary)
        XCTAssertEqual(doc.notices.count, 1)
    }

    func testFileOverTheSizeLimitIsRefusedWithoutReadingIt() throws {
        let e = try readFailure(TestFiles.fixture("sectioned_note.txt"), limits: DocumentLimits(maxFileBytes: 100))
        guard case .tooLarge(let bytes, 100) = e.problem else { return XCTFail("\(e)") }
        XCTAssertGreaterThan(bytes, 100)
        XCTAssertTrue(e.reason.contains("documents.max_file_bytes"))
    }

    func testTextOverTheLengthLimitIsRefused() {
        guard case .failure(let e) = read(String(repeating: "word ", count: 100), "long.txt", limits: DocumentLimits(maxTextCharacters: 50)),
              case .textTooLong(let n, 50) = e.problem else { return XCTFail() }
        XCTAssertEqual(n, 499)
    }

    func testMissingFileIsUnreadableNotACrash() {
        let reading = readClinicalFile(at: URL(fileURLWithPath: "/nonexistent/quill/x.txt"))
        guard case .unreadable = reading.errors.first?.problem else { return XCTFail() }
    }

    func testStrictEntryPointThrowsTheFirstFailure() throws {
        XCTAssertThrowsError(try readClinicalDocuments(at: TestFiles.fixture("batch_fhs_bhs.hl7"))) { e in
            XCTAssertEqual((e as? DocumentError)?.file, "batch_fhs_bhs.hl7")
        }
        XCTAssertEqual(try readClinicalDocuments(at: TestFiles.fixture("terse_note.txt")).count, 1)
    }

    func testLimitsDecodeWithDefaultsForMissingKeys() throws {
        let limits = try JSONDecoder().decode(DocumentLimits.self, from: Data(#"{"max_file_bytes": 1024}"#.utf8))
        XCTAssertEqual(limits, DocumentLimits(maxFileBytes: 1024))
        XCTAssertEqual(DocumentLimits().maxTextCharacters, 200_000)
    }

    func testDocumentJSONHasTheDocumentedKeysWithNullsWhereUnknown() throws {
        let doc = try read("Dx: flu", "n.txt").get()
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(doc)) as? [String: Any])
        for key in ["kind", "task", "patient", "sections", "turns", "encoding"] { XCTAssertNotNil(object[key], key) }
        let patient = try XCTUnwrap(object["patient"] as? [String: Any])
        XCTAssertEqual(Set(patient.keys), ["name", "id", "birth_date", "sex", "age_years"])
        let section = try XCTUnwrap((object["sections"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(section.keys), ["title", "code", "text"])
        XCTAssertEqual(try JSONDecoder().decode(ClinicalDocument.self, from: JSONEncoder().encode(doc)), doc)
    }

    func testErrorDescriptionNamesFilePlaceAndReason() {
        let e = DocumentError(file: "a.hl7", place: .hl7(message: 2, segment: "PID", field: 5, line: 14), problem: .hl7(detail: "x"))
        XCTAssertEqual(e.description, "a.hl7: message 2, segment PID-5, line 14: the HL7 message is malformed: x")
    }
}
