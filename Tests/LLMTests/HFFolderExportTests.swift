import CommittedTestData
import Foundation
import GGUF
@testable import LLM
import Tokenizers
import XCTest

/// GGUF → Hugging Face folder: llama.cpp's own F32 files (Tests/Data/gguf) written as folders load in Quill with
/// the GGUF file's logits, Llama's Q/K permutation undone (the folder's q_proj is the original safetensors'), and
/// the tokenizer files tokenize as the GGUF vocabulary does.
final class HFFolderExportTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    func check(_ arch: String) throws {
        let gguf = try CommittedTestData.url("gguf/\(arch)-F32.gguf")
        let folder = scratch.appendingPathComponent(arch)
        let summary = try HFFolderExport.export(gguf: gguf, output: folder, dtype: .f32)
        XCTAssertTrue(summary.tokenizer)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [arch])

        let ids = LlamaCppLogitsTests.tokens[arch]!
        let a = InferenceSession(model: try LanguageModel.load(gguf: gguf), contextLength: 32, threads: 2)
        let b = InferenceSession(model: try LanguageModel.load(folder: folder, format: .f32), contextLength: 32, threads: 2)
        let d = maxAbsDifference(try a.forward(ids, allLogits: true), try b.forward(ids, allLogits: true))
        print("\(arch): GGUF F32 vs exported folder: max abs logit difference \(d)")
        // qwen2 is exact; llama differs by 2e-5 (logit std 5.8) because the GGUF path rotates adjacent pairs of
        // permuted rows and the folder path rotates halves: the same values summed in another order.
        XCTAssertLessThanOrEqual(d, arch == "llama" ? 1e-4 : 1e-5)
        // Against the original folder the exported one is exact (same bytes, same path).
        let c = InferenceSession(model: try LanguageModel.load(folder: try CommittedTestData.url("gguf/\(arch)-safetensors"), format: .f32),
                                 contextLength: 32, threads: 2)
        b.reset()
        XCTAssertEqual(try c.forward(ids, allLogits: true), try b.forward(ids, allLogits: true))

        // Every tensor equals the original Hugging Face folder's, byte for byte (F32): q_proj and k_proj un-permuted.
        let exported = try SafetensorsFile(path: folder.appendingPathComponent("model.safetensors").path)
        let original = try SafetensorsFile(path: try CommittedTestData.url("gguf/\(arch)-safetensors").appendingPathComponent("model.safetensors").path)
        XCTAssertEqual(Set(exported.tensors.keys), Set(original.tensors.keys))
        for (name, info) in original.tensors {
            let e = try XCTUnwrap(exported.tensors[name], name)
            XCTAssertEqual(e.shape, info.shape, name)
            XCTAssertEqual(Data(bytes: exported.bytes(of: e), count: e.byteCount), Data(bytes: original.bytes(of: info), count: info.byteCount), name)
        }

        let fromFolder = try Tokenizer(modelFolder: folder)
        let fromGGUF = try ModelFiles.tokenizer(at: gguf)
        for text in ["the quick brown fox", " a  b\nc", "tea hat heat", "<|im_start|>user\nhi<|im_end|>", "é ü 3.14"] {
            XCTAssertEqual(fromFolder.encode(text, addSpecialTokens: true, parseSpecial: true),
                           fromGGUF.encode(text, addSpecialTokens: true, parseSpecial: true), "\(arch): \(text)")
        }
        if arch == "qwen2" {
            XCTAssertNoThrow(try ChatTemplate(modelFolder: folder))
        }
    }

    func testLlamaRoundTripUndoesThePermutation() throws { try check("llama") }
    func testQwen2RoundTrip() throws { try check("qwen2") }

    func testBF16FolderHoldsTheWeightsRoundedToBF16() throws {
        let folder = scratch.appendingPathComponent("bf16")
        _ = try HFFolderExport.export(gguf: try CommittedTestData.url("gguf/qwen2-BF16.gguf"), output: folder, dtype: .bf16)
        let st = try SafetensorsFile(path: folder.appendingPathComponent("model.safetensors").path)
        XCTAssertEqual(st.tensors["model.embed_tokens.weight"]?.dtype, "BF16")
        let a = InferenceSession(model: try LanguageModel.load(gguf: try CommittedTestData.url("gguf/qwen2-BF16.gguf")), contextLength: 32, threads: 2)
        let b = InferenceSession(model: try LanguageModel.load(folder: folder, format: .bf16), contextLength: 32, threads: 2)
        let ids = LlamaCppLogitsTests.tokens["qwen2"]!
        let d = maxAbsDifference(try a.forward(ids, allLogits: true), try b.forward(ids, allLogits: true))
        print("qwen2 BF16 GGUF vs exported BF16 folder: max abs logit difference \(d)")
        XCTAssertLessThanOrEqual(d, 1e-5)
    }

    func testAnExistingDestinationIsNotWrittenOver() throws {
        let folder = scratch.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        XCTAssertThrowsError(try HFFolderExport.export(gguf: try CommittedTestData.url("gguf/qwen2-F32.gguf"), output: folder, dtype: .f32)) {
            XCTAssertTrue("\($0)".contains(folder.path), "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["taken"])
    }

    /// A llama GGUF with `rope_freqs.weight` (llama3 scaling as convert_hf_to_gguf.py writes it) has no config.json
    /// form for its divisors: refused naming the tensor, and nothing left behind, rather than exported unscaled.
    func testRopeFrequencyFactorsAreRefusedNamingTheTensor() throws {
        let out = scratch.appendingPathComponent("llama3")
        XCTAssertThrowsError(try HFFolderExport.export(gguf: try GGUFLoRAFixtures.base("llama-tiny"), output: out, dtype: .f32)) {
            XCTAssertTrue("\($0)".contains("rope_freqs.weight"), "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }
}
