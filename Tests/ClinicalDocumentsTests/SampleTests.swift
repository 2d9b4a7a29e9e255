import XCTest
@testable import ClinicalDocuments

/// The public samples in Tests/Data/samples (see Tests/Data/SOURCES.md): every file parses, and concrete
/// fields of concrete files are what the files say.
final class CDASampleTests: XCTestCase {
    static let documents = [
        "Documents/CCD/CCD 2/CCD.xml", "Documents/Consultation Note/Consultation_Note.xml",
        "Documents/Discharge Summary/Discharge_Summary.xml", "Documents/History and Physical/History_and_Physical.xml",
        "Documents/Operative Note/Operative_Note.xml", "Documents/Procedure Note/Procedure_Note.xml",
        "Documents/Progress Note/Progress_Note.xml", "Documents/Transfer Summary/Transfer_Summary.xml",
        "Unstructured/CDA with Embedded Text plain/CDA_Embedded_Text_Plain_Surgical_Consult.xml",
        "Notes/Discharge Note in Hospital Course/Discharge Note(C-CDAR2.1).xml",
        "Notes/Single Consultation Note/Single Consultation Note(C-CDA R2.1).xml",
        "Notes/RTF Note/RTF Note (C-CDA R2.1).xml",
        "Guide Examples/Assessment Section_2.16.840.1.113883.10.20.22.2.8/Assessment Section Example.xml",
        "Guide Examples/Hospital Course Section_1.3.6.1.4.1.19376.1.5.3.1.3.5/Hospital Course Section Example.xml",
        "Guide Examples/Objective Section_2.16.840.1.113883.10.20.21.2.1/Objective Section Example.xml",
        "Guide Examples/Plan of Treatment Section (V2)_2.16.840.1.113883.10.20.22.2.10/Plan of Treatment Section (V2) Example.xml",
    ]

    func cda(_ path: String) throws -> ClinicalDocument { try readOne(TestFiles.sample("C-CDA-Examples/" + path)) }

    func testEverySampleDocumentParsesWithSections() throws {
        for path in Self.documents {
            let doc = try cda(path)
            XCTAssertFalse(doc.sections.isEmpty, path)
            XCTAssertEqual(doc.sourceFormat, .cda, path)
            XCTAssertEqual(doc.encoding, .utf8, path)
        }
    }

    func testDischargeSummaryHeader() throws {
        let doc = try cda("Documents/Discharge Summary/Discharge_Summary.xml")
        XCTAssertEqual(doc.title, "Community Health and Hospitals: Discharge Summary")
        XCTAssertEqual(doc.patient, Patient(name: "Isabella Jones", id: "998991", birthDate: "2005-05-01", sex: .female))
        XCTAssertEqual(doc.encounter.admission, "2014-09-09T19:04-05:00")
        XCTAssertEqual(doc.encounter.discharge, "2014-09-16T19:04-05:00")
        XCTAssertEqual(doc.authors.first?.name, "Henry Seven")
    }

    func testDischargeSummarySections() throws {
        let doc = try cda("Documents/Discharge Summary/Discharge_Summary.xml")
        XCTAssertEqual(doc.sections.count, 21)
        XCTAssertEqual(doc.sections.first, Section(title: "ADMISSION DIAGNOSIS", code: "42347-5", text: "Appendicitis"))
        XCTAssertTrue(try XCTUnwrap(doc.sections.coded("8648-8")).text.hasPrefix("Patient presented with dark stools and pain lower left quadrant"))
        // The sample carries a placeholder code for its Discharge Diagnosis section; it is reported as written.
        XCTAssertEqual(doc.sections.coded("C-CDAV2-DDN")?.text, "Appendicitis")
        XCTAssertTrue(try XCTUnwrap(doc.sections.coded("48765-2")).text
            .hasPrefix("Substance: Penicillin; Reaction: Nausea; Severity: Moderate to severe; Status: Active"))
        XCTAssertTrue(try XCTUnwrap(doc.sections.coded("75311-1")).text.hasPrefix("Medication: Ibuprofen 600mg Oral Tablet"))
        XCTAssertTrue(try XCTUnwrap(doc.sections.coded("8653-8")).text.hasPrefix("1. Take all of your prescription medication as directed."))
    }

    func testProgressNoteHasSOAPSections() throws {
        let doc = try cda("Documents/Progress Note/Progress_Note.xml")
        XCTAssertEqual(doc.patient.name, "Adam Frankie Everyman")
        XCTAssertEqual(doc.patient.sex, .male)
        for code in ["61150-9", "61149-1", "51848-0", "18776-5"] {
            XCTAssertNotNil(doc.sections.coded(code), "Progress note section \(code)")
        }
    }

