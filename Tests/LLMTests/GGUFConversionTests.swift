import CommittedTestData
import Foundation
import GGUF
@testable import LLM
import Tokenizers
import XCTest

/// `GGUFConversion` against llama.cpp: Tests/Data/gguf holds the same random weights as a Hugging Face folder and as
/// GGUF files written by llama.cpp's gguf-py (F32, with convert_hf_to_gguf.py's Q/K permutation) and quantized by
/// `llama-quantize --pure`, with llama.cpp's logits for each. Converting the folder must give the F32 file's tensors
/// byte for byte, the quantized files' tensors byte for byte where Quill's quantizer is llama.cpp's, and llama.cpp's
/// logits within the committed tolerances.
final class GGUFConversionTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-convert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    /// Types whose bytes equal llama-quantize's: F16 and BF16 (round to nearest even, as ggml) and the legacy
    /// block types (BlockQuantization follows ggml's `quantize_row_*_ref`, which llama-quantize runs when no
    /// importance matrix is given).
    static let byteEqualTypes = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"]
    /// Quill's K-quant quantizer picks scales by a simpler search than ggml's `make_qkx2_quants`/`make_qx_quants`, so
    /// its blocks differ from llama-quantize's (the test below counts the differing tensors, and requires them).
    static let kQuantTypes = ["Q4_K", "Q5_K", "Q6_K"]

    /// `<arch>-safetensors` with a tokenizer.json: the F32 GGUF's own vocabulary written as tokenizer.json
    /// (HFTokenizerExport), so the converted file's tokenizer can be compared with the one llama.cpp's gguf-py wrote.
    func huggingFaceFolder(_ arch: String) throws -> URL {
        let source = try CommittedTestData.url("gguf/\(arch)-safetensors")
        let folder = scratch.appendingPathComponent("\(arch)-hf")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let reference = try GGUFFile(path: try CommittedTestData.url("gguf/\(arch)-F32.gguf").path)
        try HFTokenizerExport.write(try ModelFiles.vocabulary(of: reference), to: folder, file: reference.path)
        return folder
    }

    func convert(_ arch: String, _ type: String) throws -> GGUFFile {
        let format = try XCTUnwrap(WeightFormat(rawValue: type.hasPrefix("Q") ? "q" + type.dropFirst() : type.lowercased()))
        let out = scratch.appendingPathComponent("\(arch)-\(type).gguf")
        let summary = try GGUFConversion.convert(folder: try huggingFaceFolder(arch), format: format, output: out)
        XCTAssertEqual(summary.architecture, arch)
        try? FileManager.default.removeItem(at: scratch.appendingPathComponent("\(arch)-hf"))
        return try GGUFFile(path: out.path)
    }

    /// Tensor names whose bytes differ between the two files (every name of either file must be in both).
    func differingTensors(_ a: GGUFFile, _ b: GGUFFile) -> [String] {
        XCTAssertEqual(Set(a.tensors.map(\.name)), Set(b.tensors.map(\.name)))
        return a.tensors.compactMap { t in
            guard let u = b.tensor(t.name) else { return t.name }
            XCTAssertEqual(t.dimensions, u.dimensions, t.name)
            XCTAssertEqual(t.type, u.type, t.name)
            return Data(a.bytes(of: t)) == Data(b.bytes(of: u)) ? nil : t.name
        }
    }

    func logitsDistance(_ file: GGUFFile, _ arch: String, _ type: String) throws -> Float {
        let model = try LanguageModel.load(gguf: URL(fileURLWithPath: file.path))
        let expected = try Data(contentsOf: try CommittedTestData.url("gguf/\(arch)-\(type).logits.f32"))
        let reference = expected.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let session = InferenceSession(model: model, contextLength: 32, threads: 2)
        return maxAbsDifference(try session.forward(LlamaCppLogitsTests.tokens[arch]!, allLogits: true), reference)
    }

    func checkEveryType(_ arch: String) throws {
        for type in Self.byteEqualTypes + Self.kQuantTypes {
            let converted = try convert(arch, type)
            let llamaCpp = try GGUFFile(path: try CommittedTestData.url("gguf/\(arch)-\(type).gguf").path)
            let differing = differingTensors(converted, llamaCpp)
            let worst = try logitsDistance(converted, arch, type)
            print("\(arch) \(type): \(differing.count) of \(converted.tensors.count) tensors differ from llama.cpp's; max |Quill on converted − llama.cpp| = \(worst)")
            if Self.byteEqualTypes.contains(type) {
                XCTAssertEqual(differing, [], "\(arch) \(type): tensors not byte-equal to llama.cpp's")
                let limit = LlamaCppLogitsTests.tolerance[arch]![type] ?? LlamaCppLogitsTests.tolerance[arch]!["quantized"]!
                XCTAssertLessThanOrEqual(worst, limit, "\(arch) \(type)")
            } else {
                XCTAssertFalse(differing.isEmpty, "\(arch) \(type): now byte-equal to llama-quantize; move it to byteEqualTypes")
                XCTAssertLessThanOrEqual(worst, Self.kQuantBound[arch]![type]!, "\(arch) \(type)")
            }
            XCTAssertEqual(try converted.integer("general.file_type"), try llamaCpp.integer("general.file_type"), "\(arch) \(type)")
        }
    }

    /// For the K-quants the two files hold different roundings of the same weights: each is the F32 model plus a
    /// rounding error about the size of that type's quantization noise (llama.cpp's own distance of the type from
    /// F32, README / measurements.json: llama Q4_K 8.4, Q5_K 5.7, Q6_K 2.6; qwen2 2.3, 1.3, 0.53), so two
    /// independent roundings differ by up to about twice it. Measured (Quill on its file vs llama.cpp on
    /// llama-quantize's): llama 11.9, 7.9, 3.6; qwen2 2.8, 1.8, 0.98. The bound is 2× the noise; a 10% super-block
    /// scale error on Q4_K/Q5_K moves llama.cpp's logits 22–49, 2.9–5× past it (Q6_K's 2.0–5.8 is only 1.1–1.9×).
    static let kQuantBound: [String: [String: Float]] = [
        "llama": ["Q4_K": 8.4 * 2, "Q5_K": 5.7 * 2, "Q6_K": 2.6 * 2],
        "qwen2": ["Q4_K": 2.3 * 2, "Q5_K": 1.3 * 2, "Q6_K": 0.53 * 2],
    ]

    func testLlamaEveryTypeAgainstLlamaCpp() throws { try checkEveryType("llama") }
    func testQwen2EveryTypeAgainstLlamaCpp() throws { try checkEveryType("qwen2") }

    /// The keys llama.cpp and Quill's loader read, equal to what llama.cpp's gguf-py wrote for the same model.
    func checkMetadata(_ arch: String) throws {
        let converted = try convert(arch, "F32")
        let reference = try GGUFFile(path: try CommittedTestData.url("gguf/\(arch)-F32.gguf").path)
        var keys = ["general.architecture", "general.file_type"]
        keys += ["context_length", "embedding_length", "block_count", "feed_forward_length", "attention.head_count",
                 "attention.head_count_kv", "attention.layer_norm_rms_epsilon", "rope.freq_base", "rope.dimension_count",
                 "vocab_size"].map { "\(arch).\($0)" }
        keys += ["model", "pre", "tokens", "token_type", "merges", "bos_token_id", "eos_token_id", "unknown_token_id",
                 "padding_token_id", "add_bos_token"].map { "tokenizer.ggml.\($0)" }
        keys.append("tokenizer.chat_template")
        for key in keys {
            XCTAssertEqual(converted.value(key), reference.value(key), "\(arch): \(key)")
        }
        // Scores are derived from tokenizer.json's merges, not copied: what must agree is the tokenization.
        XCTAssertEqual(converted.value("tokenizer.ggml.scores") != nil, arch == "llama")
        let a = try ModelFiles.tokenizer(at: URL(fileURLWithPath: converted.path))
        let b = try ModelFiles.tokenizer(at: URL(fileURLWithPath: reference.path))
        for text in ["the quick brown fox", " a  b\nc", "tea hat heat", "zzz qqq", "<|im_start|>user", "é ü 3.14"] {
            XCTAssertEqual(a.encode(text, addSpecialTokens: true, parseSpecial: true), b.encode(text, addSpecialTokens: true, parseSpecial: true), "\(arch): \(text)")
        }
    }

    func testLlamaMetadataAsGGUFPyWritesIt() throws { try checkMetadata("llama") }
    func testQwen2MetadataAsGGUFPyWritesIt() throws { try checkMetadata("qwen2") }

    /// A real SentencePiece-style tokenizer.json (TinyLlama, Llama 2's vocabulary): converted to GGUF metadata, it
    /// tokenizes llama.cpp's TinyLlama test vectors as llama.cpp does, and as the tokenizer.json itself does.
    func testTinyLlamaTokenizerConvertsToWhatLlamaCppTokenizes() throws {
        let folder = try CommittedTestData.url("tokenizers/tinyllama-1.1b-chat")
        let config = try ModelConfig(json: ["model_type": "llama", "hidden_size": 64, "intermediate_size": 64, "num_hidden_layers": 1,
                                            "num_attention_heads": 1, "vocab_size": 32000], file: "config.json")
        let vocabulary = try HFTokenizerVocabulary.read(folder: folder, config: config)
        XCTAssertEqual(vocabulary.model, "llama")
        XCTAssertEqual(vocabulary.bosTokenId, 1); XCTAssertEqual(vocabulary.eosTokenId, 2); XCTAssertEqual(vocabulary.unknownTokenId, 0)
        XCTAssertEqual(vocabulary.tokenTypes?[0], 2); XCTAssertEqual(vocabulary.tokenTypes?[1], 3); XCTAssertEqual(vocabulary.tokenTypes?[13], 6)
        XCTAssertNotNil(vocabulary.chatTemplate)
        let gguf = try Tokenizer(gguf: vocabulary, file: "converted")
        let hf = try Tokenizer(modelFolder: folder)
        let inp = try String(contentsOf: try CommittedTestData.url("tokenizers/llama.cpp-vectors/ggml-vocab-tinyllama.gguf.inp"), encoding: .utf8)
        let out = try String(contentsOf: try CommittedTestData.url("tokenizers/llama.cpp-vectors/ggml-vocab-tinyllama.gguf.out"), encoding: .utf8)
        var texts = inp.components(separatedBy: "\n__ggml_vocab_test__\n")
        if texts.last == "" { texts.removeLast() }
        let expected = out.split(separator: "\n", omittingEmptySubsequences: false).map { $0.split(separator: " ").map { Int($0)! } }
        XCTAssertGreaterThan(texts.count, 5)
        for (i, text) in texts.enumerated() {
            XCTAssertEqual(gguf.encode(text, parseSpecial: true), expected[i], "vector \(i): \(text.debugDescription)")
            XCTAssertEqual(gguf.encode(text, parseSpecial: true), hf.encode(text, parseSpecial: true), "vector \(i)")
        }
    }

    /// A real byte-level tokenizer (DeepSeek-R1-Distill-Qwen-1.5B: Qwen2's vocabulary and regex, DeepSeek's BOS):
    /// named "deepseek-r1-qwen" as llama.cpp names it, padded to the embedding's 151936 rows with unused `[PAD…]`
    /// slots, and tokenizing llama.cpp's qwen2 test vectors as the tokenizer.json does.
    func testDeepSeekQwenTokenizerConvertsWithLlamaCppsNameAndPadding() throws {
        let folder = try CommittedTestData.url("tokenizers/deepseek-r1-distill-qwen-1.5b")
        let config = try ModelConfig.load(folder.appendingPathComponent("config.json"))
        let vocabulary = try HFTokenizerVocabulary.read(folder: folder, config: config)
        XCTAssertEqual(vocabulary.model, "gpt2"); XCTAssertEqual(vocabulary.preTokenizer, "deepseek-r1-qwen")
        XCTAssertEqual(vocabulary.tokens.count, 151936)
        XCTAssertEqual(vocabulary.tokens[151700], "[PAD151700]"); XCTAssertEqual(vocabulary.tokenTypes?[151700], 5)
        XCTAssertEqual(vocabulary.bosTokenId, 151646); XCTAssertEqual(vocabulary.eosTokenId, 151643)
        XCTAssertEqual(vocabulary.tokenTypes?[151648], 4)   // <think>: added, not special, does not look special
        XCTAssertEqual(vocabulary.tokenTypes?[151644], 3)   // <｜User｜> looks special
        XCTAssertEqual(vocabulary.addBOS, true)
        let gguf = try Tokenizer(gguf: vocabulary, file: "converted")
        let hf = try Tokenizer(modelFolder: folder)
        let inp = try String(contentsOf: try CommittedTestData.url("tokenizers/llama.cpp-vectors/ggml-vocab-qwen2.gguf.inp"), encoding: .utf8)
        var texts = inp.components(separatedBy: "\n__ggml_vocab_test__\n")
        if texts.last == "" { texts.removeLast() }
        for text in texts + ["<｜User｜>Hi<｜Assistant｜><think>\n"] {
            XCTAssertEqual(gguf.encode(text, addSpecialTokens: true, parseSpecial: true), hf.encode(text, addSpecialTokens: true, parseSpecial: true), text.debugDescription)
        }
    }

    /// The fixture of PEFT's merge (tools/fixtures/make_engine_fixtures.py), converted with the adapter folded in
    /// at F32, gives PEFT's merged logits. The tiny fixtures carry no tokenizer, so one of the right size is put
    /// beside them (the logits do not depend on it).
    func checkMergedAdapter(base: String, adapter: String, tokenizerOf arch: String, adapterFile: URL? = nil) throws {
        let folder = scratch.appendingPathComponent(base)
        try FileManager.default.copyItem(at: EngineFixtures.folder(base), to: folder)
        let config = try ModelConfig.load(folder.appendingPathComponent("config.json"))
        var vocabulary = try ModelFiles.vocabulary(of: GGUFFile(path: try CommittedTestData.url("gguf/\(arch)-F32.gguf").path))
        vocabulary.tokens = Array(vocabulary.tokens.prefix(config.vocabulary))
        vocabulary.tokenTypes = vocabulary.tokenTypes.map { Array($0.prefix(config.vocabulary)) }
        vocabulary.scores = vocabulary.scores.map { Array($0.prefix(config.vocabulary)) }
        try HFTokenizerExport.write(vocabulary, to: folder, file: "test vocabulary")

        let out = scratch.appendingPathComponent("\(adapter).gguf")
        let summary = try GGUFConversion.convert(folder: folder, adapter: adapterFile ?? EngineFixtures.folder(adapter), format: .f32, output: out)
        XCTAssertTrue(summary.merged)
        let ref = try EngineFixtures.reference(adapter)
        let model = try LanguageModel.load(gguf: out)
        let session = InferenceSession(model: model, contextLength: 64, threads: 2)
        let d = maxAbsDifference(try session.forward(ref.input_ids), try XCTUnwrap(ref.merged?.last_logits))
        print("\(adapter) merged into a converted F32 GGUF: max |Quill − PEFT merged| = \(d)")
        XCTAssertLessThan(d, 1e-4)
        // The adapter changes the logits by far more than the tolerance, so a dropped merge would fail.
        let base = try EngineFixtures.reference(base)
        XCTAssertGreaterThan(maxAbsDifference(base.last_logits, ref.merged!.last_logits!), 1e-2)
    }

    func testQwen2AdapterMergedIntoTheGGUFGivesPEFTsMergedLogits() throws {
        try checkMergedAdapter(base: "qwen2-tiny", adapter: "qwen2-tiny-lora", tokenizerOf: "qwen2")
    }

    /// The same adapter as llama.cpp's `.gguf` LoRA file (convert_lora_to_gguf.py) merges the same way.
    func testLlamaCppAdapterFileMergedIntoTheGGUFGivesPEFTsMergedLogits() throws {
        try checkMergedAdapter(base: "qwen2-tiny", adapter: "qwen2-tiny-lora", tokenizerOf: "qwen2",
                               adapterFile: GGUFLoRAFixtures.adapter("qwen2-tiny-lora"))
    }

    /// Llama with an adapter on every projection, q and k included (rows permuted after the merge), and llama3
    /// rope scaling, written as GGUF's `rope_freqs.weight` (one divisor per rotary pair): the divisors equal those
    /// make_gguf_lora_fixtures.py computes with convert_hf_to_gguf.py's code, and the converted file gives PEFT's
    /// merged logits.
    func testLlamaThreeRopeScalingIsWrittenAsRopeFreqsAndMatchesPEFT() throws {
        let folder = scratch.appendingPathComponent("llama-tiny")
        try FileManager.default.copyItem(at: EngineFixtures.folder("llama-tiny"), to: folder)
        var vocabulary = try ModelFiles.vocabulary(of: GGUFFile(path: try CommittedTestData.url("gguf/llama-F32.gguf").path))
        vocabulary.tokens = Array(vocabulary.tokens.prefix(320))
        vocabulary.tokenTypes = vocabulary.tokenTypes.map { Array($0.prefix(320)) }
        vocabulary.scores = vocabulary.scores.map { Array($0.prefix(320)) }
        try HFTokenizerExport.write(vocabulary, to: folder, file: "test vocabulary")
        let out = scratch.appendingPathComponent("llama-llama3.gguf")
        _ = try GGUFConversion.convert(folder: folder, adapter: EngineFixtures.folder("llama-tiny-lora-rslora"), format: .f32, output: out)

        func factors(_ file: GGUFFile) throws -> [Float] {
            let t = try XCTUnwrap(file.tensor("rope_freqs.weight"), file.path)
            XCTAssertEqual(t.type, .f32)
            let p = file.bytes(of: t)
            return (0..<t.dimensions[0]).map { p.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        }
        let ours = try factors(GGUFFile(path: out.path))
        let converters = try factors(GGUFFile(path: GGUFLoRAFixtures.base("llama-tiny").path))
        XCTAssertEqual(ours.count, converters.count)
        XCTAssertTrue(ours.contains { $0 != 1 }, "the fixture's scaling changes some frequencies")
        for (a, b) in zip(ours, converters) { XCTAssertEqual(a, b, accuracy: 1e-6 * b) }

        let ref = try EngineFixtures.reference("llama-tiny-lora-rslora")
        let session = InferenceSession(model: try LanguageModel.load(gguf: out), contextLength: 64, threads: 2)
        let d = maxAbsDifference(try session.forward(ref.input_ids), try XCTUnwrap(ref.merged?.last_logits))
        print("llama (llama3 rope) rsLoRA merged into a converted F32 GGUF: max |Quill − PEFT merged| = \(d)")
        XCTAssertLessThan(d, 1e-4)
    }

    // MARK: Refusals

    func assertRefused(_ folder: URL, format: WeightFormat = .q8_0, mentions: [String]) throws {
        let out = scratch.appendingPathComponent("refused.gguf")
        XCTAssertThrowsError(try GGUFConversion.convert(folder: folder, format: format, output: out)) { error in
            for m in mentions { XCTAssertTrue("\(error)".contains(m), "'\(m)' not in: \(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: scratch.path).contains { $0.contains("refused") })
    }

    func testAnUnsupportedArchitectureIsRefusedNamingConfigJSON() throws {
        let folder = EngineFixtures.folder("bad/unknown-architecture")
        try assertRefused(folder, mentions: [folder.appendingPathComponent("config.json").path])
    }

    func testAMissingTensorIsRefusedNamingFileAndTensorAndNoFileIsLeft() throws {
        let folder = try huggingFaceFolder("qwen2")
        let missing = try missingTensorCopy(of: folder, dropping: "model.layers.1.mlp.down_proj.weight")
        try assertRefused(missing, mentions: [missing.appendingPathComponent("model.safetensors").path, "model.layers.1.mlp.down_proj.weight"])
    }

    func testNoTokenizerIsRefusedNamingTheFile() throws {
        let folder = EngineFixtures.folder("qwen2-tiny")
        try assertRefused(folder, mentions: [folder.appendingPathComponent("tokenizer.json").path])
    }

    func testColumnsNotWholeBlocksAreRefusedNamingTheTensor() throws {
        let folder = scratch.appendingPathComponent("qwen2-tiny")
        try FileManager.default.copyItem(at: EngineFixtures.folder("qwen2-tiny"), to: folder)
        var vocabulary = try ModelFiles.vocabulary(of: GGUFFile(path: try CommittedTestData.url("gguf/qwen2-F32.gguf").path))
        vocabulary.tokens = Array(vocabulary.tokens.prefix(384))
        try HFTokenizerExport.write(vocabulary, to: folder, file: "test vocabulary")
        // hidden 64 is not whole K-quant super-blocks of 256.
        try assertRefused(folder, format: .q4_K, mentions: [folder.path, "token_embd.weight", "q4_K"])
    }

    /// A copy of `folder` whose model.safetensors lacks `name` (its header entry removed; the bytes stay, unreferenced).
    func missingTensorCopy(of folder: URL, dropping name: String) throws -> URL {
        let copy = scratch.appendingPathComponent("missing")
        try FileManager.default.copyItem(at: folder, to: copy)
        let url = copy.appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: url)
        let length = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var header = try XCTUnwrap(JSONSerialization.jsonObject(with: data[8..<(8 + length)]) as? [String: Any])
        XCTAssertNotNil(header.removeValue(forKey: name))
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count < length { json.append(0x20) }
        XCTAssertEqual(json.count, length)
        try (data.prefix(8) + json + data[(8 + length)...]).write(to: url)
        return copy
    }
}
