import XCTest
@testable import LLM

/// llama.cpp's own LoRA adapter files (convert_lora_to_gguf.py) on GGUF and folder bases, against llama.cpp's
/// logits with the adapter applied and against PEFT's.
final class GGUFLoRATests: XCTestCase {
    /// Every position's logits of `adapter` on `model`, unmerged and merged.
    func logits(_ model: LanguageModel, adapter: LoRAAdapter, ids: [Int]) throws -> (unmerged: [Float], merged: [Float]) {
        let session = InferenceSession(model: model, contextLength: 64, threads: 2)
        session.adapter = adapter
        let merged = InferenceSession(model: model.merging(adapter), contextLength: 64, threads: 2)
        return (try session.forward(ids, allLogits: true), try merged.forward(ids, allLogits: true))
    }

    /// The bases alone: the GGUF files give their folders' transformers logits (llama-tiny's llama3 rope scaling
    /// through rope_freqs.weight, its q/k rows permuted).
    func testTheGGUFBasesMatchTheirFolders() throws {
        for base in ["llama-tiny", "qwen2-tiny"] {
            let ref = try EngineFixtures.reference(base)
            let model = try LanguageModel.load(gguf: GGUFLoRAFixtures.base(base))
            if base == "llama-tiny" {
                guard case .frequencyFactors = model.config.rope.scaling else { return XCTFail("\(model.config.rope.scaling)") }
            }
            let session = InferenceSession(model: model, contextLength: 64, threads: 2)
            let d = maxAbsDifference(try session.forward(ref.input_ids, allLogits: true), ref.all_logits.flatMap { $0 })
            print("\(base).gguf vs transformers on \(base), every position: max abs difference \(d)")
            XCTAssertLessThan(d, 1e-4, base)
        }
    }

    /// Each adapter file on its GGUF base gives llama.cpp's logits (its own reading of the same files).
    func testAdaptersOnTheirGGUFBasesMatchLlamaCpp() throws {
        for (name, ref) in try GGUFLoRAFixtures.reference().adapters.sorted(by: { $0.key < $1.key }) {
            let model = try LanguageModel.load(gguf: GGUFLoRAFixtures.base(ref.base))
            let adapter = try LoRAAdapter.load(GGUFLoRAFixtures.adapter(name), for: model.config)
            let (unmerged, merged) = try logits(model, adapter: adapter, ids: ref.input_ids)
            let expected = ref.all_logits.flatMap { $0 }
            let (d, dm) = (maxAbsDifference(unmerged, expected), maxAbsDifference(merged, expected))
            print("\(name).gguf on \(ref.base).gguf vs llama.cpp, every position: unmerged \(d), merged \(dm)")
            XCTAssertLessThan(d, 1e-4, name)
            XCTAssertLessThan(dm, 1e-4, name)
        }
    }

    /// On the GGUF base and on the folder base (whose llama q/k rows are HF's: lora_B's rows are put back), the
    /// converted adapters give PEFT's logits, the rsLoRA one once its scale is carried in alpha.
    func testAdaptersOnGGUFAndFolderBasesMatchPEFT() throws {
        for (name, peft, base) in [("qwen2-tiny-lora", "qwen2-tiny-lora", "qwen2-tiny"),
                                   ("llama-tiny-lora-rslora-folded", "llama-tiny-lora-rslora", "llama-tiny")] {
            let ref = try EngineFixtures.reference(peft)
            for model in [try LanguageModel.load(gguf: GGUFLoRAFixtures.base(base)),
                          try LanguageModel.load(folder: EngineFixtures.folder(base), format: .f32)] {
                let adapter = try LoRAAdapter.load(GGUFLoRAFixtures.adapter(name), for: model.config)
                let (unmerged, merged) = try logits(model, adapter: adapter, ids: ref.input_ids)
                let (d, dm) = (maxAbsDifference(unmerged, ref.all_logits.flatMap { $0 }), maxAbsDifference(merged, ref.all_logits.flatMap { $0 }))
                print("\(name).gguf on \(model.folder.lastPathComponent) vs PEFT, every position: unmerged \(d), merged \(dm)")
                XCTAssertLessThan(d, 1e-4, "\(name) on \(model.folder.path)")
                XCTAssertLessThan(dm, 1e-4, "\(name) on \(model.folder.path)")
            }
        }
    }

