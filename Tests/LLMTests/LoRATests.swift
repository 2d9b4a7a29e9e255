import XCTest
import LLM

/// PEFT adapters against PEFT: unmerged (hot-swappable) and merged, plain scaling and rsLoRA.
final class LoRATests: XCTestCase {
    /// The PEFT adapter `name` on `model` (its base, from a folder or a GGUF file) against PEFT's reference.
    func check(adapter name: String, base: String, model: LanguageModel, file: StaticString = #filePath, line: UInt = #line) throws {
        let ref = try EngineFixtures.reference(name)
        let adapter = try LoRAAdapter.load(folder: EngineFixtures.folder(name), for: model.config)
        let session = InferenceSession(model: model, contextLength: 64, threads: 2)
        session.adapter = adapter
        let source = model.folder.lastPathComponent

        let d = maxAbsDifference(try session.forward(ref.input_ids), ref.last_logits)
        print("\(name) on \(source) unmerged f32 logits: max abs difference \(d)")
        XCTAssertLessThan(d, 1e-4, file: file, line: line)
        XCTAssertEqual(try greedy(session, prompt: ref.input_ids, count: ref.greedy_ids.count), ref.greedy_ids, file: file, line: line)

        // Swapping the adapter out gives the base model back, with no reload.
        session.adapter = nil; session.reset()
        let baseRef = try EngineFixtures.reference(base)
        XCTAssertLessThan(maxAbsDifference(try session.forward(baseRef.input_ids), baseRef.last_logits), 1e-4, file: file, line: line)

        // Merged into the weights.
        let merged = InferenceSession(model: model.merging(adapter), contextLength: 64, threads: 2)
        let dm = maxAbsDifference(try merged.forward(ref.input_ids), ref.merged?.last_logits ?? ref.last_logits)
        print("\(name) on \(source) merged f32 logits: max abs difference \(dm)")
        XCTAssertLessThan(dm, 1e-4, file: file, line: line)
        XCTAssertEqual(try greedy(merged, prompt: ref.input_ids, count: ref.greedy_ids.count), ref.merged?.greedy_ids ?? ref.greedy_ids,
                       file: file, line: line)
    }

    func check(adapter name: String, base: String) throws {
        try check(adapter: name, base: base, model: LanguageModel.load(folder: EngineFixtures.folder(base), format: .f32))
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

    /// The same adapter on the same model stored as a llama GGUF, whose q/k rows are permuted for adjacent-pair
    /// rotation: lora_B of q and k is permuted as the converter permutes W (applied as trained, it moves the
    /// logits by about 1 from PEFT's).
    func testRSLoRAOnThePermutedLlamaGGUFMatchesPEFT() throws {
        let model = try LanguageModel.load(gguf: GGUFLoRAFixtures.base("llama-tiny"))
        XCTAssertTrue(model.config.rope.adjacentPairs)
        try check(adapter: "llama-tiny-lora-rslora", base: "llama-tiny", model: model)
    }

    /// Qwen2 GGUFs keep HF's row order: the adapter gives the same logits on the GGUF file as on its folder.
    func testAllSevenProjectionsOnTheQwen2GGUFMatchTheFolder() throws {
        let gguf = try LanguageModel.load(gguf: GGUFLoRAFixtures.base("qwen2-tiny"))
        XCTAssertFalse(gguf.config.rope.adjacentPairs)
        try check(adapter: "qwen2-tiny-lora", base: "qwen2-tiny", model: gguf)
        let folder = try LanguageModel.load(folder: EngineFixtures.folder("qwen2-tiny"), format: .f32)
        let ids = try EngineFixtures.reference("qwen2-tiny-lora").input_ids
        func logits(_ model: LanguageModel) throws -> [Float] {
            let session = InferenceSession(model: model, contextLength: 64, threads: 2)
            session.adapter = try LoRAAdapter.load(folder: EngineFixtures.folder("qwen2-tiny-lora"), for: model.config)
            return try session.forward(ids, allLogits: true)
        }
        let d = maxAbsDifference(try logits(gguf), try logits(folder))
        print("qwen2-tiny-lora on the GGUF vs on the folder, every position: max abs difference \(d)")
        XCTAssertLessThan(d, 1e-5)
    }
}
