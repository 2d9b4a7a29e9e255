import Foundation
import XCTest
@testable import SyntheticRecords

/// ROUGE-1, ROUGE-2 and ROUGE-L as the `rouge-score` package computes them (fixture by
/// tools/fixtures/make_rouge_fixtures.py), fact recall, and the unsupported-fact extractor.
final class MetricsTests: XCTestCase {
    struct Fixture: Decodable {
        struct Score: Decodable { let precision, recall, f1: Double }
        struct Case: Decodable { let reference, candidate: String; let rouge1, rouge2, rougeL: Score }
        let cases: [Case]
    }

    func testRougeMatchesTheRougeScorePackage() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Fixtures.url("rouge.json")))
        XCTAssertGreaterThanOrEqual(fixture.cases.count, 30)
        // Agreement on zeros and ones alone, or on pairs where the measures coincide, would prove little.
        XCTAssertGreaterThanOrEqual(fixture.cases.filter { c in [c.rouge1.f1, c.rouge2.f1, c.rougeL.f1].allSatisfy { $0 > 0 && $0 < 1 } }.count, 10)
        XCTAssertGreaterThanOrEqual(fixture.cases.filter { $0.rougeL.f1 != $0.rouge1.f1 }.count, 5)
        XCTAssertGreaterThanOrEqual(fixture.cases.filter { $0.rouge2.f1 != $0.rouge1.f1 }.count, 10)
        var worst = 0.0
        for c in fixture.cases {
            let s = Metrics.rouge(reference: c.reference, candidate: c.candidate)
            let pairs = [("ROUGE-1", s.rouge1, c.rouge1), ("ROUGE-2", s.rouge2, c.rouge2), ("ROUGE-L", s.rougeL, c.rougeL)]
            for (name, quill, python) in pairs {
                let label = "\(name): \(c.reference.prefix(40)) | \(c.candidate.prefix(40))"
                XCTAssertEqual(quill.f1, python.f1, accuracy: 1e-9, label)
                XCTAssertEqual(quill.precision, python.precision, accuracy: 1e-9, label)
                XCTAssertEqual(quill.recall, python.recall, accuracy: 1e-9, label)
                worst = max(worst, abs(quill.precision - python.precision), abs(quill.recall - python.recall), abs(quill.f1 - python.f1))
            }
            XCTAssertEqual(Metrics.rougeL(reference: c.reference, candidate: c.candidate), s.rougeL)
            XCTAssertEqual(Metrics.rougeN(2, reference: c.reference, candidate: c.candidate), s.rouge2)
        }
        print("ROUGE-1/2/L max difference from rouge-score: \(worst)")
    }

    func testRougeTokensFollowTheRougeScoreTokenizer() {
        XCTAssertEqual(Metrics.rougeTokens("WBC 14.2 x10^9/L, creatinine 180 µmol/L"), ["wbc", "14", "2", "x10", "9", "l", "creatinine", "180", "mol", "l"])
        XCTAssertEqual(Metrics.rougeTokens("  ...  "), [])
    }

    func testAReferenceScoresOneAgainstItself() {
        let r = SyntheticRecords.record(task: .soapNote, seed: 1, index: 0)
        XCTAssertEqual(Metrics.rougeL(reference: r.reference, candidate: r.reference).f1, 1)
        XCTAssertEqual(Metrics.factRecall(facts: r.facts, output: r.reference), 1)
    }

    func testFactRecallCountsFactsFoundVerbatim() {
        let facts = ["azithromycin", "500 mg", "2025-03-07", "CRP"]
        XCTAssertEqual(Metrics.factRecall(facts: facts, output: "Azithromycin 250 mg on 2025-03-07. CRP 15 mg/L."), 0.75)
        XCTAssertEqual(Metrics.factRecall(facts: [], output: "anything"), 1)
    }

    func testUnsupportedFactsListQuantitiesAndDatesTheInputLacks() {
        let input = "36 y/o female, adm 7 Mar 2025, c/o headache x 1 week. Tx: azithromycin 500mg x 1 then 250 mg QD x 4 days. BP 120/80. CRP 15 mg/L. D/c 2025-03-09."
        let output = "Admitted on 2025-03-07. Azithromycin 500 mg then 250 mg QD x 5 days. BP 120/80, CRP 15 mg/L, WBC 14.2 x10^9/L. Discharged on 2025-03-10. Follow-up in 2 weeks."
        XCTAssertEqual(Metrics.unsupportedFacts(output: output, input: input), ["5 days", "14.2 x10^9/L", "2 weeks", "2025-03-10"])
    }

    func testQuantitiesAreFoundAsWritten() {
        XCTAssertEqual(Quantities.find(in: "nystatin 100,000 units PO QID x 7 days, 24/26 mg BID, EF 35%, BP 150/95, 2025-03-07, L4, Mg 0.5 mmol/L, 14.2 x10^9/L"),
                       ["100,000 units", "7 days", "24/26 mg", "35%", "150/95", "0.5 mmol/L", "14.2 x10^9/L"])
    }
}
