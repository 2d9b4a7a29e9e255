import XCTest
import QuillPipeline

/// The repetition check flags the loops small models fall into, and not the way clinicians write.
final class RepetitionCheckTests: XCTestCase {
    let check = RepetitionCheck()

    func testShortPeriodLoopIsFound() throws {
        let loop = "Patient presents with " + String(repeating: "the patient with ", count: 12)
        let finding = try XCTUnwrap(check.check(sections: [("Subjective", "Cough for two days."), ("Assessment", loop)]))
        XCTAssertEqual(finding.section, "Assessment")
        XCTAssertGreaterThanOrEqual(finding.count, 4)
        XCTAssertEqual(finding.phrase.split(separator: " ").count, 8)
    }

    func testRepeatedSentenceAcrossSectionsIsFound() throws {
        let sentence = "The patient is not taking his medications as prescribed. "
        let sections = [("Subjective", String(repeating: sentence, count: 2)), ("Plan", String(repeating: sentence, count: 2))]
        let finding = try XCTUnwrap(check.check(sections: sections))
        XCTAssertEqual(finding.section, "Subjective")
        XCTAssertEqual(finding.count, 4)
        // Three times is still how a clinician might write.
        XCTAssertNil(check.check(sections: [("Plan", String(repeating: sentence, count: 3))]))
    }

    func testOrdinaryNotesAreNotFlagged() {
        let sections = [("Subjective", "Not documented."), ("Objective", "Not documented."), ("Assessment", "Not documented."),
                        ("Plan", "Continue metformin 500 mg twice a day. Recheck metformin 500 mg twice a day dosing in 3 months.")]
        XCTAssertNil(check.check(sections: sections))
        XCTAssertNil(check.check(sections: []))
        XCTAssertNil(check.check(sections: [("Plan", "short")]))
    }

    func testTheMostRepeatedPhraseIsReportedTheSameWayEveryRun() throws {
        let a = String(repeating: "alpha beta gamma delta epsilon zeta eta theta ", count: 4)
        let b = String(repeating: "one two three four five six seven eight ", count: 6)
        let finding = try XCTUnwrap(check.check(sections: [("Subjective", a), ("Plan", b)]))
        XCTAssertEqual(finding.section, "Plan")
        XCTAssertEqual(finding.count, 6)
        for _ in 0..<5 { XCTAssertEqual(check.check(sections: [("Subjective", a), ("Plan", b)]), finding) }
    }
}
