import Foundation
import XCTest
import LLM

/// Hostile model files: sizes, offsets and shapes chosen so that unchecked arithmetic wraps or reads past
/// the end. Release builds compile the engine with optimisations that drop Swift's traps, so each of these
/// must be refused by an explicit check that throws, naming the file and the tensor or key.
final class CraftedFileTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("quill-crafted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Writes a safetensors file: the 8-byte header length (`declaredLength`, else the header's own), the
    /// header, then `dataBytes` zero bytes.
    func safetensors(_ header: String, dataBytes: Int, declaredLength: UInt64? = nil, name: String = "model.safetensors") throws -> String {
        let json = Array(header.utf8)
        var bytes = [UInt8]()
        withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { bytes += $0 }
        bytes += json
        bytes += [UInt8](repeating: 0, count: dataBytes)
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func assertRefused(_ path: String, mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafetensorsFile(path: path), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path), text, file: file, line: line)
            for w in words { XCTAssertTrue(text.contains(w), "\(text) should mention \(w)", file: file, line: line) }
        }
    }

    func testHeaderLengthAboveIntMaxIsRefused() throws {
        let path = try safetensors(#"{}"#, dataBytes: 16, declaredLength: 0xFFFF_FFFF_FFFF_FFF0)
        assertRefused(path, mentioning: ["header length"])
    }

    func testHeaderLengthPastTheEndIsRefused() throws {
        let path = try safetensors(#"{}"#, dataBytes: 16, declaredLength: 4096)
        assertRefused(path, mentioning: ["past the end"])
    }

    func testDataOffsetsNearIntMaxAreRefused() throws {
        // end - start = 7 bytes of U8 [7]: consistent in itself, but header end + offset wraps around.
        let end = Int.max, start = Int.max - 7
        let path = try safetensors(#"{"t":{"dtype":"U8","shape":[7],"data_offsets":[\#(start),\#(end)]}}"#, dataBytes: 16)
        assertRefused(path, mentioning: ["'t'", "past the end"])
    }

    func testByteCountThatOverflowsIsRefused() throws {
        // 2^62 + 1 floats are 2^64 + 4 bytes: wrapped to 64 bits that is 4, exactly the bytes the offsets give.
        let path = try safetensors(#"{"t":{"dtype":"F32","shape":[4611686018427387905],"data_offsets":[0,4]}}"#, dataBytes: 4)
        assertRefused(path, mentioning: ["'t'"])
    }

    func testShapeWhoseProductOverflowsIsRefused() throws {
        let path = try safetensors(#"{"t":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}}"#, dataBytes: 4)
        assertRefused(path, mentioning: ["'t'"])
    }

    func testNegativeShapeAndOffsetsAreRefused() throws {
        let shape = try safetensors(#"{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, dataBytes: 4)
        assertRefused(shape, mentioning: ["'t'", "negative"])
        let offsets = try safetensors(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, dataBytes: 4, name: "b.safetensors")
        assertRefused(offsets, mentioning: ["'t'", "negative"])
    }

    func testReadingPastATensorIsAnErrorNotAnOutOfBoundsRead() throws {
        let path = try safetensors(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 8)
        let file = try SafetensorsFile(path: path)
        let info = try XCTUnwrap(file.tensors["t"])
        var out = [Float](repeating: 0, count: 4)
        try out.withUnsafeMutableBufferPointer { buffer in
            let p = buffer.baseAddress!
            XCTAssertNoThrow(try file.readFloats(info, start: 0, count: 2, into: p))
            XCTAssertThrowsError(try file.readFloats(info, start: 1, count: 2, into: p)) { XCTAssertTrue("\($0)".contains("'t'"), "\($0)") }
            XCTAssertThrowsError(try file.readFloats(info, start: Int.max, count: 2, into: p))
            XCTAssertThrowsError(try file.readFloats(info, start: -1, count: 1, into: p))
        }
    }

    // MARK: config.json

    func config(_ changes: [String: Any]) -> [String: Any] {
        var json: [String: Any] = ["architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 64,
                                   "intermediate_size": 160, "num_hidden_layers": 2, "num_attention_heads": 4,
                                   "num_key_value_heads": 2, "vocab_size": 384, "max_position_embeddings": 128]
        for (k, v) in changes { json[k] = v }
        return json
    }

    func assertConfigRefused(_ changes: [String: Any], key: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ModelConfig(json: config(changes), file: "config.json"), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("config.json") && text.contains(key), text, file: file, line: line)
        }
    }

    func testTheBaseConfigLoads() throws {
        XCTAssertEqual(try ModelConfig(json: config([:]), file: "config.json").headDim, 16)
    }

    func testZeroOrNegativeHeadCountsAreRefused() {
        assertConfigRefused(["num_key_value_heads": 0], key: "num_key_value_heads")
        assertConfigRefused(["num_key_value_heads": -2], key: "num_key_value_heads")
        assertConfigRefused(["head_dim": 0], key: "head_dim")
        assertConfigRefused(["head_dim": -16], key: "head_dim")
        assertConfigRefused(["max_position_embeddings": -5], key: "max_position_embeddings")
    }

    func testAbsurdSizesAreRefusedBeforeAnythingIsComputedFromThem() {
        assertConfigRefused(["hidden_size": 1 << 62], key: "hidden_size")
        assertConfigRefused(["num_attention_heads": 1 << 40, "head_dim": 1 << 40], key: "num_attention_heads")
        assertConfigRefused(["vocab_size": Int.max], key: "vocab_size")
        assertConfigRefused(["num_hidden_layers": 1 << 50], key: "num_hidden_layers")
        assertConfigRefused(["head_dim": 1 << 40], key: "head_dim")
    }

    func testLoadingAModelWithZeroKVHeadsIsAnError() throws {
        let model = folder.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        let json = try JSONSerialization.data(withJSONObject: config(["num_key_value_heads": 0]))
        try json.write(to: model.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try LanguageModel.load(folder: model, format: .q8_0)) {
            XCTAssertTrue("\($0)".contains("num_key_value_heads"), "\($0)")
        }
    }

    // MARK: adapters

    func testAdapterWithWrappingOffsetsIsRefusedNamingTheAdapterFile() throws {
        let adapter = folder.appendingPathComponent("adapter")
        try FileManager.default.createDirectory(at: adapter, withIntermediateDirectories: true)
        try Data(#"{"peft_type":"LORA","lora_alpha":16,"r":4}"#.utf8).write(to: adapter.appendingPathComponent("adapter_config.json"))
        let end = Int.max, start = Int.max - 256
        let name = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
        let path = try safetensors(#"{"\#(name)":{"dtype":"F32","shape":[4,16],"data_offsets":[\#(start),\#(end)]}}"#,
                                   dataBytes: 256, name: "adapter/adapter_model.safetensors")
        let base = try ModelConfig(json: config([:]), file: "config.json")
        XCTAssertThrowsError(try LoRAAdapter.load(folder: adapter, for: base)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }
}
