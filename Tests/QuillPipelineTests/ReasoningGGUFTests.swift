import ClinicalDocuments
import Foundation
import LLM
import XCTest
@testable import QuillPipeline

/// A reasoning model as a GGUF file: the demo model (trained on DeepSeek-R1's chat template, whose generation
/// prompt opens `<think>`, and which writes a thought before its answer) converted by `quill lm convert`. From the
/// file alone Quill knows to let it think, holds the thought to its budget, and keeps every `<think>` out of the
/// outputs.
final class ReasoningGGUFTests: XCTestCase {
    static let gguf: URL? = {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("quill-demo-\(UUID().uuidString.prefix(8)).gguf")
        let demo = PipelineFixtures.repo.appendingPathComponent("models/demo")
        return (try? GGUFConversion.convert(folder: demo, format: .q8_0, output: out)).map { _ in out }
    }()

    func pipeline(reasoningTokens: Int) throws -> DocumentPipeline {
        let file = try XCTUnwrap(Self.gguf, "the demo model converts to GGUF")
        let limits = GenerationLimits(maxTokensPerSection: 48, maxReasoningTokens: reasoningTokens, maxNewTokens: 512)
        return try DocumentPipeline(modelFolder: file, quantization: .q8_0,
                                    settings: PipelineSettings(templatesFolder: PipelineFixtures.templates, formats: [.text, .fhir],
                                                               limits: limits, keepReasoning: true))
    }

    func process(_ pipeline: DocumentPipeline) throws -> PipelineResult {
        let document = try XCTUnwrap(readClinicalDocuments(at: PipelineFixtures.repo.appendingPathComponent("examples/discharge-note.txt")).first)
        return try pipeline.process(document, stem: "note", inputSHA256: "test", session: pipeline.makeSession(contextLength: 2048, threads: 2))
    }

    func assertNoThinkingIn(_ result: PipelineResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.note.sections.map(\.heading), DocumentTask.dischargeSummary.headings, file: file, line: line)
        for section in result.note.sections {
            XCTAssertFalse(section.text.contains("<think>") || section.text.contains("</think>"), section.text, file: file, line: line)
        }
        for output in result.files {
            let text = String(decoding: output.data, as: UTF8.self)
            XCTAssertFalse(text.contains("<think>") || text.contains("</think>"), output.name, file: file, line: line)
        }
    }

    func testTheGGUFFileAloneOpensTheThought() throws {
        let p = try pipeline(reasoningTokens: 128)
        let prompt = try ClinicalPrompt.encode(task: .dischargeSummary, documentText: "Admitted with pneumonia.", tokenizer: p.tokenizer, template: p.chatTemplate)
        XCTAssertTrue(prompt.opensThinking, "the GGUF's tokenizer.chat_template ends the prompt in <think>")
        let result = try process(p)
        XCTAssertNotNil(result.reasoning, "the thought is kept apart")
        assertNoThinkingIn(result)
    }

    /// A thought cut at its budget is closed by Quill, and the answer still has every section.
    func testAThoughtPastItsBudgetIsClosedAndStaysOut() throws {
        let result = try process(try pipeline(reasoningTokens: 3))
        XCTAssertLessThanOrEqual(result.note.generatedTokens, 3 + 8 * 48 + 8, "the thought stopped at 3 tokens")
        XCTAssertFalse(result.reasoning?.contains("</think>") ?? false)
        assertNoThinkingIn(result)
    }

    override class func tearDown() {
        if let gguf { try? FileManager.default.removeItem(at: gguf) }
    }
}