    /// convert_lora_to_gguf.py writes lora_alpha and drops use_rslora: llama.cpp (and Quill, reading the same file)
    /// scale by alpha / r = 16 / 8, not PEFT's 16 / √8, so the logits are not PEFT's.
    func testAnRSLoRAAdapterConvertedAsIsGetsAlphaOverRank() throws {
        let model = try LanguageModel.load(gguf: GGUFLoRAFixtures.base("llama-tiny"))
        let adapter = try LoRAAdapter.load(GGUFLoRAFixtures.adapter("llama-tiny-lora-rslora"), for: model.config)
        for pair in adapter.modules.values.flatMap(\.values) { XCTAssertEqual(pair.scale, 2, accuracy: 1e-6) }
        let folded = try LoRAAdapter.load(GGUFLoRAFixtures.adapter("llama-tiny-lora-rslora-folded"), for: model.config)
        for pair in folded.modules.values.flatMap(\.values) { XCTAssertEqual(pair.scale, 16 / Float(8).squareRoot(), accuracy: 1e-5) }
        let ref = try EngineFixtures.reference("llama-tiny-lora-rslora")
        let session = InferenceSession(model: model, contextLength: 64, threads: 2)
        session.adapter = adapter
        XCTAssertGreaterThan(maxAbsDifference(try session.forward(ref.input_ids), ref.last_logits), 0.1)
    }

    /// The GGUF adapter's q/k pairs are in llama.cpp's row order; loaded for a folder base they are put back in HF's,
    /// and so equal the PEFT adapter's own pairs.
    func testLlamaQKRowsArePutBackForAFolderBase() throws {
        let config = try LanguageModel.load(folder: EngineFixtures.folder("llama-tiny"), format: .f32).config
        let peft = try LoRAAdapter.load(folder: EngineFixtures.folder("llama-tiny-lora-rslora"), for: config)
        let gguf = try LoRAAdapter.load(GGUFLoRAFixtures.adapter("llama-tiny-lora-rslora-folded"), for: config)
        for (layer, pairs) in peft.modules {
            for (p, pair) in pairs {
                let other = try XCTUnwrap(gguf.pair(layer: layer, p))
                XCTAssertEqual(other.a, pair.a, "layer \(layer) \(p)")
                XCTAssertEqual(other.b, pair.b, "layer \(layer) \(p)")
            }
        }
    }

    func testRowPermutationIsTheConvertersAndItsInverse() {
        // 2 heads of 4 rows, width 1: per head [h0 h1 | h2 h3] (halves) → [h0 h2 h1 h3] (adjacent pairs).
        let rows: [Float] = [0, 1, 2, 3, 10, 11, 12, 13]
        XCTAssertEqual(LlamaRowPermutation.permute(rows, rows: 8, columns: 1, heads: 2), [0, 2, 1, 3, 10, 12, 11, 13])
        let wide = (0..<(3 * 8 * 5)).map(Float.init)
        XCTAssertEqual(LlamaRowPermutation.unpermute(LlamaRowPermutation.permute(wide, rows: wide.count / 5, columns: 5, heads: 3), rows: wide.count / 5, columns: 5, heads: 3), wide)
    }

    // MARK: refusals, naming the file and the tensor or key

    func assertRefused(_ adapter: URL, for config: ModelConfig, mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try LoRAAdapter.load(adapter, for: config), file: file, line: line) { error in
            let text = "\(error)"
            for w in [adapter.path] + words { XCTAssertTrue(text.contains(w), "'\(w)' not in: \(text)", file: file, line: line) }
        }
    }

    func testAnAdapterForAnotherShapeIsRefused() throws {
        // Same architecture, other shapes (4 heads of 16, 2 KV heads: v is [32, 64], not [16, 64]).
        let other = try LanguageModel.load(gguf: EngineFixtures.folder("gguf").appendingPathComponent("llama-f32.gguf")).config
        assertRefused(GGUFLoRAFixtures.adapter("llama-tiny-lora-rslora"), for: other, mentioning: [".weight.lora_"])
        // Another architecture.
        let llama = try LanguageModel.load(gguf: GGUFLoRAFixtures.base("llama-tiny")).config
        assertRefused(GGUFLoRAFixtures.adapter("qwen2-tiny-lora"), for: llama, mentioning: ["general.architecture", "qwen2"])
    }

    func testALoraAWithoutItsLoraBIsRefused() throws {
        let qwen2 = try LanguageModel.load(gguf: GGUFLoRAFixtures.base("qwen2-tiny")).config
        assertRefused(GGUFLoRAFixtures.adapter("qwen2-tiny-lora-without-b"), for: qwen2, mentioning: ["blk.1.ffn_down.weight.lora_b"])
    }

    func testAModelFileGivenAsAnAdapterIsRefused() throws {
        let base = try GGUFLoRAFixtures.base("qwen2-tiny")
        let qwen2 = try LanguageModel.load(gguf: base).config
        assertRefused(base, for: qwen2, mentioning: ["general.type", "not a LoRA adapter"])
    }
}
