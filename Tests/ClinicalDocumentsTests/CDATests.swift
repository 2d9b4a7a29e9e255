import XCTest
@testable import ClinicalDocuments

/// CDA rules on a hand-written document: header fields, section codes, narrative flattening
/// (paragraphs, tables, nested lists, nested sections), nonXMLBody, and fragments.
final class CDATests: XCTestCase {
    func testHeaderGivesPatientEncounterAndAuthor() throws {
        let doc = try readOne(TestFiles.fixture("minimal_cda.xml"))
        XCTAssertEqual(doc.sourceFormat, .cda)
        XCTAssertEqual(doc.title, "Discharge Summary")
        XCTAssertEqual(doc.patient, Patient(name: "Oluwaseun Ade Bakare", id: "MRN-7731", birthDate: "1971-02-03", sex: .male))
        XCTAssertEqual(doc.encounter, Encounter(id: "ENC-55", admission: "2025-03-07", discharge: "2025-03-10T11:00+00:00",
                                                location: "Ward 7, General Hospital"))
        XCTAssertEqual(doc.authors, [Author(name: "Ines Moreau", role: "author", time: "2025-03-10T12:00+00:00")])
    }

    func testParagraphsAndLineBreaksBecomeLinesWithIndentationCollapsed() throws {
        let doc = try readOne(TestFiles.fixture("minimal_cda.xml"))
        XCTAssertEqual(doc.sections.coded("8648-8")?.text, """
            Admitted with community-acquired pneumonia.

            Improved on oral antibiotics.
            Discharged home.
            """)
    }

    func testTableRowsArePairedWithTheirHeaders() throws {
        let doc = try readOne(TestFiles.fixture("minimal_cda.xml"))
        XCTAssertEqual(doc.sections.coded("10183-2")?.text, """
            Medication: Amoxicillin; Dose: 500 mg three times daily; Until: 2025-03-14
            Medication: Paracetamol; Dose: 1 g as needed
            """)
    }

    func testOrderedAndNestedListsAreNumberedAndIndented() throws {
        let doc = try readOne(TestFiles.fixture("minimal_cda.xml"))
        XCTAssertEqual(doc.sections.coded("8653-8")?.text, """
            1. Finish the antibiotics.
            2. Return if:
              - breathless
              - fever above 38.5
            """)
    }

    func testNestedSectionsFollowTheirParentAndEmptySectionsAreLeftOut() throws {
        let doc = try readOne(TestFiles.fixture("minimal_cda.xml"))
        XCTAssertEqual(doc.sections.map(\.title), ["Hospital Course", "Discharge Medications", "Discharge Instructions", "Driving"])
        XCTAssertEqual(doc.sections.last, Section(title: "Driving", code: nil, text: "No driving for one week."))
    }

    func testBase64NonXMLBodyIsDecodedAndSectioned() throws {
        let doc = try readOne(TestFiles.fixture("nonxml_b64.xml"))
        XCTAssertEqual(doc.patient.name, "Kim Park")
        XCTAssertEqual(doc.sections, [
            Section(title: "Narrative", code: nil, text: "PROGRESS NOTE"),
            Section(title: "Chief complaint", code: "10154-3", text: "sore throat"),
            Section(title: "Plan", code: "18776-5", text: "fluids and rest"),
        ])
    }

    func testTextRepresentationNonXMLBodyIsReadAsIs() throws {
        let xml = #"<ClinicalDocument xmlns="urn:hl7-org:v3"><component><nonXMLBody><text mediaType="text/plain">Seen today. Plan: rest.</text></nonXMLBody></component></ClinicalDocument>"#
        let doc = try CDAReader.read(text: xml, encoding: .utf8, file: "n.xml")
        XCTAssertEqual(doc.sections.map(\.text), ["Seen today.", "rest."])
    }

    func testPDFBodyIsRefusedAsHavingNoText() {
        let xml = #"<ClinicalDocument xmlns="urn:hl7-org:v3"><component><nonXMLBody><text mediaType="application/pdf" representation="B64">JVBERi0=</text></nonXMLBody></component></ClinicalDocument>"#
        XCTAssertThrowsError(try CDAReader.read(text: xml, encoding: .utf8, file: "p.xml")) { e in
            guard case .noText(let d) = (e as? DocumentError)?.problem else { return XCTFail("\(e)") }
            XCTAssertTrue(d.contains("application/pdf"), d)
        }
    }

    func testSectionFragmentIsReadWithoutAHeader() throws {
        let xml = #"<section><code code="11535-2" codeSystem="2.16.840.1.113883.6.1"/><title>Discharge Diagnosis</title><text>Pneumonia</text></section>"#
        let doc = try CDAReader.read(text: xml, encoding: .utf8, file: "f.xml")
        XCTAssertEqual(doc.sections, [Section(title: "Discharge Diagnosis", code: "11535-2", text: "Pneumonia")])
        XCTAssertEqual(doc.patient, Patient())
    }

