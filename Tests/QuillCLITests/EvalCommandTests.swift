import Foundation
import XCTest

/// `quill eval --outputs` is how transformers' outputs and Quill's are compared: its scores must be the ones
/// worked out by hand for a small case.
final class EvalCommandTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var quill: URL {
        let bundle = Bundle(for: EvalCommandTests.self).bundleURL
        let beside = bundle.appendingPathComponent("quill")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : bundle.deletingLastPathComponent().appendingPathComponent("quill")
    }

    func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    func testOutputsAreScoredAsComputedByHand() throws {
        let input = "[doctor] What brings you in?\n[patient] I have had a cough for 3 days.\n"
            + "[doctor] Your blood pressure is 120/80. I think it is bronchitis. Rest."
        let reference = "SOAP note\nPatient: male, 40 years\nSubjective: Cough for 3 days.\nObjective: BP 120/80.\n"
            + "Assessment: Bronchitis.\nPlan: Rest.\n"
        let facts = ["Cough", "3 days", "120/80", "Bronchitis"]
        let records = try [["id": "a", "task": "soap-note", "input": input, "reference": reference, "facts": facts],
                           ["id": "b", "task": "soap-note", "input": input, "reference": reference, "facts": facts]].map(json)
        // Record a: "3" becomes "5" and "and fluids" is added. Reference tokens (model part): subjective cough for 3
        // days objective bp 120 80 assessment bronchitis plan rest (13); output: the same with 5 for 3, plus "and
        // fluids" (15); LCS 12. P = 12/15, R = 12/13, F1 = 24/28. Facts found: 3 of 4 ("3 days" is missing).
        // Unsupported: "5 days". Fact check: quantity "5 days", term "fluids". Record b repeats the reference.
        let outputs = try [["id": "a", "task": "soap-note",
                            "output": "Subjective: Cough for 5 days.\nObjective: BP 120/80.\nAssessment: Bronchitis.\nPlan: Rest and fluids."],
                           ["id": "b", "task": "soap-note",
                            "output": "Subjective: Cough for 3 days.\nObjective: BP 120/80.\nAssessment: Bronchitis.\nPlan: Rest."]].map(json)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quill-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.jsonl"), out = folder.appendingPathComponent("outputs.jsonl")
        try (records.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
        try (outputs.joined(separator: "\n") + "\n").write(to: out, atomically: true, encoding: .utf8)

        let p = Process()
        p.executableURL = quill
        p.currentDirectoryURL = Self.repo
        p.arguments = ["eval", "--task", "soap", "--data", data.path, "--outputs", out.path, "--json"]
        let pipe = Pipe(), err = Pipe()
        p.standardOutput = pipe; p.standardError = err
        try p.run()
        let o = pipe.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: e, as: UTF8.self))
        let r = try XCTUnwrap(JSONSerialization.jsonObject(with: o) as? [String: Any])
        XCTAssertEqual(r["records"] as? Int, 2)
        XCTAssertEqual(try XCTUnwrap(r["rouge_l_f1"] as? Double), (24.0 / 28 + 1) / 2, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r["fact_recall"] as? Double), (0.75 + 1) / 2, accuracy: 1e-12)
        XCTAssertEqual(r["unsupported_fact_rate"] as? Double, 0.5)
        XCTAssertEqual(r["unsupported_facts_mean"] as? Double, 0.5)
        XCTAssertEqual(r["fact_check_finding_rate"] as? Double, 0.5)
        XCTAssertEqual(r["fact_check_review_rate"] as? Double, 0.5)
        XCTAssertEqual(r["fact_check_findings"] as? [String: Int], ["quantity": 1, "date": 0, "medication": 0, "term": 1])
        XCTAssertNil(r["speed"], "outputs generated elsewhere have no Quill timing")
    }

    func testMissingOutputsAreAnError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quill-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.jsonl"), out = folder.appendingPathComponent("outputs.jsonl")
        try (json(["id": "a", "task": "soap-note", "input": "[doctor] Hi.\n[patient] Hello.", "reference": "SOAP note\n", "facts": []]) + "\n")
            .write(to: data, atomically: true, encoding: .utf8)
        try "".write(to: out, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = quill
        p.currentDirectoryURL = Self.repo
        p.arguments = ["eval", "--task", "soap", "--data", data.path, "--outputs", out.path]
        p.standardOutput = Pipe(); p.standardError = Pipe()
        try p.run(); p.waitUntilExit()
        XCTAssertNotEqual(p.terminationStatus, 0)
    }
}
