import XCTest
import LLM

/// PEFT adapters against PEFT: unmerged (hot-swappable) and merged, plain scaling and rsLoRA.
final class LoRATests: XCTestCase {
    func check(adapter name: String, base: String) throws {
        let ref = try EngineFixtures.reference(name)
        let model = try LanguageModel.load(folder: EngineFixtures.folder(base), format: .f32)
        let adapter = try LoRAAdapter.load(folder: EngineFixtures.folder(name), for: model.config)
        let session = InferenceSession(model: model, contextLength: 64, threads: 2)
        session.adapter = adapter

        let d = maxAbsDifference(try session.forward(ref.input_ids), ref.last_logits)
        print("\(name) unmerged f32 logits: max abs difference \(d)")
        XCTAssertLessThan(d, 1e-4)
        XCTAssertEqual(try greedy(session, prompt: ref.input_ids, count: ref.greedy_ids.count), ref.greedy_ids)

        // Swapping the adapter out gives the base model back, with no reload.
        session.adapter = nil; session.reset()
        let baseRef = try EngineFixtures.reference(base)
        XCTAssertLessThan(maxAbsDifference(try session.forward(baseRef.input_ids), baseRef.last_logits), 1e-4)

        // Merged into the weights.
        let merged = InferenceSession(model: model.merging(adapter), contextLength: 64, threads: 2)
        let dm = maxAbsDifference(try merged.forward(ref.input_ids), ref.merged?.last_logits ?? ref.last_logits)
        print("\(name) merged f32 logits: max abs difference \(dm)")
        XCTAssertLessThan(dm, 1e-4)
        XCTAssertEqual(try greedy(merged, prompt: ref.input_ids, count: ref.greedy_ids.count), ref.merged?.greedy_ids ?? ref.greedy_ids)
    }

    func testAllSevenProjectionsOnQwen2MatchPEFT() throws { try check(adapter: "qwen2-tiny-lora", base: "qwen2-tiny") }
    func testRSLoRAOnLlamaMatchesPEFT() throws { try check(adapter: "llama-tiny-lora-rslora", base: "llama-tiny") }

    func testAdapterForAnotherShapeIsRefusedNamingTheTensor() throws {
        let llama = try LanguageModel.load(folder: EngineFixtures.folder("llama-tiny"), format: .f32)
        XCTAssertThrowsError(try LoRAAdapter.load(folder: EngineFixtures.folder("qwen2-tiny-lora"), for: llama.config)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("adapter_model.safetensors") && text.contains("lora_"), text)
        }
    }

    /// The same adapter on the same model stored as a llama GGUF (q/k rows permuted for adjacent-pair rotation)
    /// would be silently wrong on q and k: it is refused, naming the tensor.
    func testAQOrKAdapterOnAPermutedLlamaGGUFIsRefused() throws {
        var config = try LanguageModel.load(folder: EngineFixtures.folder("llama-tiny"), format: .f32).config
        XCTAssertNoThrow(try LoRAAdapter.load(folder: EngineFixtures.folder("llama-tiny-lora-rslora"), for: config))
        config.rope.adjacentPairs = true
        XCTAssertThrowsError(try LoRAAdapter.load(folder: EngineFixtures.folder("llama-tiny-lora-rslora"), for: config)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("adapter_model.safetensors") && text.contains("permuted"), text)
        }
    }
}
