import XCTest
@testable import ClinicalDocuments

/// HL7 v2 rules, on hand-written messages: delimiters, escapes, repetitions, line endings, MLLP
/// framing, batches, and the errors for malformed messages.
final class HL7Tests: XCTestCase {
    let standard = HL7Delimiters(field: "|", component: "^", repetition: "~", escape: "\\", subcomponent: "&", truncation: nil)

    func unescape(_ s: String) -> String { HL7Escapes.unescape(Substring(s), standard) }

    // MARK: Escapes

    func testDelimiterEscapesStandForTheDelimiters() {
        XCTAssertEqual(unescape(#"a\F\b\S\c\T\d\R\e\E\f"#), #"a|b^c&d~e\f"#)
    }

    func testFormattingEscapesBecomeLineBreaksAndSpaces() {
        XCTAssertEqual(unescape(#"one\.br\two"#), "one\ntwo")
        XCTAssertEqual(unescape(#"a\.sp 2\b"#), "a\n\nb")
        XCTAssertEqual(unescape(#"a\.sk 3\b"#), "a   b")
        XCTAssertEqual(unescape(#"\.ce\Title\.in 4\\.ti 2\\.fi\\.nf\x"#), "\nTitlex")
        XCTAssertEqual(unescape(#"\H\bold\N\ plain"#), "bold plain")
    }

    func testHexEscapeDecodesBytesAsUTF8() {
        XCTAssertEqual(unescape(#"\X41C3A9\"#), "Aé")
    }

    func testHexEscapeFallsBackToLatin1() {
        XCTAssertEqual(unescape(#"\XE9\"#), "é")
    }

    func testCharacterSetEscapesAreDropped() {
        XCTAssertEqual(unescape(#"x\C2842\y\M2442\z\Zlocal\"#), "xyz")
    }

    func testUnknownOrUnclosedEscapesAreKeptAsWritten() {
        XCTAssertEqual(unescape(#"a\Q\b"#), #"a\Q\b"#)
        XCTAssertEqual(unescape(#"50\% dose"#), #"50\% dose"#)
        XCTAssertEqual(unescape(#"\X4\"#), #"\X4\"#)
    }

    func testRepeatCountsAreCapped() {
        XCTAssertEqual(unescape(#"\.sp 999999\"#).count, HL7Escapes.maxRepeat)
    }

    // MARK: Messages

    func testMDMT02WithCREndingsReadsPatientEncounterAuthorsAndFormattedText() throws {
        let doc = try readOne(TestFiles.fixture("mdm_t02_cr.hl7"))
        XCTAssertEqual(doc.sourceFormat, .hl7v2)
        XCTAssertEqual(doc.task, .dischargeSummary)
        XCTAssertEqual(doc.title, "Discharge summary")
        XCTAssertEqual(doc.patient, Patient(name: "Thi Lan Nguyen", id: "MRN48213", birthDate: "1962-07-14", sex: .female))
        XCTAssertEqual(doc.encounter, Encounter(id: "V9001", admission: "2025-03-07T08:30:00", discharge: "2025-03-10T11:00:00",
                                                location: "WARD7, 12, B, GENHOSP", patientClass: "inpatient"))
        XCTAssertEqual(doc.authors.map(\.name), ["Kwame Osei", "Aoife Brennan"])
        XCTAssertEqual(doc.authors.map(\.role), ["attending", "originator"])
        XCTAssertEqual(doc.sections.count, 1)
        XCTAssertEqual(doc.sections[0].code, "18842-5")
        XCTAssertEqual(doc.sections[0].text, """
            Admitted with community-acquired pneumonia.
            Treated with amoxicillin & clarithromycin; O2 weaned by day 2.
            CRP 212 → 35.
            Follow-up: chest X-ray in 6 weeks \\ GP review.
            """)
    }

    func testORUWithCRLFAndMLLPFramingReadsValuesUnitsRangesFlagsAndNotes() throws {
        let doc = try readOne(TestFiles.fixture("oru_crlf_mllp.hl7"))
        XCTAssertEqual(doc.patient.name, "Thi Nguyen")
        let cbc = try XCTUnwrap(doc.sections.coded("58410-2"))
        XCTAssertEqual(cbc.title, "CBC panel - Blood by Automated count")
        XCTAssertEqual(cbc.text, """
            Hemoglobin [Mass/volume] in Blood: 10.9 g/dL (reference 12.0-15.5) [L]
            Leukocytes [#/volume] in Blood: 14.2 10*3/uL (reference 4.0-11.0) [H]
            Morphology: Neutrophilia with left shift
            Sample slightly haemolysed.
            Repeat advised.
            """)
    }

    func testDelimitersDeclaredInMSHAreUsed() throws {
        let doc = try readOne(TestFiles.fixture("custom_delimiters.hl7"))
        XCTAssertEqual(doc.patient.name, "Marco Rossi")
        XCTAssertEqual(doc.patient.id, "Z9")
        XCTAssertEqual(doc.sections[0].text, "Note: Pain 3/10 @ rest, ~ stable; escape: ! and @ kept")
    }

    func testRepetitionsOfATextValueAreLines() throws {
        let text = "MSH|^~\\&|||||||ORU^R01|1|P|2.5\nOBX|1|TX|x^Report||first line~second line\n"
        let doc = try HL7Reader.read(text: text, encoding: .utf8, file: "r.hl7")[0].get()
        XCTAssertEqual(doc.sections[0].text, "Report: first line\nsecond line")
    }

    func testConsecutiveTextOBXOfOneObservationContinueOneEntry() throws {
        let text = "MSH|^~\\&|||||||ORU^R01|1|P|2.5\rOBR|1|||24627-2^Chest CT^LN\rOBX|1|TX|24627-2^Chest CT^LN|1|Lungs clear.\rOBX|2|TX|24627-2^Chest CT^LN|1|No effusion.\r"
        let doc = try HL7Reader.read(text: text, encoding: .utf8, file: "r.hl7")[0].get()
        XCTAssertEqual(doc.sections, [Section(title: "Chest CT", code: "24627-2", text: "Chest CT: Lungs clear.\nNo effusion.")])
    }

    func testEmbeddedDocumentsAreNotReadButNoticed() throws {
        let text = "MSH|^~\\&|||||||MDM^T02|1|P|2.5\rTXA|1|CN\rOBX|1|ED|x||^application^pdf^Base64^JVBERi0=\rOBX|2|TX|x||Seen in clinic.\r"
        let doc = try HL7Reader.read(text: text, encoding: .utf8, file: "m.hl7")[0].get()
        XCTAssertEqual(doc.sections, [Section(title: "Consultation note", code: "11488-4", text: "Seen in clinic.")])
        XCTAssertEqual(doc.notices, ["OBX on line 3 holds a value of type ED, which Quill does not read as clinical text"])
    }

    // MARK: Batches

    func testBatchWithOneBadMessageYieldsTheGoodOnesAndNamesTheBadLine() throws {
        let reading = readClinicalFile(at: try TestFiles.fixture("batch_fhs_bhs.hl7"))
        XCTAssertEqual(reading.results.count, 3)
        XCTAssertEqual(reading.documents.map(\.patient.name), ["Alice Adams", "Carol Clark"])
        XCTAssertEqual(reading.documents.map(\.messageIndex), [1, 3])
        XCTAssertEqual(reading.documents[1].sections[0].text, "Pathology report: Seborrhoeic keratosis.")
        let error = try XCTUnwrap(reading.errors.first)
        XCTAssertEqual(error.place, .hl7(message: 2, segment: "OBX", field: nil, line: 9))
        XCTAssertTrue(error.description.contains("line 9 should start a segment"), error.description)
        XCTAssertTrue(error.description.contains("a line break inside a field of the OBX segment on line 8"), error.description)
        XCTAssertFalse(reading.succeeded)
    }

    func testTooManyMessagesStopsAtTheLimit() {
        let message = "MSH|^~\\&|||||||ORU^R01|1|P|2.5\rOBX|1|ST|x||v\r"
        let results = HL7Reader.read(text: String(repeating: message, count: 5), encoding: .utf8, file: "b.hl7",
                                     limits: DocumentLimits(maxMessagesPerFile: 3))
        XCTAssertEqual(results.count, 4)
        guard case .failure(let e) = results[3] else { return XCTFail() }
        XCTAssertEqual(e.problem, .tooManyMessages(limit: 3))
    }

    // MARK: Errors

    func testBrokenMSHNamesTheFieldAndLine() throws {
        let e = try readFailure(TestFiles.fixture("broken_msh.hl7"))
        XCTAssertEqual(e.place, .hl7(message: 1, segment: "MSH", field: 2, line: 1))
        XCTAssertEqual(e.description, "broken_msh.hl7: message 1, segment MSH-2, line 1: the HL7 message is malformed: MSH-2 must hold the four encoding characters (usually ^~\\&), found '^~'")
    }

    func testMSHWithoutFieldSeparatorIsMalformed() {
        let results = HL7Reader.read(text: "MSH\rPID|1\r", encoding: .utf8, file: "m.hl7")
        guard case .failure(let e) = results.first else { return XCTFail() }
        XCTAssertEqual(e.place, .hl7(message: 1, segment: "MSH", field: 1, line: 1))
    }

    func testDuplicateEncodingCharactersAreMalformed() {
        let results = HL7Reader.read(text: "MSH|^^\\&|||||||ORU^R01\r", encoding: .utf8, file: "m.hl7")
        guard case .failure(let e) = results.first, case .hl7(let d) = e.problem else { return XCTFail() }
        XCTAssertTrue(d.contains("four different punctuation characters"), d)
    }

    func testEmptyMessageTypeIsMalformed() {
        let results = HL7Reader.read(text: "MSH|^~\\&|A|B|C|D|2025||\rOBX|1|ST|x||v\r", encoding: .utf8, file: "m.hl7")
        guard case .failure(let e) = results.first else { return XCTFail() }
        XCTAssertEqual(e.place, .hl7(message: 1, segment: "MSH", field: 9, line: 1))
    }

    func testValueWithoutValueTypeNamesOBX2() {
        let text = "MSH|^~\\&|||||||ORU^R01|1|P|2.5\nPID|1||1\nOBX|1||x||some value\n"
        guard case .failure(let e) = HL7Reader.read(text: text, encoding: .utf8, file: "m.hl7").first else { return XCTFail() }
        XCTAssertEqual(e.place, .hl7(message: 1, segment: "OBX", field: 2, line: 3))
    }

    func testSegmentsBeforeAnyMSHAreReported() {
        let results = HL7Reader.read(text: "PID|1\rMSH|^~\\&|||||||ORU^R01\rOBX|1|ST|x||v\r", encoding: .utf8, file: "m.hl7")
        XCTAssertEqual(results.count, 2)
        guard case .failure(let e) = results[0] else { return XCTFail() }
        XCTAssertEqual(e.place, .line(1))
        XCTAssertNoThrow(try results[1].get())
    }

    func testMessageWithoutTextIsRefusedWithReason() {
        let results = HL7Reader.read(text: "MSH|^~\\&|||||||ADT^A08|1|P|2.5\rPID|1||5^^^H^MR||Roe^Jo\r", encoding: .utf8, file: "a.hl7")
        guard case .failure(let e) = results.first, case .noText = e.problem else { return XCTFail("\(results)") }
    }

    func testLineNumbersCountCRLFAsOneBreak() {
        let lines = HL7Parser.segmentLines("MSH|a\r\nPID|b\rOBX|c\n\nNTE|d")
        XCTAssertEqual(lines.map(\.number), [1, 2, 3, 5])
    }

    // MARK: Timestamps

    func testTimestampsKeepTheirPrecision() {
        XCTAssertEqual(ClinicalTimestamp.iso("2005"), "2005")
        XCTAssertEqual(ClinicalTimestamp.iso("200505"), "2005-05")
        XCTAssertEqual(ClinicalTimestamp.iso("20050501"), "2005-05-01")
        XCTAssertEqual(ClinicalTimestamp.iso("201409091904-0500"), "2014-09-09T19:04-05:00")
        XCTAssertEqual(ClinicalTimestamp.iso("20210801090642.25+0215"), "2021-08-01T09:06:42.25+02:15")
        XCTAssertEqual(ClinicalTimestamp.iso("19300122000000+0215", dateOnly: true), "1930-01-22")
        XCTAssertNil(ClinicalTimestamp.iso("20251301"))
        XCTAssertNil(ClinicalTimestamp.iso("yesterday"))
        XCTAssertNil(ClinicalTimestamp.iso("2025010"))
    }
}
