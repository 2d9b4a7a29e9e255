import Foundation
import GGUF
import LLM
import XCTest

/// The real files of `make models` (docs/MODELS.md). Skipped, saying so, when they have not been fetched.
/// Where a file holds a type Quill has no kernel for yet, loading must fail naming the tensor and the type;
/// once every type has its kernel, the same test checks that the whole file loads.
final class GGUFRealModelTests: XCTestCase {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("models")

    func file(_ name: String) throws -> URL {
        let url = Self.models.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("\(url.path) is absent: run `make models` to fetch the real GGUF models")
        }
        return url
    }

    /// Loads the model, or checks the refusal names the first matrix whose type has no kernel.
    func loadOrCheckRefusal(_ url: URL, _ gguf: GGUFFile) throws -> LanguageModel? {
        let missing = gguf.tensors.filter { $0.dimensions.count == 2 && WeightFormat(ggmlType: $0.type) == nil }
        if missing.isEmpty { return try LanguageModel.load(folder: url, format: .q8_0) }
        XCTAssertThrowsError(try LanguageModel.load(folder: url, format: .q8_0)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(url.path) && text.contains("no kernel"), text)
            XCTAssertTrue(missing.contains { text.contains("'\($0.name)'") && text.contains("\($0.type)") }, text)
        }
        return nil
    }

    func testSmolLM2Q4_1() throws {
        let url = try file("smollm2-135m-instruct-q4_1.gguf")
        let gguf = try GGUFFile(path: url.path)
        XCTAssertEqual(gguf.tensors.count, 272)
        let c = try ModelConfig(gguf: gguf)
        XCTAssertEqual([c.layers, c.hidden, c.heads, c.kvHeads, c.headDim, c.intermediate, c.vocabulary], [30, 576, 9, 3, 64, 1536, 49152])
        XCTAssertTrue(c.tieWordEmbeddings)
        XCTAssertTrue(c.rope.adjacentPairs)
        XCTAssertEqual(c.rope.theta, 100_000)
        XCTAssertEqual(c.maxPositions, 8192)
        XCTAssertEqual(gguf.tensor("token_embd.weight")?.type, .q8_0)
        XCTAssertEqual(gguf.tensor("blk.0.attn_q.weight")?.type, .q4_1)
        let vocabulary = try ModelFiles.vocabulary(of: gguf)
        XCTAssertEqual(vocabulary.model, "gpt2"); XCTAssertEqual(vocabulary.preTokenizer, "smollm")
        XCTAssertEqual(vocabulary.tokens.count, 49152)
        XCTAssertNotNil(vocabulary.chatTemplate)
        if let model = try loadOrCheckRefusal(url, gguf) {
            XCTAssertTrue(model.lmHead === model.embedding)
        }
    }

    func testQwen25Coder05B() throws {
        let url = try file("qwen2.5-coder-0.5b-instruct.gguf")
        let gguf = try GGUFFile(path: url.path)
        XCTAssertEqual(gguf.tensors.count, 291)
        let c = try ModelConfig(gguf: gguf)
        XCTAssertEqual([c.layers, c.hidden, c.heads, c.kvHeads, c.headDim, c.intermediate, c.vocabulary], [24, 896, 14, 2, 64, 4864, 151936])
        XCTAssertFalse(c.tieWordEmbeddings)
        XCTAssertFalse(c.rope.adjacentPairs)
        XCTAssertEqual(c.rope.theta, 1_000_000)
        // Its Q8_0 output matrix is usable as it lies in the file.
        let output = try XCTUnwrap(gguf.tensor("output.weight"))
        XCTAssertEqual(output.type, .q8_0); XCTAssertEqual(output.dimensions, [896, 151936])
        XCTAssertEqual(output.byteCount, 151936 * 28 * 34)
        let types = Set(gguf.tensors.map(\.type))
        XCTAssertEqual(types, [.f32, .q5_0, .q8_0, .q4_K, .q6_K])
        let vocabulary = try ModelFiles.vocabulary(of: gguf)
        XCTAssertEqual(vocabulary.preTokenizer, "qwen2")
        XCTAssertEqual(vocabulary.merges?.isEmpty, false)
        _ = try loadOrCheckRefusal(url, gguf)
    }

    func testQwen25Coder15BQ4KM() throws {
        let url = try file("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
        let gguf = try GGUFFile(path: url.path)
        XCTAssertEqual(gguf.tensors.count, 339)
        let c = try ModelConfig(gguf: gguf)
        XCTAssertEqual([c.layers, c.hidden, c.heads, c.kvHeads, c.headDim, c.intermediate, c.vocabulary], [28, 1536, 12, 2, 128, 8960, 151936])
        XCTAssertEqual(Set(gguf.tensors.map(\.type)), [.f32, .q4_K, .q6_K])
        if let model = try loadOrCheckRefusal(url, gguf) {
            // Q4_K_M: most matrix bytes are Q4_K; the Q6_K ones keep their own format.
            XCTAssertEqual(model.format, WeightFormat(ggmlType: .q4_K))
            XCTAssertEqual(model.lmHead.format, WeightFormat(ggmlType: .q6_K))
        }
    }
}
