import Foundation
import LLM
import XCTest

/// A GGUF file and a Hugging Face folder holding the same random weights (tools/fixtures/make_gguf_model_fixtures.py)
/// give the same logits: llama with its Q/K rows permuted as llama.cpp's converter stores them and tied embeddings,
/// qwen2 with q/k/v biases and a separate output matrix; F32 and Q8_0 (used in place, no quantizing at load).
final class GGUFModelTests: XCTestCase {
    static let folder = EngineFixtures.root.appendingPathComponent("gguf")
    let prompt = [1, 7, 42, 3, 64, 11, 90, 5, 17, 33]

    func compare(_ arch: String, _ type: String, _ format: WeightFormat, tolerance: Float) throws {
        let gguf = try LanguageModel.load(folder: Self.folder.appendingPathComponent("\(arch)-\(type).gguf"), format: .f32)
        let hf = try LanguageModel.load(folder: Self.folder.appendingPathComponent("\(arch)-st"), format: format)
        XCTAssertEqual(gguf.format, format)
        XCTAssertEqual(gguf.architecture.name, hf.architecture.name)
        for key in [\ModelConfig.hidden, \.intermediate, \.layers, \.heads, \.kvHeads, \.headDim, \.vocabulary] {
            XCTAssertEqual(gguf.config[keyPath: key], hf.config[keyPath: key])
        }
        XCTAssertEqual(gguf.config.rmsNormEps, hf.config.rmsNormEps)
        XCTAssertEqual(gguf.config.rope.theta, hf.config.rope.theta)
        XCTAssertEqual(gguf.config.tieWordEmbeddings, hf.config.tieWordEmbeddings)
        XCTAssertEqual(gguf.lmHead === gguf.embedding, hf.config.tieWordEmbeddings)
        XCTAssertEqual(gguf.layers[0].qBias != nil, arch == "qwen2")

        let a = InferenceSession(model: gguf, contextLength: 32, threads: 2)
        let b = InferenceSession(model: hf, contextLength: 32, threads: 2)
        let batch = maxAbsDifference(try a.forward(prompt, allLogits: true), try b.forward(prompt, allLogits: true))
        a.reset(); b.reset()
        var stepwise: Float = 0
        for id in prompt { stepwise = max(stepwise, maxAbsDifference(try a.forward([id]), try b.forward([id]))) }
        print("\(arch) \(type): GGUF vs safetensors max abs logit difference \(batch) (batch), \(stepwise) (token by token)")
        XCTAssertLessThanOrEqual(batch, tolerance, "\(arch) \(type) batch")
        XCTAssertLessThanOrEqual(stepwise, tolerance, "\(arch) \(type) token by token")
    }

    func testLlamaF32WithPermutedQK() throws { try compare("llama", "f32", .f32, tolerance: 1e-4) }
    func testLlamaQ8_0() throws { try compare("llama", "q8_0", .q8_0, tolerance: 1e-4) }
    func testQwen2F32WithBiases() throws { try compare("qwen2", "f32", .f32, tolerance: 1e-4) }
    func testQwen2Q8_0() throws { try compare("qwen2", "q8_0", .q8_0, tolerance: 1e-4) }

    func testATypeWithoutAKernelIsNamed() {
        let url = Self.folder.appendingPathComponent("llama-iq4_nl-tensor.gguf")
        XCTAssertThrowsError(try LanguageModel.load(folder: url, format: .q8_0)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(url.path) && text.contains("blk.1.ffn_up.weight") && text.contains("iq4_nl"), text)
        }
    }

    func testTheFileHasNoTokenizerSaysSo() {
        let url = Self.folder.appendingPathComponent("llama-f32.gguf")
        XCTAssertThrowsError(try ModelFiles.tokenizer(at: url)) { error in
            XCTAssertTrue("\(error)".contains("tokenizer.ggml.model"), "\(error)")
        }
    }
}
