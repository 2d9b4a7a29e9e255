import Foundation
import LLM
@testable import LoRATraining
import Tokenizers
import XCTest

/// The JSONL forms become sequences with the loss where the ecosystem puts it, and a bad line is an error that
/// names the file and the line.
final class TrainingDataTests: XCTestCase {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/demo")

    var tokenizer: Tokenizer!
    var template: ChatTemplate!
    var folder: URL!

    override func setUpWithError() throws {
        tokenizer = try ModelFiles.tokenizer(at: Self.demo)
        template = try ModelFiles.chatTemplate(at: Self.demo)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("quill-training-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func file(_ lines: [String]) throws -> String {
        let url = folder.appendingPathComponent("data-\(UUID().uuidString).jsonl")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func labelled(_ e: TrainingExample) -> String { tokenizer.decode(e.labels.filter { $0 >= 0 }) }

    func testPromptCompletionLearnsTheCompletionAndTheEnd() throws {
        let data = try TrainingData(file: try file([#"{"prompt": "Summarise: cough for two days.", "completion": " Cough, 2 days."}"#]),
                                    tokenizer: tokenizer, template: template, maxLength: 512, vocabulary: 7232)
        let e = try XCTUnwrap(data.examples.first)
        let prompt = tokenizer.encode("Summarise: cough for two days.", parseSpecial: true)
        XCTAssertEqual(Array(e.ids.prefix(prompt.count)), prompt)
        XCTAssertTrue(e.labels.prefix(prompt.count).allSatisfy { $0 == -100 })
        XCTAssertEqual(Array(e.labels.dropFirst(prompt.count)), Array(e.ids.dropFirst(prompt.count)))
        XCTAssertEqual(e.ids.last, tokenizer.eosTokenIds.first)
        XCTAssertEqual(data.sha256.count, 64)
    }

    func testMessagesLearnOnlyTheAssistantTurns() throws {
        let line = #"{"messages": [{"role": "system", "content": "You write notes."}, {"role": "user", "content": "Fever."}, {"role": "assistant", "content": "Pyrexia."}, {"role": "user", "content": "And cough?"}, {"role": "assistant", "content": "Cough noted."}]}"#
        let data = try TrainingData(file: try file([line]), tokenizer: tokenizer, template: template, maxLength: 512, vocabulary: 7232)
        let e = try XCTUnwrap(data.examples.first)
        let text = labelled(e)
        XCTAssertTrue(text.contains("Pyrexia.") && text.contains("Cough noted."), text)
        XCTAssertFalse(text.contains("Fever") || text.contains("And cough") || text.contains("You write notes"), text)
        // Every labelled token is the token at its place (labels are ids, not shifted).
        for (id, label) in zip(e.ids, e.labels) where label >= 0 { XCTAssertEqual(id, label) }
        // The whole conversation is the template's rendering of it.
        XCTAssertEqual(e.ids, try tokenizer.encodeChat(
            [ChatMessage(role: "system", content: "You write notes."), ChatMessage(role: "user", content: "Fever."),
             ChatMessage(role: "assistant", content: "Pyrexia."), ChatMessage(role: "user", content: "And cough?"),
             ChatMessage(role: "assistant", content: "Cough noted.")], template: template, addGenerationPrompt: false))
    }

    func testRawTextIsPackedIntoBlocksWithTheLossEverywhere() throws {
        let lines = (1...6).map { #"{"text": "Ward round \#($0): patient comfortable, observations stable, plan unchanged."}"# }
        let data = try TrainingData(file: try file(lines), tokenizer: tokenizer, template: template, maxLength: 32, vocabulary: 7232)
        let all = lines.flatMap { l -> [Int] in
            let t = try! JSONSerialization.jsonObject(with: Data(l.utf8)) as! [String: String]
            return tokenizer.encode(t["text"]!) + [tokenizer.eosTokenIds[0]]
        }
        XCTAssertEqual(data.examples.flatMap(\.ids), all)
        XCTAssertTrue(data.examples.dropLast().allSatisfy { $0.ids.count == 32 })
        XCTAssertTrue(data.examples.allSatisfy { $0.ids == $0.labels })
    }

    func testBadLinesAreErrorsNamingFileAndLine() throws {
        let cases: [(String, String)] = [
            ("{not json", "not a JSON object"),
            (#"{"prompt": "x"}"#, "expected"),
            (#"{"prompt": "x", "completion": ""}"#, "completion is empty"),
            (#"{"messages": [{"role": "user", "content": "x"}]}"#, "no assistant turn"),
            (#"{"messages": [{"role": "user"}]}"#, "message 1 needs string role and content"),
        ]
        for (line, reason) in cases {
            let path = try file([#"{"prompt": "a", "completion": "b"}"#, line])
            XCTAssertThrowsError(try TrainingData(file: path, tokenizer: tokenizer, template: template, maxLength: 64, vocabulary: 7232)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("\(path): line 2: ") && text.contains(reason), text)
            }
        }
    }

    func testTokenizedRecordsAreTakenAsTheyAreAndIdsAreChecked() throws {
        let data = try TrainingData(file: try file([#"{"input_ids": [5, 6, 7, 8], "labels": [-100, -100, 7, 8]}"#, #"{"input_ids": [9, 10]}"#]),
                                    tokenizer: nil, template: nil, maxLength: 64, vocabulary: 7232)
        XCTAssertEqual(data.examples.map(\.ids), [[5, 6, 7, 8], [9, 10]])
        XCTAssertEqual(data.examples.map(\.labels), [[-100, -100, 7, 8], [9, 10]])
        for (line, reason) in [(#"{"input_ids": [5, 7232]}"#, "token id 7232 is outside the model's vocabulary (0..<7232)"),
                               (#"{"input_ids": [5, 6], "labels": [1]}"#, "one per input id"),
                               (#"{"text": "no tokenizer"}"#, "needs the model's tokenizer")] {
            let path = try file([line])
            XCTAssertThrowsError(try TrainingData(file: path, tokenizer: nil, template: nil, maxLength: 64, vocabulary: 7232)) {
                XCTAssertTrue("\($0)".hasPrefix("\(path): line 1: ") && "\($0)".contains(reason), "\($0)")
            }
        }
    }

    func testARecordWithNoCompletionWithinMaxLengthIsReportedNotSilentlyLost() throws {
        let long = String(repeating: "history of present illness ", count: 40)
        let data = try TrainingData(file: try file([#"{"prompt": "\#(long)", "completion": "x"}"#, #"{"prompt": "a", "completion": "b"}"#]),
                                    tokenizer: tokenizer, template: template, maxLength: 16, vocabulary: 7232)
        XCTAssertEqual(data.dropped, [1])
        XCTAssertEqual(data.examples.map(\.line), [2])
    }
}
