import XCTest
import LLM

/// q8 and q4 against transformers' fp32 logits. Both weights and activations are rounded (int8 activations
/// per 32-value block feed the integer kernels), and these random tiny models (weights std 0.12, logits
/// std ~1.0) amplify rounding far more than trained ones. Measured max abs differences on the three models:
/// q8 0.090–0.119, q4 0.84–1.81; the tolerances below are those with a 1.5x margin.
final class QuantizedModelTests: XCTestCase {
    let tolerance: [WeightFormat: Float] = [.q8_0: 0.18, .q4_0: 2.7]

    func check(_ name: String, _ format: WeightFormat) throws -> Float {
        let ref = try EngineFixtures.reference(name)
        let model = try LanguageModel.load(folder: EngineFixtures.folder(name), format: format)
        XCTAssertEqual(model.format, format)
        let session = InferenceSession(model: model, contextLength: 64, threads: 2)
        let logits = try session.forward(ref.input_ids)
        let d = maxAbsDifference(logits, ref.last_logits)
        print("\(name) \(format.rawValue) last-position logits: max abs difference \(d)")
        XCTAssertLessThan(d, tolerance[format]!, "\(name) \(format)")
        // One token at a time runs the mat-vec kernels (int8 activations) instead of the batched kernel
        // (bf16 activations where the CPU has them): a different rounding, held to the same tolerance.
        session.reset()
        var step: [Float] = []
        for id in ref.input_ids { step = try session.forward([id]) }
        let ds = maxAbsDifference(step, ref.last_logits)
        print("\(name) \(format.rawValue) token-by-token logits: max abs difference \(ds)")
        XCTAssertLessThan(ds, tolerance[format]!, "\(name) \(format): mat-vec path")
        return d
    }

    func testQ8WithinMeasuredTolerance() throws {
        for name in ["qwen2-tiny", "qwen2-tiny-f32", "llama-tiny"] { _ = try check(name, .q8_0) }
    }

    func testQ4WithinMeasuredTolerance() throws {
        for name in ["qwen2-tiny", "qwen2-tiny-f32", "llama-tiny"] { _ = try check(name, .q4_0) }
    }

    func testQ8GreedyFollowsReferenceWhileMarginIsWide() throws {
        let ref = try EngineFixtures.reference("llama-tiny")
        let model = try LanguageModel.load(folder: EngineFixtures.folder("llama-tiny"), format: .q8_0)
        let session = InferenceSession(model: model, contextLength: 64, threads: 1)
        let ids = try greedy(session, prompt: ref.input_ids, count: 4)
        XCTAssertEqual(ids, Array(ref.greedy_ids.prefix(4)))
    }

    func testQuantizedAdapterStillApplies() throws {
        let ref = try EngineFixtures.reference("qwen2-tiny-lora")
        let model = try LanguageModel.load(folder: EngineFixtures.folder("qwen2-tiny"), format: .q8_0)
        let session = InferenceSession(model: model, contextLength: 64, threads: 2)
        session.adapter = try LoRAAdapter.load(folder: EngineFixtures.folder("qwen2-tiny-lora"), for: model.config)
        XCTAssertLessThan(maxAbsDifference(try session.forward(ref.input_ids), ref.last_logits), 0.18)
    }
}
