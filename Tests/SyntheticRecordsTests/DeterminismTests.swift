import ClinicalDocuments
import XCTest
@testable import SyntheticRecords

/// A seed names a data set: the same seed gives the same bytes, another seed another set, and
/// record n does not depend on how many records were asked for.
final class DeterminismTests: XCTestCase {
    func jsonl(_ task: DocumentTask, count: Int, seed: UInt64) throws -> String {
        try SyntheticRecords.generate(task: task, count: count, seed: seed).map(JSONLines.line).joined(separator: "\n")
    }

    func testSameSeedGivesByteIdenticalOutput() throws {
        for task in DocumentTask.allCases {
            XCTAssertEqual(try jsonl(task, count: 200, seed: 42), try jsonl(task, count: 200, seed: 42))
        }
    }

    func testDifferentSeedsGiveDifferentRecords() throws {
        for task in DocumentTask.allCases {
            let a = SyntheticRecords.generate(task: task, count: 50, seed: 1)
            let b = SyntheticRecords.generate(task: task, count: 50, seed: 2)
            XCTAssertEqual(zip(a, b).filter { $0.input == $1.input }.count, 0, "\(task)")
        }
    }

    func testRecordNIsTheSameWhateverTheCount() {
        let short = SyntheticRecords.generate(task: .dischargeSummary, count: 5, seed: 9)
        let long = SyntheticRecords.generate(task: .dischargeSummary, count: 50, seed: 9)
        XCTAssertEqual(short, Array(long.prefix(5)))
        XCTAssertEqual(SyntheticRecords.generate(task: .soapNote, count: 3, seed: 9, startingAt: 10),
                       Array(SyntheticRecords.generate(task: .soapNote, count: 13, seed: 9).suffix(3)))
    }

    func testSplitMix64MatchesTheReferenceSequence() {
        // First outputs of SplitMix64 seeded with 1234567 (Vigna's splitmix64.c).
        var g = SplitMix64(seed: 1234567)
        XCTAssertEqual([g.next(), g.next(), g.next()], [6457827717110365317, 3203168211198807973, 9817491932198370423])
    }

    func testJSONLineCarriesEveryDocumentedKey() throws {
        let r = SyntheticRecords.record(task: .dischargeSummary, seed: 3, index: 0)
        let object = try JSONSerialization.jsonObject(with: Data(try JSONLines.line(r).utf8)) as! [String: Any]
        for key in ["id", "task", "input", "reference", "facts", "patient", "sections", "encounter"] { XCTAssertNotNil(object[key], key) }
        XCTAssertEqual(object["task"] as? String, "discharge-summary")
        let patient = object["patient"] as! [String: Any]
        XCTAssertEqual(Set(patient.keys), ["name", "id", "birth_date", "sex", "age"])
        let sections = object["sections"] as! [[String: String]]
        XCTAssertEqual(sections.map { $0["heading"]! }, DocumentTask.dischargeSummary.headings)
        XCTAssertEqual(object["reference"] as? String, r.reference)
    }
}
