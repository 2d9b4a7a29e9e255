import Foundation
import QuillEval
import QuillPipeline
import XCTest

/// A degenerate output is one the pipeline's repetition check flags; on the clinicians' own references of the
/// committed public sets it flags none, so the count measures the model's loops and not the way notes are written.
final class ReferencesAreNotDegenerateTests: XCTestCase {
    func testNoReferenceOfThePublicSetsIsFlagged() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Data/samples")
        var references = 0
        for set in PublicSet.allCases where set.hasReferences {
            for d in try set.documents(samples: samples) {
                let reference = try XCTUnwrap(d.reference, "\(set.rawValue) \(d.id)")
                XCTAssertNil(RepetitionCheck().check(sections: [("Reference", reference)]), "\(set.rawValue) \(d.id)")
                references += 1
            }
        }
        XCTAssertEqual(references, 400)
        // The check itself flags a loop of the kind the demo model writes.
        XCTAssertNotNil(RepetitionCheck().check(sections: [("Plan", String(repeating: "home ", count: 40))]))
    }
}