    func testConsultationNoteReasonForReferral() throws {
        let doc = try cda("Documents/Consultation Note/Consultation_Note.xml")
        XCTAssertEqual(doc.patient.name, "Eve Betterhalf")
        XCTAssertNotNil(doc.sections.coded("42349-1"))
    }

    func testEmbeddedPlainTextBodyIsDecodedFromBase64() throws {
        let doc = try cda("Unstructured/CDA with Embedded Text plain/CDA_Embedded_Text_Plain_Surgical_Consult.xml")
        XCTAssertEqual(doc.patient.name, "Juan Damore")
        XCTAssertTrue(doc.sections[0].text.hasPrefix("LOCAL TITLE: SURGICAL CONSULT"), doc.sections[0].text)
        XCTAssertEqual(doc.sections.coded("10154-3")?.text, "Chronic cervical pain, stable symptomatology.")
        XCTAssertTrue(try XCTUnwrap(doc.sections.titled("Plan")).text.hasPrefix("F/u routine, pt is not interested"))
    }

    func testReferencedPDFIsNeverFetchedAndTheFileFailsWithThatReason() throws {
        let e = try readFailure(TestFiles.sample("C-CDA-Examples/Unstructured/CDA reference PDF/Unstructured_Document_reference.xml"))
        guard case .noText(let detail) = e.problem else { return XCTFail("\(e)") }
        XCTAssertTrue(detail.contains("UD_sample.pdf"), detail)
    }

    func testHospitalCourseFragment() throws {
        let doc = try cda("Notes/Discharge Note in Hospital Course/Discharge Note(C-CDAR2.1).xml")
        XCTAssertEqual(doc.sections.first?.code, "8648-8")
    }

    func testTransferSummaryIsLargeAndReadable() throws {
        let doc = try cda("Documents/Transfer Summary/Transfer_Summary.xml")
        XCTAssertEqual(doc.patient.name, "Eve Betterhalf")
        XCTAssertGreaterThan(doc.sections.count, 10)
    }
}

final class HL7SampleTests: XCTestCase {
    func hl7(_ name: String) throws -> ClinicalDocument {
        try readOne(TestFiles.sample("FHIR-Converter/data/SampleData/Hl7v2/" + name))
    }

    func testEveryNarrativeSampleParses() throws {
        for name in ["ADT-A01-01.hl7", "ADT-A03-01.hl7", "LAB-ORU-1.hl7", "LRI_2.0-NG_CBC_Typ_Message.hl7", "MDM-T02-01.hl7",
                     "MDM-T02-03.hl7", "MDM-T06-02.hl7", "MDM-T10-02.hl7", "ORU-R01-01.hl7"] {
            let doc = try hl7(name)
            XCTAssertEqual(doc.sourceFormat, .hl7v2, name)
            XCTAssertFalse(doc.sections.isEmpty, name)
            XCTAssertNotNil(doc.patient.name, name)
        }
    }

    func testMDMT02DischargeSummaryBody() throws {
        let doc = try hl7("MDM-T02-03.hl7")
        XCTAssertEqual(doc.patient, Patient(name: "Frederick Clark", id: "3196695816", birthDate: "1930-01-22", sex: .male))
        let body = try XCTUnwrap(doc.sections.coded("18842-5"))
        XCTAssertEqual(body.title, "Discharge summary")
        XCTAssertEqual(body.text.split(separator: "\n").count, 29)
        XCTAssertTrue(body.text.hasPrefix("Toilet cylinder crackers model step-mother visor opening communication\n"))
        XCTAssertEqual(doc.authors.first, Author(name: "Kathleen Woolfson", role: "attending"))
    }

    func testLRIMessageWithBOMReadsNumericCodedAndTextResults() throws {
        let doc = try hl7("LRI_2.0-NG_CBC_Typ_Message.hl7")
        XCTAssertEqual(doc.encoding, .utf8BOM)
        XCTAssertEqual(doc.patient.name, "William A Jones")
        XCTAssertEqual(doc.patient.id, "PATID1234")
        let panel = try XCTUnwrap(doc.sections.coded("57021-8"))
        let lines = panel.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[1], "Hemoglobin [Mass/volume] in Blood: 12.5 grams per milliliter (reference 13 to 18) [L]")
        XCTAssertTrue(lines.contains("Anisocytosis [Presence] in Blood: Moderate Anisocytosis [A]"))
        XCTAssertTrue(lines.contains("Erythrocyte morphology finding [Identifier] in Blood: Many spherocytes present."))
    }

    func testLabORUSkipsPendingEmptyResults() throws {
        let doc = try hl7("LAB-ORU-1.hl7")
        XCTAssertEqual(doc.patient.name, "DONALD D DUCK")
        XCTAssertEqual(doc.sections.coded("24317-0")?.text, "ERYTHROCYTES: 4.06 tera.l-1\nHEMATOCRIT: 40.1 %\nPLATELETS: 221 giga.l-1")
    }

    func testORUWithNTEUnescapesAndKeepsComments() throws {
        let doc = try hl7("ORU-R01-01.hl7")
        XCTAssertEqual(doc.patient.name, "Huckleberry Finn")
        let text = doc.sections.map(\.text).joined(separator: "\n")
        XCTAssertTrue(text.contains("E.coli O157:H7 & other STECs"), text)
        XCTAssertTrue(text.contains("Allergy to peanuts observed."))
    }

    func testADTA03GivesTheDischargeDateAndDiagnosis() throws {
        let doc = try hl7("ADT-A03-01.hl7")
        XCTAssertEqual(doc.encounter.discharge, "2015-02-09T11:34:19+01:10")
        XCTAssertEqual(doc.sections.titled("Diagnoses")?.text, "Ischemic stroke(disorder) (422504002) [admitting]")
    }
}

