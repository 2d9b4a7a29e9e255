import ClinicalDocuments
import XCTest
@testable import SyntheticRecords

/// Every fact a record lists is in its reference and supported by its input, so fact recall and
/// the fact check measure the model and not the data.
final class FactTests: XCTestCase {
    func testEveryFactIsInTheReferenceAndSupportedByTheInput() {
        for task in DocumentTask.allCases {
            var checked = 0
            for r in SyntheticRecords.generate(task: task, count: 2000, seed: 5) {
                XCTAssertFalse(r.facts.isEmpty, r.id)
                for fact in r.facts {
                    XCTAssertTrue(FactMatching.contains(r.reference, fact), "\(r.id): '\(fact)' not in reference\n\(r.reference)")
                    XCTAssertTrue(FactMatching.isSupported(fact, by: r.input), "\(r.id): '\(fact)' not supported by input\n\(r.input)")
                    checked += 1
                }
            }
            XCTAssertGreaterThan(checked, 2000 * 8, "\(task)")
        }
    }

    func testTheReferenceStatesNoQuantityOrDateTheInputLacks() {
        for task in DocumentTask.allCases {
            for r in SyntheticRecords.generate(task: task, count: 1000, seed: 6) {
                XCTAssertEqual(Metrics.unsupportedFacts(output: Metrics.modelWrittenPart(of: r.reference), input: r.input), [],
                               "\(r.id)\n\(r.input)\n\(r.reference)")
            }
        }
    }

    func testDatesAreISOInTheReferenceWhateverTheNoteWrote() {
        var styles = Set<String>()
        for r in SyntheticRecords.generate(task: .dischargeSummary, count: 500, seed: 7) {
            guard let admission = r.admission else { continue }
            XCTAssertTrue(r.reference.contains("Admitted on \(admission.iso)"), r.id)
            XCTAssertTrue(NoteDates.isoDates(in: r.input).contains(admission.iso), r.id)
            for style in NoteDates.Style.allCases where r.input.contains(NoteDates.write(admission, style)) { styles.insert("\(style)") }
        }
        XCTAssertEqual(styles.count, NoteDates.Style.allCases.count, "every date style is used: \(styles)")
    }

    func testMatchingIgnoresCaseButNotWordBoundaries() {
        XCTAssertTrue(FactMatching.contains("Azithromycin 500 mg", "azithromycin"))
        XCTAssertFalse(FactMatching.contains("25 mg", "5 mg"))
        XCTAssertFalse(FactMatching.contains("2.5 mg", "5 mg"))
        XCTAssertFalse(FactMatching.contains("100,000 units", "000 units"))
        XCTAssertTrue(FactMatching.contains("given 5 mg.", "5 mg"))
        XCTAssertFalse(FactMatching.contains("11 weeks", "1 week"))
        XCTAssertTrue(FactMatching.contains("SpO2 97%.", "97%"))
        XCTAssertTrue(FactMatching.isSupported("2025-03-07", by: "adm 07-Mar-2025"))
        XCTAssertFalse(FactMatching.isSupported("2025-03-08", by: "adm 07-Mar-2025"))
    }
}
