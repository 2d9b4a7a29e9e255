import ArgumentParser
import Foundation
import LLM
import Tokenizers

/// `quill lm chat-template`: render a model's chat template for a conversation, as transformers'
/// `apply_chat_template(tokenize=False)` would.
struct LMChatTemplate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat-template",
        abstract: "Print the prompt a model's chat template makes of a conversation.")

    @Option(help: "Hugging Face model folder holding tokenizer_config.json or chat_template.jinja.")
    var model: String

    @Option(help: "JSON file: an array of {\"role\": ..., \"content\": ...} messages.")
    var messages: String

    @Flag(help: "End with the assistant's turn opening, ready for generation.")
    var addGenerationPrompt = false

    @Option(help: "A Jinja file that replaces the model's own template.")
    var template: String?

    func run() throws {
        let override = try template.map { try String(contentsOf: URL(fileURLWithPath: $0), encoding: .utf8) }
        let chat = try ModelFiles.chatTemplate(at: URL(fileURLWithPath: model), override: override)
        // Read as text so that the key order of tool arguments survives into `tojson`, as in Python.
        let text = try String(contentsOf: URL(fileURLWithPath: messages), encoding: .utf8)
        print(try chat.render(messagesJSON: text, addGenerationPrompt: addGenerationPrompt), terminator: "")
    }
}