/// The two public dialogue data sets: every dialogue is detected as a dialogue, with turns and roles.
final class DialogueSampleTests: XCTestCase {
    func rows(_ path: String) throws -> [[String: String]] {
        let text = try String(contentsOf: TestFiles.sample(path), encoding: .utf8)
        let rows = csvRows(text)
        let header = rows[0]
        return rows.dropFirst().filter { $0.count == header.count }.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    func testACIBenchDialoguesWithBracketTags() throws {
        let rows = try rows("aci-bench/data/challenge_data/valid.csv")
        XCTAssertEqual(rows.count, 20)
        for row in rows {
            let bytes = Array(try XCTUnwrap(row["dialogue"]).utf8)
            let doc = try ClinicalDocumentReader.read(bytes: bytes, fileName: "\(row["encounter_id"] ?? "").txt")[0].get()
            XCTAssertEqual(doc.kind, .dialogue, row["encounter_id"] ?? "")
            XCTAssertEqual(doc.task, .soapNote)
            // Some encounters are with a parent ([patient_guest]) rather than the patient.
            XCTAssertGreaterThanOrEqual(doc.turns.filter { $0.role == .doctor }.count, 3)
            XCTAssertGreaterThanOrEqual(doc.turns.filter { $0.role != .doctor }.count, 3)
        }
        let first = try ClinicalDocumentReader.read(bytes: Array(try XCTUnwrap(rows[0]["dialogue"]).utf8), fileName: "D2N068.txt")[0].get()
        XCTAssertEqual(first.turns[0], DialogueTurn(role: .doctor, speaker: "doctor", text: "hi , brian . how are you ?"))
        XCTAssertEqual(first.turns[1], DialogueTurn(role: .patient, speaker: "patient", text: "hi , good to see you ."))
        // "brian is a 58 year old male" is said aloud by the doctor.
        XCTAssertEqual(first.patient.ageYears, 58)
        XCTAssertEqual(first.patient.sex, .male)
    }

    func testMTSDialogRowsWithColonLabels() throws {
        let rows = try rows("MTS-Dialog/Main-Dataset/MTS-Dialog-ValidationSet.csv")
        XCTAssertEqual(rows.count, 100)
        var dialogues = 0
        for row in rows {
            let doc = try ClinicalDocumentReader.read(bytes: Array(try XCTUnwrap(row["dialogue"]).utf8), fileName: "mts.txt")[0].get()
            if doc.kind == .dialogue { dialogues += 1 }
        }
        // Some rows are a single exchange ("Doctor: … Patient: …" once each, plus free text): by the
        // detection rule those read as notes unless marked. The large majority are dialogues.
        XCTAssertGreaterThan(dialogues, 80)
        let first = try ClinicalDocumentReader.read(bytes: Array(try XCTUnwrap(rows[0]["dialogue"]).utf8), fileName: "mts.txt")[0].get()
        XCTAssertEqual(first.turns[0], DialogueTurn(role: .doctor, speaker: "Doctor", text: "When did your pain begin?"))
        XCTAssertEqual(first.turns[3], DialogueTurn(role: .patient, speaker: "Patient", text: "Yeah, it started when I fell in an A B C store."))
    }

    func testMTSGuestFamilyIsAnotherSpeaker() throws {
        let rows = try rows("MTS-Dialog/Main-Dataset/MTS-Dialog-TestSet-1-MEDIQA-Chat-2023.csv")
        let withGuest = try XCTUnwrap(rows.first { $0["dialogue"]?.contains("Guest_family:") == true })
        let doc = try ClinicalDocumentReader.read(bytes: Array(try XCTUnwrap(withGuest["dialogue"]).utf8), fileName: "g.dialogue.txt")[0].get()
        XCTAssertEqual(doc.turns.first { $0.speaker == "Guest_family" }?.role, .other)
    }
}
