import ClinicalDocuments
import Foundation
import QuillEval
import QuillPipeline
import XCTest

/// The hand-written evaluation set (`eval/handwritten/`) and its scorer, without a model.
final class HandwrittenSetTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("eval/handwritten")

    func testEveryDocumentReadsAsItsTaskAndStatesItsExpectedNames() throws {
        let set = try HandwrittenSet.load(folder: Self.folder)
        XCTAssertGreaterThanOrEqual(set.cases.count, 20)
        XCTAssertGreaterThanOrEqual(set.cases.filter { $0.task == .soapNote }.count, 10)
        XCTAssertGreaterThanOrEqual(set.cases.filter { $0.task == .dischargeSummary }.count, 10)
        for c in set.cases {
            let document = try set.document(for: c)
            let text = ClinicalPrompt.documentText(document)
            // Expected names are what the document says: one of each entry's alternatives is in the text the model reads.
            for entry in c.diagnoses + c.drugs {
                XCTAssertTrue(entry.split(separator: "|").contains { text.lowercased().contains($0.lowercased()) }, "\(c.file): \(entry)")
            }
            XCTAssertFalse(c.diagnoses.isEmpty, c.file)
        }
    }

    func testAFileWithoutExpectedFactsIsNamed() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("handwritten-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.folder, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        try "D: Hello\nP: Hi".write(to: copy.appendingPathComponent("99-extra.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try HandwrittenSet.load(folder: copy)) { error in
            XCTAssertTrue("\(error)".contains("99-extra.txt"), "\(error)")
        }
    }

    /// What the demo model wrote for the cough dialogue: a duration, a finding, a diagnosis and a drug the
    /// dialogue never mentions. Each is an unsupported fact; the faithful note has none.
    func testScorerCountsFactsTheDialogueDoesNotHold() throws {
        let set = try HandwrittenSet.load(folder: Self.folder)
        let c = try XCTUnwrap(set.cases.first { $0.file == "13-cough-fever-short.txt" })
        let input = ClinicalPrompt.documentText(try set.document(for: c))
        let scorer = HandwrittenScorer(checker: try FactChecker(lexicon: Self.folder.deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates/lexicon/medications.txt")))
        let invented = scorer.score(c, output: """
            SOAP note
            Patient: not documented
            Subjective: Cough for 9 weeks.
            Objective: Ejection systolic murmur.
            Assessment: Pulmonary embolism.
            Plan: Warfarin 5 mg PO QD.
            """, input: input, findings: [], routedToReview: false)
        XCTAssertEqual(invented.unsupportedQuantities, ["9 weeks", "5 mg"])
        XCTAssertEqual(invented.unsupportedDrugs, ["warfarin"])
        XCTAssertEqual(invented.unsupportedDiagnosis, "Pulmonary embolism.")
        XCTAssertEqual(invented.missingSections, [])

        let faithful = scorer.score(c, output: """
            SOAP note
            Subjective: Cough for 2 weeks with yellow phlegm, fever since yesterday, breathless on stairs.
            Objective: Temperature 38.2, crackles at the right base.
            Assessment: Chest infection.
            Plan: Amoxicillin 500 mg three times a day for 5 days. Return if not better in 48 hours.
            """, input: input, findings: [], routedToReview: false)
        XCTAssertEqual(faithful.unsupportedCount, 0, "\(faithful)")
        XCTAssertEqual(faithful.expectedStated, faithful.expectedTotal)

        let partial = scorer.score(c, output: "Subjective: Cough.\nPlan: Not documented.", input: input, findings: [], routedToReview: false)
        XCTAssertEqual(partial.missingSections, ["Objective", "Assessment"])
        XCTAssertEqual(partial.undocumentedSections, ["Plan"])
    }
}