    func testNonLOINCSectionCodesAreNotReportedAsLOINC() throws {
        let xml = #"<section><code code="X1" codeSystem="1.2.3"/><title>Local</title><text>t</text></section>"#
        XCTAssertNil(try CDAReader.read(text: xml, encoding: .utf8, file: "f.xml").sections[0].code)
    }

    func testDeeplyNestedNarrativeIsCutWithANotice() throws {
        let depth = 200
        let inner = String(repeating: "<content>", count: depth) + "deep" + String(repeating: "</content>", count: depth)
        let xml = "<section><title>T</title><text>top \(inner)</text></section>"
        let doc = try CDAReader.read(text: xml, encoding: .utf8, file: "d.xml")
        XCTAssertEqual(doc.sections[0].text, "top")
        XCTAssertEqual(doc.notices.count, 1)
    }

    func testBase64Decoder() {
        XCTAssertEqual(Base64.decode("SGk=").map { String(decoding: $0, as: UTF8.self) }, "Hi")
        XCTAssertEqual(Base64.decode("SG\n k=").map { String(decoding: $0, as: UTF8.self) }, "Hi")
        XCTAssertNil(Base64.decode("S*k="))
        XCTAssertNil(Base64.decode("SG==k"))
    }
}

/// Hostile XML is refused, and the error names the rule the file broke.
final class XMLSafetyTests: XCTestCase {
    func testTruncatedXMLIsMalformedWithItsLine() throws {
        let e = try readFailure(TestFiles.fixture("truncated.xml"))
        guard case .xmlMalformed(let detail) = e.problem else { return XCTFail("\(e)") }
        guard case .xml(let line, _) = e.place else { return XCTFail("\(e.place)") }
        XCTAssertEqual(line, 10)
        XCTAssertTrue(detail.contains("Premature end of data"), detail)
    }

    func testExternalEntityIsRefusedBeforeAnyFileIsRead() throws {
        let e = try readFailure(TestFiles.fixture("xxe.xml"))
        XCTAssertEqual(e.problem, .xmlEntityDeclaration(name: "secret"))
        XCTAssertEqual(e.place, .xml(line: 3, element: nil))
        XCTAssertFalse(e.description.contains("root:"), "no content of /etc/passwd may appear")
        XCTAssertTrue(e.reason.contains("refuses entity declarations"))
    }

    func testParameterEntityPointingAtTheNetworkIsRefused() throws {
        XCTAssertEqual(try readFailure(TestFiles.fixture("xxe_parameter.xml")).problem, .xmlEntityDeclaration(name: "remote"))
    }

    func testBillionLaughsIsRefusedAtTheFirstDeclaration() throws {
        let start = Date()
        XCTAssertEqual(try readFailure(TestFiles.fixture("billion_laughs.xml")).problem, .xmlEntityDeclaration(name: "lol"))
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
    }

    func testExternalDTDIsNeverLoadedButTheDocumentIsRead() throws {
        // The DOCTYPE names a DTD on the network; without DTD loading and with NONET it is ignored.
        let doc = try readOne(TestFiles.fixture("external_dtd.xml"))
        XCTAssertEqual(doc.sections, [Section(title: "Plan", code: nil, text: "Rest.")])
    }

    func testXMLThatIsNotCDANamesItsRoot() throws {
        let e = try readFailure(TestFiles.fixture("not_cda.xml"))
        XCTAssertEqual(e.problem, .notCDA(root: "invoice"))
        XCTAssertEqual(e.place, .xml(line: 2, element: "invoice"))
    }

    func testNestingBeyondLibxml2DepthLimitIsMalformedNotACrash() {
        let depth = 5000
        let xml = "<section>" + String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth) + "</section>"
        XCTAssertThrowsError(try CDAReader.read(text: xml, encoding: .utf8, file: "deep.xml")) { e in
            guard case .xmlMalformed = (e as? DocumentError)?.problem else { return XCTFail("\(e)") }
        }
    }

    func testParsesOnSeveralThreadsKeepTheirOwnErrors() {
        // Each parse owns its error report; a broken file on one thread never explains another's.
        let good = #"<section><title>T</title><text>ok</text></section>"#
        let bad = "<section><title>T</title><text>cut"
        let failures = UnsafeMutableBufferPointer<Int>.allocate(capacity: 64)
        defer { failures.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            do {
                _ = try CDAReader.read(text: i % 2 == 0 ? good : bad, encoding: .utf8, file: "t\(i).xml")
                failures[i] = 0
            } catch {
                failures[i] = (error as? DocumentError)?.file == "t\(i).xml" ? 1 : 99
            }
        }
        XCTAssertEqual((0..<64).map { failures[$0] }, (0..<64).map { $0 % 2 == 0 ? 0 : 1 })
    }
}
