import ArgumentParser
import Foundation
import LLM
import Tokenizers

/// `quill lm tokenize`: text to token ids with a model folder's tokenizer.json, exactly as Hugging Face would.
struct LMTokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text as {\"ids\": [...]}.")

    @Option(help: "Hugging Face model folder holding tokenizer.json (and tokenizer_config.json).")
    var model: String

    @Option(help: "The text to tokenize.")
    var text: String?

    @Option(help: "A file whose UTF-8 content is tokenized.")
    var file: String?

    @Flag(help: "Add BOS/EOS as the model's post-processor does, and let text that spells a special token become it.")
    var special = false

    @Flag(help: "Also print each id's token string (as tokenizer.json spells it).")
    var json = false

    func validate() throws {
        guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text or --file") }
    }

    func run() throws {
        let tokenizer = try ModelFiles.tokenizer(at: URL(fileURLWithPath: model))
        let input: String
        if let text {
            input = text
        } else {
            let data = try Data(contentsOf: URL(fileURLWithPath: file!))
            guard let s = String(data: data, encoding: .utf8) else { throw ValidationError("\(file!) is not UTF-8 text") }
            input = s
        }
        let ids = tokenizer.encode(input, addSpecialTokens: special, parseSpecial: special)
        var object: [String: Any] = ["ids": ids]
        if json { object["tokens"] = ids.map { tokenizer.tokenString(for: $0) ?? "" } }
        print(try jsonLine(object))
    }
}

/// One line of JSON with stable key order.
func jsonLine(_ object: Any) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
}
