import Foundation
import QuillApp
import XCTest

/// A corpus record becomes the pair the daemon's prompt code would make; a broken record is refused naming
/// the file, the line and what is wrong.
final class CorpusPairsTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let templatePath = repo.appendingPathComponent("tools/demo-model/chat_template.jinja").path

    func record(_ sections: [String: String]) throws -> String {
        let object: [String: Any] = ["id": "r1", "task": "soap_note", "input_name": "r1.dialogue.txt",
                                     "input": "Doctor: What brings you in?\nPatient: A cough for two days.\nDoctor: Any fever?\nPatient: No.",
                                     "sections": sections]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func testARecordBecomesThePromptAndTheSectionLines() throws {
        let line = try record(["Subjective": "Cough for two days, no fever.", "Objective": "Not documented.",
                               "Assessment": "Not documented.", "Plan": "Not documented."])
        let pair = try CorpusPairs.pair(line: line, number: 1, file: "c.jsonl", template: try TrainingPairs.template(at: Self.templatePath))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(pair.utf8)) as? [String: String])
        XCTAssertEqual(object["task"], "soap-note")
        XCTAssertTrue(try XCTUnwrap(object["prompt"]).contains("Doctor: What brings you in?\nPatient: A cough for two days."))
        // The demo template opens a thought; the completion closes it at once, then the four lines in order.
        XCTAssertEqual(object["completion"], "</think>\n\nSubjective: Cough for two days, no fever.\nObjective: Not documented.\nAssessment: Not documented.\nPlan: Not documented.")
    }

    func testBrokenRecordsAreRefusedNamingFileAndLine() throws {
        let t = try TrainingPairs.template(at: Self.templatePath)
        let cases: [(String, String)] = [
            (try record(["Subjective": "x"]), "no \"Objective\" section"),
            (try record(["Subjective": "x", "Objective": "x", "Assessment": "x", "Plan": "x", "Diagnosis": "x"]), "\"Diagnosis\" is not a section"),
            (try record(["Subjective": "two\nlines", "Objective": "x", "Assessment": "x", "Plan": "x"]), "holds a line break"),
            ("{not json", "not a record"),
        ]
        for (line, expected) in cases {
            XCTAssertThrowsError(try CorpusPairs.pair(line: line, number: 7, file: "c.jsonl", template: t)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("c.jsonl, line 7: ") && text.contains(expected), text)
            }
        }
    }
}
