import ClinicalDocuments
import Foundation
import QuillApp
import SyntheticRecords
import XCTest

/// The training data and the pipeline agree on each task's sections: every section the pipeline requires is in
/// every synthetic reference and carried, with the reference's own text, into the training pair's completion.
final class TrainingDataCoversTaskSectionsTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func completion(_ line: String) throws -> String {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return try XCTUnwrap(object["completion"] as? String)
    }

    func testEveryRequiredSectionIsInEveryReferenceAndTrainingPair() throws {
        let template = try TrainingPairs.template(at: Self.repo.appendingPathComponent("models/demo").path)
        for task in DocumentTask.allCases {
            XCTAssertFalse(task.requiredSections.isEmpty, task.rawValue)
            for record in SyntheticRecords.generate(task: task, count: 40, seed: 2026) {
                let references = Dictionary(record.sections.map { ($0.heading, $0.text) }, uniquingKeysWith: { a, _ in a })
                let lines = try completion(try TrainingPairs.line(record, template: template)).split(separator: "\n").map(String.init)
                for spec in task.requiredSections {
                    let text = try XCTUnwrap(references[spec.heading], "\(record.id) has no \(spec.heading) section")
                    XCTAssertTrue(lines.contains("\(spec.heading): \(text)"), "\(record.id): \(spec.heading) is not carried into the completion")
                }
                XCTAssertEqual(lines.filter { line in task.headings.contains { line.hasPrefix($0 + ": ") } }.count, task.sections.count, record.id)
            }
        }
    }

    func testARecordMissingARequiredSectionIsRefusedNotFilledIn() throws {
        let template = try TrainingPairs.template(at: Self.repo.appendingPathComponent("models/demo").path)
        var record = SyntheticRecords.record(task: .dischargeSummary, seed: 7, index: 0)
        record.sections.removeAll { $0.heading == "Diagnosis" }
        XCTAssertThrowsError(try TrainingPairs.line(record, template: template)) { error in
            XCTAssertTrue("\(error)".contains("\"Diagnosis\"") && "\(error)".contains(record.id), "\(error)")
        }
        var renamed = SyntheticRecords.record(task: .soapNote, seed: 7, index: 0)
        renamed.sections[0].heading = "History"
        XCTAssertThrowsError(try TrainingPairs.line(renamed, template: template)) { error in
            XCTAssertTrue("\(error)".contains("\"History\" is not a section of a soap-note"), "\(error)")
        }
    }
}
