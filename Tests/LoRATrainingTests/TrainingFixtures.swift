import Foundation
import LLM
@testable import LoRATraining
import XCTest

/// The fixtures of tools/fixtures/make_lora_training_fixtures.py: tiny bases, their initial PEFT adapters and
/// transformers + PEFT's float64 losses, gradients and adapters after AdamW steps.
enum TrainingFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("\(name).json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func model(_ file: String) throws -> LanguageModel {
        try LanguageModel.load(folder: folder.appendingPathComponent(file), format: .f32)
    }

    static func adapter(_ name: String, for model: LanguageModel) throws -> LoRAAdapter {
        try LoRAAdapter.load(folder.appendingPathComponent("\(name)-adapter"), for: model.config)
    }

    static func examples(_ fixture: [String: Any]) throws -> [TrainingExample] {
        let seqs = try XCTUnwrap(fixture["sequences"] as? [[String: Any]])
        return try seqs.enumerated().map { i, s in
            TrainingExample(ids: try XCTUnwrap(s["ids"] as? [Int]), labels: try XCTUnwrap(s["labels"] as? [Int]), line: i + 1)
        }
    }

    /// PEFT's tensors by module path ("model.layers.0.self_attn.q_proj") and "A" / "B".
    static func tensors(_ object: Any?) throws -> [String: [String: [Double]]] {
        let raw = try XCTUnwrap(object as? [String: [String: [Any]]])
        return raw.mapValues { $0.mapValues { $0.map { ($0 as? NSNumber)?.doubleValue ?? .nan } } }
    }

    /// B (or its gradient) in Hugging Face's row order: a llama GGUF base holds q/k rows permuted.
    static func hfOrder(_ values: [Float], _ m: LoRAParameters.Module, _ config: ModelConfig) -> [Float] {
        guard config.rope.adjacentPairs, m.projection == .q || m.projection == .k else { return values }
        return LlamaRowPermutation.unpermute(values, rows: m.outputs, columns: m.rank, heads: m.projection == .q ? config.heads : config.kvHeads)
    }

    /// max |quill − reference| / max |reference| over one tensor.
    static func relativeError(_ quill: [Float], _ reference: [Double]) -> Double {
        precondition(quill.count == reference.count)
        var diff = 0.0, scale = 0.0
        for (q, r) in zip(quill, reference) { diff = max(diff, abs(Double(q) - r)); scale = max(scale, abs(r)) }
        return diff / max(scale, 1e-30)
    }

    static func maxAbsoluteError(_ quill: [Float], _ reference: [Double]) -> Double {
        zip(quill, reference).map { abs(Double($0) - $1) }.max() ?? 0
    }

    /// Loss and gradients of one step over `examples` from `lora`'s current pairs (no dropout).
    static func lossAndGradients(_ model: LanguageModel, _ lora: LoRAParameters, _ examples: [TrainingExample]) -> Double {
        let g = DecoderGradients(model: model, lora: lora, dropout: 0, threads: 1)
        let labelled = examples.reduce(0) { $0 + $1.labelCount }
        lora.zeroGradients()
        var loss = 0.0
        for e in examples { loss += g.run(ids: e.ids, labels: e.labels, lossScale: 1 / Float(labelled), dropoutSeed: nil).loss }
        return loss / Double(labelled)
    }
}
