import Foundation
import QuillEval
import QuillPipeline
import SyntheticRecords
import XCTest

/// Floors under the fact checker's measured precision and recall (docs/PERFORMANCE.md, "Fact check"): 250
/// records of each task, two unsupported facts planted into each reference, the shipped lexicons. The floors
/// sit a little under what was measured, so a change that makes the checker miss planted facts or flag
/// supported ones fails here.
final class FactCheckFloorTests: XCTestCase {
    static let lexicon = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("templates/lexicon/medications.txt")

    func testPrecisionAndRecallOnPlantedFacts() throws {
        let checker = try FactChecker(lexicon: Self.lexicon)
        var e = try FactCheckEvaluation.measure(checker: checker, task: .dischargeSummary, count: 250, seed: 606)
        e.merge(try FactCheckEvaluation.measure(checker: checker, task: .soapNote, count: 250, seed: 606))
        XCTAssertEqual(e.records, 500)
        for (kind, floor) in Self.floors {
            let c = try XCTUnwrap(e.byKind[kind], "\(kind)")
            if let recall = c.recall { XCTAssertGreaterThanOrEqual(recall, floor.recall, "\(kind) recall") }
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(c.precision, "\(kind)"), floor.precision, "\(kind) precision")
        }
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(e.overall.recall), FactCheckFloorTests.overall.recall)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(e.overall.precision), FactCheckFloorTests.overall.precision)
    }

    /// Measured 2026-11-22 on this seed: recall and precision 1.000 for every kind (docs/PERFORMANCE.md).
    static let floors: [FactFinding.Kind: (recall: Double, precision: Double)] = [
        .quantity: (0.95, 0.95), .date: (0.95, 0.95), .medication: (0.95, 0.95), .term: (0, 0.9),
    ]
    static let overall = (recall: 0.97, precision: 0.95)
}
