import ClinicalDocuments
import XCTest
@testable import SyntheticRecords

/// Planted facts are in the new reference, unsupported by the input, and of the kinds asked for;
/// quantities and dates among them are what the unsupported-fact extractor finds.
final class FactPlantingTests: XCTestCase {
    func testPlantedFactsAreUnsupportedAndFoundByTheExtractor() {
        var kinds: [FactPlanting.Kind: Int] = [:]
        for task in DocumentTask.allCases {
            for r in SyntheticRecords.generate(task: task, count: 150, seed: 31) {
                let result = FactPlanting.plant(3, into: r.reference, input: r.input, seed: UInt64(r.index))
                XCTAssertGreaterThanOrEqual(result.planted.count, 2, "\(r.id)\n\(r.reference)")
                XCTAssertNotEqual(result.reference, r.reference)
                let found = Metrics.unsupportedFacts(output: Metrics.modelWrittenPart(of: result.reference), input: r.input)
                for p in result.planted {
                    kinds[p.kind, default: 0] += 1
                    XCTAssertTrue(FactMatching.contains(result.reference, p.text), "\(r.id): \(p.text)")
                    XCTAssertFalse(FactMatching.isSupported(p.text, by: r.input), "\(r.id): \(p.text)")
                    let quantities = Quantities.find(in: p.text) + NoteDates.isoDates(in: p.text)
                    XCTAssertTrue(quantities.contains { found.contains($0) }, "\(r.id): \(p.kind) '\(p.text)' not found in \(found)")
                }
                // Title and patient line are never touched.
                XCTAssertEqual(result.reference.split(separator: "\n").prefix(2), r.reference.split(separator: "\n").prefix(2))
            }
        }
        for kind in FactPlanting.Kind.allCases { XCTAssertGreaterThan(kinds[kind, default: 0], 20, "\(kind)") }
    }

    func testPlantingIsDeterministicAndZeroPlantsNothing() {
        let r = SyntheticRecords.record(task: .dischargeSummary, seed: 2, index: 4)
        XCTAssertEqual(FactPlanting.plant(2, into: r.reference, input: r.input, seed: 9), FactPlanting.plant(2, into: r.reference, input: r.input, seed: 9))
        XCTAssertEqual(FactPlanting.plant(0, into: r.reference, input: r.input, seed: 9).reference, r.reference)
    }
}

/// A reference's dose is text from a record file: a number past Int's range, or past a double's, is planted
/// around or changed into another plain number, never a crash.
final class FactPlantingHugeNumberTests: XCTestCase {
    func reference(dose: String) -> String {
        "Discharge summary\nPatient: Ana Lopez, female, 36 years\nTreatment: Warfarin \(dose) mg daily.\nFollow-up: GP in 1 week."
    }

    func testADoseOfTwentyThreeDigitsIsChangedToAnotherPlainNumber() {
        let dose = "12345678901234567890123"
        let result = FactPlanting.plant(4, into: reference(dose: dose), input: "Warfarin \(dose) mg daily.", seed: 5)
        let changed = result.planted.filter { $0.kind == .doseChanged }
        XCTAssertEqual(changed.count, 1, "\(result.planted)")
        for p in changed {
            XCTAssertEqual(Quantities.find(in: p.text), [p.text], "a planted dose is one quantity: \(p.text)")
            XCTAssertTrue(p.text.allSatisfy { $0.isNumber || $0 == " " || $0.isLetter }, p.text)
        }
    }

    func testADoseTooLongForADoubleIsLeftAlone() {
        let dose = String(repeating: "9", count: 400)
        let result = FactPlanting.plant(4, into: reference(dose: dose), input: "Warfarin \(dose) mg daily.", seed: 5)
        XCTAssertFalse(result.planted.contains { $0.kind == .doseChanged }, "\(result.planted)")
        XCTAssertTrue(result.reference.contains(dose))
    }
}
