import ClinicalDocuments
import Foundation
import QuillEval
import XCTest

/// The public sets as committed in Tests/Data/samples: every row of every file read, each dialogue as turns, each
/// MTS-Dialog header on a SOAP section, and a broken or unknown row named with its file and row.
final class PublicSetReaderTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = repo.appendingPathComponent("Tests/Data/samples")

    func documents(_ set: PublicSet, limit: Int? = nil) throws -> [PublicSetDocument] {
        try set.documents(samples: Self.samples, limit: limit)
    }

    struct Refused: Error, CustomStringConvertible { let description: String }

    /// The document read, or an error that fails the test.
    func read(_ d: PublicSetDocument) throws -> ClinicalDocument {
        switch d.input {
        case .document(let document): return document
        case .refused(let reason): throw Refused(description: "\(d.id) was refused: \(reason)")
        }
    }

    func testEveryRowOfTheCommittedDialogueSetsReadsAsADialogue() throws {
        let counts: [PublicSet: Int] = [.mtsDialogValid: 100, .mtsDialogTest1: 200, .aciBenchValid: 20, .aciBenchTest1: 40, .aciBenchTest2: 40]
        for (set, count) in counts {
            let docs = try documents(set)
            XCTAssertEqual(docs.count, count, set.rawValue)
            XCTAssertEqual(Set(docs.map(\.id)).count, count, "\(set.rawValue): ids are unique")
            for d in docs {
                guard case .document(let document) = d.input else { XCTFail("\(set.rawValue) \(d.id) refused: \(d.input)"); continue }
                XCTAssertEqual(document.kind, .dialogue, "\(set.rawValue) \(d.id)")
                XCTAssertEqual(document.task, .soapNote, "\(set.rawValue) \(d.id)")
                XCTAssertGreaterThanOrEqual(document.turns.count, 2, "\(set.rawValue) \(d.id)")
                XCTAssertFalse(d.reference?.isEmpty ?? true, "\(set.rawValue) \(d.id)")
            }
        }
    }

    func testACIBenchRowsAreWholeVisitsScoredOnEverySection() throws {
        let docs = try documents(.aciBenchValid, limit: 2)
        XCTAssertEqual(docs.map(\.id), ["D2N068", "D2N069"])
        XCTAssertNil(docs[0].scoredSection)
        XCTAssertTrue(try XCTUnwrap(docs[0].reference).hasPrefix("CHIEF COMPLAINT\n\nFollow-up of chronic problems."))
        let first = try read(docs[0])
        XCTAssertEqual(first.turns[0], DialogueTurn(role: .doctor, speaker: "doctor", text: "hi , brian . how are you ?"))
        XCTAssertEqual(first.turns[1], DialogueTurn(role: .patient, speaker: "patient", text: "hi , good to see you ."))
    }

    func testACIBenchTurnsThatRunOnWithinALineAreSplit() throws {
        let url = try write("inline.csv", "dataset,encounter_id,dialogue,note\n"
            + "virtassist,X1,\"[doctor] hi , how are you ? [patient] fine . [doctor] any pain ? [patient] no , none .\",\"CC: check-up.\"\n")
        let docs = try PublicSet.aciBenchValid.documents(at: url)
        let document = try read(try XCTUnwrap(docs.first))
        XCTAssertEqual(document.turns.map(\.role), [.doctor, .patient, .doctor, .patient])
        XCTAssertEqual(document.turns[3].text, "no , none .")
    }

    func testMTSDialogHeadersMapOntoSOAPSections() throws {
        let headings = Dictionary(uniqueKeysWithValues: ["GENHX", "FAM/SOCHX", "ALLERGY", "EXAM", "LABS", "IMAGING", "DIAGNOSIS", "ASSESSMENT", "EDCOURSE", "DISPOSITION"]
            .map { ($0, MTSDialogSections.section(for: $0)?.heading) })
        XCTAssertEqual(headings, ["GENHX": "Subjective", "FAM/SOCHX": "Subjective", "ALLERGY": "Subjective", "EXAM": "Objective",
                                  "LABS": "Objective", "IMAGING": "Objective", "DIAGNOSIS": "Assessment", "ASSESSMENT": "Assessment",
                                  "EDCOURSE": "Plan", "DISPOSITION": "Plan"])
        XCTAssertNil(MTSDialogSections.section(for: "genhx"), "headers are matched as the files write them")
        // The committed files use exactly the headers the mapping holds: none unmapped, none mapped for nothing.
        var used = Set<String>()
        for set in [PublicSet.mtsDialogValid, .mtsDialogTest1] {
            let table = try CSVTable.load(Self.samples.appendingPathComponent(set.path))
            let column = try table.column("section_header")
            used.formUnion(table.rows.map { $0.fields[column] })
        }
        XCTAssertEqual(used, Set(MTSDialogSections.sectionKeyByHeader.keys))
        XCTAssertEqual(used.count, 20)
        let first = try documents(.mtsDialogValid, limit: 1)[0]
        XCTAssertEqual(first.scoredSection?.heading, "Subjective")
        XCTAssertEqual(first.id, "0")
    }

    func testAnUnknownMTSDialogHeaderIsAnErrorNamingFileAndRow() throws {
        let url = try write("mts.csv", "ID,section_header,section_text,dialogue\n"
            + "0,GENHX,\"A 40-year-old, well.\",\"Doctor: How are you?\nPatient: Well.\"\n"
            + "1,SURGERY_PLAN,Surgery next week.,\"Doctor: Surgery?\nPatient: Yes.\"\n")
        XCTAssertThrowsError(try PublicSet.mtsDialogValid.documents(at: url)) { error in
            XCTAssertTrue("\(error)".hasPrefix("mts.csv, row 3 (line 4): has section_header \"SURGERY_PLAN\", which maps to no SOAP section"), "\(error)")
        }
    }

    func testABrokenSetFileIsAnErrorNamingFileAndRow() throws {
        let url = try write("valid.csv", "dataset,encounter_id,dialogue,note\n"
            + "virtassist,D1,\"[doctor] hi\n[patient] hello\",note one\n"
            + "virtassist,D2,\"[doctor] a \"quoted\" word\",note two\n")
        XCTAssertThrowsError(try PublicSet.aciBenchValid.documents(at: url)) { error in
            XCTAssertTrue("\(error)".hasPrefix("valid.csv, row 3 (line 4): has text after a quoted field's closing quote"), "\(error)")
        }
    }

    func testTheSampleDocumentSetsHoldEveryFileAndNameTheRefusedOne() throws {
        let cda = try documents(.cCDA)
        XCTAssertEqual(cda.count, 17)
        let refused = cda.filter { if case .refused = $0.input { return true } else { return false } }
        XCTAssertEqual(refused.map(\.id), ["Unstructured/CDA reference PDF/Unstructured_Document_reference.xml"])
        guard case .refused(let reason) = refused[0].input else { return }
        XCTAssertTrue(reason.contains("external file"), reason)

        let hl7 = try documents(.hl7)
        XCTAssertEqual(hl7.count, 9)
        for d in cda + hl7 {
            XCTAssertNil(d.reference, d.id)
            if case .document(let document) = d.input { XCTAssertEqual(document.task, .dischargeSummary, d.id) }
        }
        XCTAssertTrue(hl7.allSatisfy { if case .document = $0.input { return true } else { return false } })
        XCTAssertEqual(try documents(.hl7, limit: 3).map(\.id), Array(hl7.prefix(3).map(\.id)))
    }

    func testNoSetReadsATrainingSplit() {
        for set in PublicSet.allCases { XCTAssertFalse(set.path.lowercased().contains("train"), set.path) }
    }

    func write(_ name: String, _ text: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("public-set-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }
}
