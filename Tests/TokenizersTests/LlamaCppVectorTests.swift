import Foundation
import XCTest
@testable import Tokenizers

/// llama.cpp's published tokenizer test vectors (generated from the Hugging Face tokenizers of each family),
/// checked against the tokenizer.json of the family's model.
final class LlamaCppVectorTests: XCTestCase {
    /// The `.inp` strings (each followed by a `__ggml_vocab_test__` line) and the `.out` id lines.
    func vectors(_ name: String) throws -> [(String, [Int])] {
        let inp = try String(contentsOf: try TestFiles.shared("llama.cpp-vectors/ggml-vocab-\(name).gguf.inp"), encoding: .utf8)
        let out = try String(contentsOf: try TestFiles.shared("llama.cpp-vectors/ggml-vocab-\(name).gguf.out"), encoding: .utf8)
        var texts = inp.components(separatedBy: "\n__ggml_vocab_test__\n")
        if texts.last == "" { texts.removeLast() }
        var lines = out.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        XCTAssertEqual(texts.count, lines.count, "\(name): inputs and outputs differ in number")
        return zip(texts, lines).map { text, line in
            (text, line.split(separator: " ").map { Int($0)! })
        }
    }

    func check(_ vectorName: String, _ folder: String) throws {
        let tokenizer = try TestFiles.tokenizer(folder)
        let cases = try vectors(vectorName)
        XCTAssertFalse(cases.isEmpty)
        var passed = 0
        for (text, expected) in cases {
            let ids = tokenizer.encode(text, parseSpecial: true)
            XCTAssertEqual(ids, expected, "\(vectorName): \(text.debugDescription)")
            if ids == expected { passed += 1 }
        }
        print("llama.cpp \(vectorName) vectors: \(passed)/\(cases.count) pass with \(folder)")
    }

    func testQwen2VectorsWithDeepSeekR1DistillQwen() throws { try check("qwen2", "deepseek-r1-distill-qwen-1.5b") }
    func testLlamaBPEVectorsWithLlama3() throws { try check("llama-bpe", "llama3") }
    func testLlamaSPMVectorsWithTinyLlama() throws { try check("llama-spm", "tinyllama-1.1b-chat") }
    func testTinyLlamaVectorsWithTinyLlama() throws { try check("tinyllama", "tinyllama-1.1b-chat") }
}
