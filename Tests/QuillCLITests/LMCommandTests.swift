import Foundation
import XCTest

/// The `quill lm` commands' JSON shapes are a contract scripts depend on: run the real executable.
final class LMCommandTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let fixtures = repo.appendingPathComponent("Tests/LLMTests/Fixtures")

    /// The `quill` binary built beside this test bundle (on Linux the bundle URL is the build folder itself;
    /// on macOS it is the .xctest bundle inside it).
    var quill: URL {
        let bundle = Bundle(for: LMCommandTests.self).bundleURL
        let beside = bundle.appendingPathComponent("quill")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : bundle.deletingLastPathComponent().appendingPathComponent("quill")
    }

    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = quill
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    struct Reference: Decodable { let input_ids: [Int]; let last_logits: [Double]; let greedy_ids: [Int] }

    func reference(_ name: String) throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixtures.appendingPathComponent("\(name)/reference.json")))
    }

    func testLogitsJSONMatchesTransformers() throws {
        let ref = try reference("llama-tiny")
        let r = try run(["lm", "logits", "--model", fixtures.appendingPathComponent("llama-tiny").path, "--quant", "f32",
                         "--input-ids", ref.input_ids.map(String.init).joined(separator: ","), "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        let logits = try XCTUnwrap(object?["logits"] as? [Double])
        XCTAssertEqual(logits.count, ref.last_logits.count)
        XCTAssertLessThan(zip(logits, ref.last_logits).map { abs($0 - $1) }.max()!, 1e-4)
    }

    func testGenerateJSONHasTheContractKeysAndGreedyIds() throws {
        let ref = try reference("qwen2-tiny")
        let r = try run(["lm", "generate", "--model", fixtures.appendingPathComponent("qwen2-tiny").path, "--quant", "f32",
                         "--input-ids", ref.input_ids.map(String.init).joined(separator: ","), "--max-new-tokens", "20",
                         "--greedy", "--threads", "2", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        for key in ["ids", "text", "prompt_tokens", "generated_tokens", "prefill_tokens_per_s", "decode_tokens_per_s"] {
            XCTAssertNotNil(object[key], key)
        }
        XCTAssertEqual(object["ids"] as? [Int], ref.greedy_ids)
        XCTAssertEqual(object["prompt_tokens"] as? Int, ref.input_ids.count)
        XCTAssertEqual(object["generated_tokens"] as? Int, 20)
    }

    func testBadModelIsAClearErrorNotACrash() throws {
        let r = try run(["lm", "logits", "--model", fixtures.appendingPathComponent("bad/missing-tensor").path, "--input-ids", "1,2"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("model.layers.1.mlp.up_proj.weight"), r.err)
        let ids = try run(["lm", "logits", "--model", fixtures.appendingPathComponent("qwen2-tiny").path, "--input-ids", "1,x"])
        XCTAssertNotEqual(ids.status, 0)
        XCTAssertTrue(ids.err.contains("'x'"), ids.err)
    }

    func testInfoReportsShapeAndMemory() throws {
        let r = try run(["lm", "info", "--model", fixtures.appendingPathComponent("llama-tiny").path, "--quant", "q8_0", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        XCTAssertEqual(o["architecture"] as? String, "llama")
        XCTAssertEqual(o["kv_heads"] as? Int, 2)
        XCTAssertEqual(o["tied_embeddings"] as? Bool, true)
        XCTAssertGreaterThan(o["weight_bytes"] as? Int ?? 0, 0)
    }

    /// One vocabulary for weight formats, ggml's: the old short names are refused with the names that work.
    func testQuantizationTakesGGMLNamesOnly() throws {
        let r = try run(["lm", "info", "--model", fixtures.appendingPathComponent("llama-tiny").path, "--quant", "q8", "--json"])
        XCTAssertNotEqual(r.status, 0)
        for name in ["f32", "q8_0", "q4_0"] { XCTAssertTrue(r.err.contains(name), r.err) }
        let q4 = try run(["lm", "info", "--model", fixtures.appendingPathComponent("llama-tiny").path, "--quant", "q4_0", "--json"])
        XCTAssertEqual(q4.status, 0, q4.err)
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(q4.out.utf8)) as? [String: Any])
        XCTAssertEqual(o["quantization"] as? String, "q4_0")
    }

    /// `quill lm convert` both ways on llama.cpp's tiny qwen2 Q4_0 file: to a folder, back to a GGUF of another type,
    /// each a one-line JSON summary; an unknown --type is refused before anything is written.
    func testConvertBothWays() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lm-convert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let gguf = Self.repo.appendingPathComponent("Tests/Data/gguf/qwen2-Q4_0.gguf")
        let folder = scratch.appendingPathComponent("qwen2"), back = scratch.appendingPathComponent("qwen2-q8_0.gguf")

        let toFolder = try run(["lm", "convert", "--model", gguf.path, "--output", folder.path, "--dtype", "bf16"])
        XCTAssertEqual(toFolder.status, 0, toFolder.err)
        let a = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(toFolder.out.utf8)) as? [String: Any])
        XCTAssertEqual(a["direction"] as? String, "gguf-to-folder"); XCTAssertEqual(a["tokenizer"] as? Bool, true)
        XCTAssertEqual(toFolder.out.filter { $0 == "\n" }.count, 1)

        let toGGUF = try run(["lm", "convert", "--model", folder.path, "--type", "q8_0", "--output", back.path])
        XCTAssertEqual(toGGUF.status, 0, toGGUF.err)
        let b = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(toGGUF.out.utf8)) as? [String: Any])
        XCTAssertEqual(b["direction"] as? String, "folder-to-gguf"); XCTAssertEqual(b["type"] as? String, "q8_0")
        XCTAssertEqual(b["architecture"] as? String, "qwen2"); XCTAssertEqual(b["tensors"] as? Int, 27)

        let info = try run(["lm", "info", "--model", back.path, "--json"])
        XCTAssertEqual(info.status, 0, info.err)
        XCTAssertTrue(info.out.contains("\"architecture\":\"qwen2\""), info.out)
        let tokens = try run(["lm", "tokenize", "--model", back.path, "--text", "the cat"])
        XCTAssertEqual(tokens.status, 0, tokens.err)

        let bad = try run(["lm", "convert", "--model", folder.path, "--type", "q3_K", "--output", scratch.appendingPathComponent("bad.gguf").path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("q3_K") && bad.err.contains("--type"), bad.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("bad.gguf").path))
    }
}
