import ArgumentParser
import Foundation
import LLM
import Tokenizers

/// `quill lm detokenize`: token ids back to text through the tokenizer's decoder.
struct LMDetokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detokenize",
        abstract: "Print the text of comma-separated token ids.")

    @Option(help: "Hugging Face model folder holding tokenizer.json.")
    var model: String

    @Option(help: "Token ids, comma-separated, e.g. 9707,1879.")
    var ids: String

    @Flag(help: "Leave out special tokens (BOS, EOS, …).")
    var skipSpecial = false

    func run() throws {
        let tokenizer = try ModelFiles.tokenizer(at: URL(fileURLWithPath: model))
        var parsed: [Int] = []
        for part in ids.split(separator: ",") {
            guard let id = Int(part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("\"\(part)\" is not a token id")
            }
            guard id >= 0 && id < tokenizer.vocabularySize else {
                throw ValidationError("token id \(id) is outside the vocabulary (0..<\(tokenizer.vocabularySize))")
            }
            parsed.append(id)
        }
        print(tokenizer.decode(parsed, skipSpecialTokens: skipSpecial), terminator: "")
    }
}
