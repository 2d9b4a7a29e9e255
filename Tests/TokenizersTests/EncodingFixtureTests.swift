import Foundation
import XCTest
@testable import Tokenizers

/// Ids and decoded text of the corpus (clinical shorthand, HL7, dialogue, whitespace runs, CJK, emoji, RTL,
/// combining marks, empty input) must equal what Hugging Face `tokenizers` produced for the same tokenizer.json
/// (fixture written by tools/fixtures/make_tokenizer_fixtures.py).
final class EncodingFixtureTests: XCTestCase {
    struct Case {
        var text: String
        var plain: [Int]
        var parsed: [Int]
        var withSpecial: [Int]
        var decoded: String
        var decodedSkippingSpecial: String
    }

    func family(_ name: String) throws -> (Tokenizer, [Case]) {
        let root = try XCTUnwrap(try TestFiles.fixture("encoding.json") as? [String: Any])
        let families = try XCTUnwrap(root["families"] as? [[String: Any]])
        let family = try XCTUnwrap(families.first { $0["name"] as? String == name }, "no fixture family \(name)")
        let relative = try XCTUnwrap(family["tokenizer"] as? String)
        let tokenizer = try TestFiles.tokenizer(key: name) {
            let url = try TestFiles.shared(relative)
            var spec = try XCTUnwrap(try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: Any])
            if let patch = family["patch"] as? [String: Any] {
                for (k, v) in patch { spec[k] = v }
            }
            let folder = url.deletingLastPathComponent()
            let config = try? Data(contentsOf: folder.appendingPathComponent("tokenizer_config.json"))
            return try Tokenizer(tokenizerJSON: try JSONSerialization.data(withJSONObject: spec), tokenizerConfigJSON: config)
        }
        let cases = try XCTUnwrap(family["cases"] as? [[String: Any]]).map { c in
            Case(text: c["text"] as! String, plain: c["plain"] as! [Int], parsed: c["parsed"] as! [Int],
                 withSpecial: c["withSpecial"] as! [Int], decoded: c["decoded"] as! String,
                 decodedSkippingSpecial: c["decodedSkippingSpecial"] as! String)
        }
        XCTAssertGreaterThan(cases.count, 30)
        return (tokenizer, cases)
    }

    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (tokenizer, cases) = try family(name)
        var failures = 0
        for c in cases {
            let shown = c.text.debugDescription.prefix(60)
            let parsed = tokenizer.encode(c.text, addSpecialTokens: false, parseSpecial: true)
            if parsed != c.parsed { failures += 1 }
            XCTAssertEqual(parsed, c.parsed, "\(name) parsed: \(shown)", file: file, line: line)
            XCTAssertEqual(tokenizer.encode(c.text), c.plain, "\(name) plain: \(shown)", file: file, line: line)
            XCTAssertEqual(tokenizer.encode(c.text, addSpecialTokens: true, parseSpecial: true), c.withSpecial,
                           "\(name) with special tokens: \(shown)", file: file, line: line)
            XCTAssertEqual(tokenizer.decode(c.parsed), c.decoded, "\(name) decode: \(shown)", file: file, line: line)
            XCTAssertEqual(tokenizer.decode(c.parsed, skipSpecialTokens: true), c.decodedSkippingSpecial,
                           "\(name) decode skipping special: \(shown)", file: file, line: line)
        }
        print("\(name): \(cases.count - failures)/\(cases.count) corpus strings tokenize identically")

        let root = try XCTUnwrap(try TestFiles.fixture("encoding.json") as? [String: Any])
        let family = try XCTUnwrap((root["families"] as? [[String: Any]])?.first { $0["name"] as? String == name })
        let partial = try XCTUnwrap(family["partialDecodes"] as? [[String: Any]])
        XCTAssertGreaterThan(partial.count, 10)
        for p in partial {
            let ids = p["ids"] as! [Int]
            XCTAssertEqual(tokenizer.decode(ids), p["decoded"] as! String, "\(name) decode of partial characters \(ids)", file: file, line: line)
        }
    }

    func testDeepSeekR1DistillQwenMatchesTokenizers() throws { try check("deepseek-r1-distill-qwen") }
    func testLlama3MatchesTokenizers() throws { try check("llama3") }
    func testTinyLlamaMatchesTokenizers() throws { try check("tinyllama") }
    func testTinyLlamaWithMetaspacePreTokenizerMatchesTokenizers() throws { try check("tinyllama-metaspace") }
    func testGPT2ByteLevelConfigurationMatchesTokenizers() throws { try check("llama3-gpt2-bytelevel") }
    /// Added tokens with lstrip, rstrip and single_word, which no target model sets but tokenizer.json allows.
    func testAddedTokenMatchingOptionsMatchTokenizers() throws { try check("deepseek-added-token-flags") }

    /// Byte-level BPE loses nothing: decoding the ids gives back the exact input, whatever it holds.
    func testByteLevelRoundTripIsExact() throws {
        for name in ["deepseek-r1-distill-qwen", "llama3"] {
            let (tokenizer, cases) = try family(name)
            for c in cases {
                XCTAssertEqual(tokenizer.decode(tokenizer.encode(c.text)), c.text, name)
                XCTAssertEqual(tokenizer.decode(tokenizer.encode(c.text, parseSpecial: true)), c.text, name)
            }
        }
    }
}

