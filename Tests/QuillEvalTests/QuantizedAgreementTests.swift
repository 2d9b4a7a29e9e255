import Foundation
import LLM
import QuillEval
import QuillPipeline
import Tokenizers
import XCTest

/// q4 and q8 against the original f32 demo model, on the hand-written notes and dialogues (text it never saw):
/// each document's prompt as the pipeline builds it, followed by the f32 model's own greedy output, read by both
/// models; at each position, do they rank the next token alike? Figures in docs/PERFORMANCE.md ("q4 accuracy").
final class QuantizedAgreementTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Each hand-written document's prompt and the f32 model's greedy output for it (96 tokens at most).
    static func sequences(_ folder: URL, original: InferenceSession) throws -> [(ids: [Int], promptCount: Int)] {
        let tokenizer = try Tokenizer(modelFolder: folder), template = try ChatTemplate(modelFolder: folder)
        let set = try HandwrittenSet.load(folder: repo.appendingPathComponent("eval/handwritten"))
        return try set.cases.map { c in
            let prompt = try ClinicalPrompt.encode(task: c.task, documentText: ClinicalPrompt.documentText(try set.document(for: c)),
                                                   tokenizer: tokenizer, template: template).ids
            let written = try QuantizationAgreement.greedy(original, prompt: prompt, count: 96, stop: Set(tokenizer.eosTokenIds))
            return (prompt + written, prompt.count)
        }
    }

    func testQuantizedModelsRankTheNextTokenAsTheOriginalDoes() throws {
        let folder = Self.repo.appendingPathComponent("models/demo")
        let original = InferenceSession(model: try LanguageModel.load(folder: folder, format: .f32), contextLength: 2048, threads: 2)
        let sequences = try Self.sequences(folder, original: original)
        for format in [WeightFormat.q4_0, .q8_0] {
            let quantized = InferenceSession(model: try LanguageModel.load(folder: folder, format: format), contextLength: 2048, threads: 2)
            var reading = QuantizationAgreement(), writing = QuantizationAgreement()
            for s in sequences {
                try reading.add(original: original, quantized: quantized, ids: Array(s.ids.prefix(s.promptCount)))
                // The positions whose next token is one the model wrote: the last prompt position onwards.
                try writing.add(original: original, quantized: quantized, ids: s.ids, from: s.promptCount - 1)
            }
            for (what, a) in [("reading the documents", reading), ("writing the outputs", writing)] {
                print(String(format: "demo %@ vs f32, %@: %d positions, top-1 %.4f, top-5 overlap %.4f, f32 top-1 in top 5 %.4f",
                             format.rawValue, what, a.positions, a.top1Rate, a.top5OverlapRate, a.top1InTop5Rate))
            }
            let floor = Self.floors[format]!
            XCTAssertGreaterThan(reading.positions, 2000)
            for a in [reading, writing] {
                XCTAssertGreaterThanOrEqual(a.top1Rate, floor.top1, "\(format)")
                XCTAssertGreaterThanOrEqual(a.top1InTop5Rate, floor.top1InTop5, "\(format)")
            }
        }
    }

    /// A little under what was measured on 2026-12-02 (24 documents, 7051 reading and 1796 writing positions):
    /// q4 top-1 0.938 / 0.964, f32's top-1 in q4's top 5 0.9999 / 0.9994; q8 top-1 0.993 / 0.998, top 5 1.000.
    static let floors: [WeightFormat: (top1: Double, top1InTop5: Double)] = [
        .q4_0: (0.90, 0.995), .q8_0: (0.98, 0.999),
    ]
}
