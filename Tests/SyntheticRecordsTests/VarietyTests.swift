import ClinicalDocuments
import XCTest
@testable import SyntheticRecords

/// The data must make a model read the note rather than memorise it: many diagnoses and drugs,
/// varied phrasing, missing sections, typos, dialogues of the stated lengths.
final class VarietyTests: XCTestCase {
    func testDischargeRecordsCoverHundredsOfDiagnosesAndDrugs() {
        let records = SyntheticRecords.generate(task: .dischargeSummary, count: 2000, seed: 1)
        let diagnoses = Set(records.map { $0.sections[2].text })
        let drugs = Set(records.flatMap { r in Drugs.all.map(\.name).filter { r.facts.contains($0) } })
        XCTAssertGreaterThanOrEqual(diagnoses.count, 200, "distinct diagnoses")
        XCTAssertGreaterThanOrEqual(drugs.count, 150, "distinct drugs")
        print("variety over 2000 discharge records: \(diagnoses.count) diagnoses, \(drugs.count) drugs")
    }

    func testEverySectionIsSometimesMissingAndSometimesPresent() {
        let records = SyntheticRecords.generate(task: .dischargeSummary, count: 1000, seed: 2)
        for (i, heading) in DocumentTask.dischargeSummary.headings.enumerated() where heading != "Diagnosis" {
            let missing = records.filter { $0.sections[i].text == PlainTextReference.notDocumented }.count
            XCTAssertGreaterThan(missing, 10, heading)
            XCTAssertLessThan(missing, 700, heading)
        }
    }

    func testNotesVaryTheirShorthand() {
        let inputs = SyntheticRecords.generate(task: .dischargeSummary, count: 1000, seed: 3).map(\.input)
        for marker in ["y/o", "yo ", "year-old", "adm ", "admitted", "c/o", "presents with", "Dx:", "Diagnosis:", "PMH:", "Hx:",
                       "Tx:", "Rx:", "Treated with", "D/c", "Discharged", "F/u", "Labs:", "µmol/L", "mg/dL", "x10^9/L", "\n"] {
            XCTAssertTrue(inputs.contains { $0.contains(marker) }, "no note uses '\(marker)'")
        }
    }

    func testSomeNotesHaveTyposOnlyOutsideFacts() {
        // A typo changes a connecting word; facts are checked verbatim elsewhere (FactTests).
        let connecting = ["presents", "presenting", "admitted", "complaining", "Treated", "Discharged", "Follow", "Review", "Started"]
        let inputs = SyntheticRecords.generate(task: .dischargeSummary, count: 2000, seed: 4).map(\.input)
        let typos = inputs.filter { input in
            input.split(whereSeparator: { !$0.isLetter }).contains { word in
                connecting.contains { w in w != word && w.count >= 5 && editDistance1(String(word), w) }
            }
        }
        XCTAssertGreaterThan(typos.count, 10)
    }

    func testDialoguesHaveSixToSixteenTurnsAndVariedLabels() {
        var labels = Set<String>()
        for r in SyntheticRecords.generate(task: .soapNote, count: 1000, seed: 5) {
            let lines = r.input.split(separator: "\n")
            XCTAssertTrue((6...16).contains(lines.count), "\(r.id): \(lines.count) turns")
            if let first = lines.first { labels.insert(first.hasPrefix("[") ? "[bracket]" : String(first.prefix { $0 != ":" })) }
        }
        for label in ["Doctor", "Dr", "D", "[bracket]", "Physician", "DOCTOR"] { XCTAssertTrue(labels.contains(label), label) }
        XCTAssertTrue(labels.contains { $0.hasPrefix("Dr. ") })
    }
}

/// True when `a` and `b` differ by one swap of neighbours, one dropped or one doubled letter.
func editDistance1(_ a: String, _ b: String) -> Bool {
    let x = Array(a), y = Array(b)
    if x.count == y.count {
        let diffs = x.indices.filter { x[$0] != y[$0] }
        return diffs.count == 2 && diffs[1] == diffs[0] + 1 && x[diffs[0]] == y[diffs[1]] && x[diffs[1]] == y[diffs[0]]
    }
    let (long, short) = x.count > y.count ? (x, y) : (y, x)
    guard long.count == short.count + 1 else { return false }
    for i in long.indices where Array(long[..<i] + long[(i + 1)...]) == short { return true }
    return false
}
