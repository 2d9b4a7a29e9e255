import Foundation
import XCTest
import Tokenizers

/// Hostile tokenizer files: token ids that are negative, beyond 32 bits or absurdly large must be refused with
/// an error naming the file and key, never trap on a conversion, index out of range or allocate without bound.
final class CraftedTokenizerTests: XCTestCase {
    func tokenizerJSON(vocab: String = #"{"a": 0, "b": 1, "ab": 2}"#, addedTokens: String = "[]",
                       postProcessor: String = "null") -> Data {
        Data("""
        {"added_tokens": \(addedTokens), "normalizer": null, "pre_tokenizer": null, "decoder": null,
         "post_processor": \(postProcessor),
         "model": {"type": "BPE", "vocab": \(vocab), "merges": ["a b"]}}
        """.utf8)
    }

    func assertRefused(_ data: Data, key: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Tokenizer(tokenizerJSON: data), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("tokenizer.json") && text.contains(key), text, file: file, line: line)
        }
    }

    func testTheBaseFileLoadsAndEncodes() throws {
        let tokenizer = try Tokenizer(tokenizerJSON: tokenizerJSON())
        XCTAssertEqual(tokenizer.encode("ab"), [2])
        XCTAssertEqual(tokenizer.vocabularySize, 3)
    }

    func testNegativeVocabularyIdIsRefused() {
        assertRefused(tokenizerJSON(vocab: #"{"a": 0, "b": -1, "ab": 2}"#), key: "model.vocab")
    }

    func testVocabularyIdBeyond32BitsIsRefused() {
        assertRefused(tokenizerJSON(vocab: #"{"a": 0, "b": 1099511627776, "ab": 2}"#), key: "model.vocab")
    }

    func testAbsurdVocabularyIdIsRefusedWithoutAllocatingForIt() {
        // Two billion fits in 32 bits, but a table that large would take tens of gigabytes.
        assertRefused(tokenizerJSON(vocab: #"{"a": 0, "b": 1, "ab": 2000000000}"#), key: "model.vocab")
    }

    func testAddedTokenIdsOutOfRangeAreRefused() {
        let negative = #"[{"id": -7, "content": "<x>", "special": true}]"#
        assertRefused(tokenizerJSON(addedTokens: negative), key: "added_tokens[0].id")
        let huge = #"[{"id": 9223372036854775807, "content": "<x>", "special": true}]"#
        assertRefused(tokenizerJSON(addedTokens: huge), key: "added_tokens[0].id")
    }

    func testPostProcessorIdBeyond32BitsIsRefused() {
        let processor = """
        {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
         "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1099511627776], "tokens": ["<s>"]}}}
        """
        assertRefused(tokenizerJSON(postProcessor: processor), key: "ids[0]")
    }
}
