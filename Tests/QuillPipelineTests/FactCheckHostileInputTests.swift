import XCTest
@testable import QuillPipeline

/// The fact checker reads the input note and the model's text, both untrusted: numbers of any length and
/// letters whose lower case is longer than they are must give findings, never a crash.
final class FactCheckHostileInputTests: XCTestCase {
    let checker = FactChecker(medications: ["warfarin"])
    let accession = "12345678901234567890123"   // 23 digits: more than an Int or a double's exact range holds

    func testALongDigitStringInTheNoteOrTheOutputIsText() {
        let input = "Specimen accession \(accession) received. Warfarin \(accession) mg."
        XCTAssertEqual(checker.check(sections: [("Investigations", "Accession \(accession).")], input: input), [])
        XCTAssertEqual(checker.check(sections: [("Treatment", "Warfarin \(accession) mg.")], input: input), [])
        // One digit apart is another number, though a double would round both to the same value.
        let other = "12345678901234567890124"
        XCTAssertEqual(checker.check(sections: [("Treatment", "Warfarin \(other) mg.")], input: input),
                       [FactFinding(kind: .quantity, text: "\(other) mg", section: "Treatment")])
        XCTAssertEqual(checker.check(sections: [("Investigations", "Accession \(accession)/\(other).")], input: input).map(\.kind), [.quantity])
        XCTAssertEqual(checker.check(sections: [("Investigations", "1\(accession).5 mg/L.")], input: "x").map(\.text), ["1\(accession).5 mg/L"])
    }

    func testNumbersCompareInNormalisedForm() {
        XCTAssertEqual(Facts.normaliseNumber("007"), "7")
        XCTAssertEqual(Facts.normaliseNumber("0"), "0")
        XCTAssertEqual(Facts.normaliseNumber("000.50"), "0.5")
        XCTAssertEqual(Facts.normaliseNumber("5.0"), "5")
        XCTAssertEqual(Facts.normaliseNumber("120/080"), "120/80")
        XCTAssertEqual(Facts.normaliseNumber("00\(accession).100"), "\(accession).1")
        XCTAssertEqual(checker.check(sections: [("Treatment", "Warfarin 5.0 mg, then 2.50 mg.")], input: "warfarin 5 mg then 2.5mg"), [])
    }

    func testLettersThatGrowInLowerCaseDoNotShiftTheFindings() {
        // "İ" lower-cases to two scalars: a range found in the lower-case text must still fit the original.
        let prefix = String(repeating: "İ", count: 40)
        let findings = checker.check(sections: [("Admission", "\(prefix) admitted 2025-03-08, warfarin 7 mg.")],
                                     input: "adm 2025-03-07, warfarin 5 mg")
        XCTAssertEqual(findings.filter { $0.kind != .term },
                       [FactFinding(kind: .quantity, text: "7 mg", section: "Admission"),
                        FactFinding(kind: .date, text: "2025-03-08", section: "Admission")])
    }
}
