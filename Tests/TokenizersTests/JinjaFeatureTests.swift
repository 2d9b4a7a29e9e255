import Foundation
import XCTest
@testable import Tokenizers

/// The Jinja subset construct by construct: each small template was rendered by transformers' own jinja2
/// environment (fixture), and the interpreter must produce the same text. Errors name the construct and place.
final class JinjaFeatureTests: XCTestCase {
    func testEachFeatureTemplateRendersAsJinja2() throws {
        let root = try XCTUnwrap(try TestFiles.fixture("chat_templates.json") as? [String: Any])
        let conversations = try XCTUnwrap(root["conversations"] as? [String: [[String: Any]]])
        let messages = try XCTUnwrap(conversations[root["featureConversation"] as! String])
        let features = try XCTUnwrap(root["features"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(features.count, 10)
        for f in features {
            let name = f["name"] as! String
            do {
                let template = try ChatTemplate(template: f["template"] as! String, sourceName: name)
                XCTAssertEqual(try template.render(messages: messages, addGenerationPrompt: false), f["rendered"] as! String, name)
            } catch {
                XCTFail("\(name): \(error)")
            }
        }
    }

    func testUnsupportedStatementIsNamedWithLineAndColumn() {
        XCTAssertThrowsError(try ChatTemplate(template: "hello\n  {% include 'other.jinja' %}", sourceName: "t")) { error in
            let e = error as? ChatTemplateError
            XCTAssertEqual(e?.kind, .unsupported)
            XCTAssertEqual(e?.line, 2)
            XCTAssertEqual(e?.column, 6)  // the statement's name
            XCTAssertTrue(e?.description.contains("include") ?? false, "\(error)")
        }
    }

    func testUnsupportedFilterFailsWhenRendered() throws {
        let template = try ChatTemplate(template: "{{ messages | wordwrap(5) }}", sourceName: "t")
        XCTAssertThrowsError(try template.render([], addGenerationPrompt: false)) { error in
            let e = error as? ChatTemplateError
            XCTAssertEqual(e?.kind, .unsupported)
            XCTAssertTrue(e?.message.contains("wordwrap") ?? false, "\(error)")
        }
    }

    func testRaiseExceptionCarriesTheTemplateMessage() throws {
        let template = try ChatTemplate(template: "{% if messages | length == 0 %}{{ raise_exception('No messages!') }}{% endif %}")
        XCTAssertThrowsError(try template.render([], addGenerationPrompt: false)) { error in
            XCTAssertEqual((error as? ChatTemplateError)?.kind, .raised)
            XCTAssertEqual((error as? ChatTemplateError)?.message, "No messages!")
        }
    }

    func testUnclosedTagIsASyntaxError() {
        XCTAssertThrowsError(try ChatTemplate(template: "ok {{ messages ")) { error in
            XCTAssertEqual((error as? ChatTemplateError)?.kind, .syntax)
        }
        XCTAssertThrowsError(try ChatTemplate(template: "{% if true %}never closed")) { error in
            XCTAssertEqual((error as? ChatTemplateError)?.kind, .syntax)
        }
    }

    /// Llama 3.1's template refuses tools without a user message; the interpreter passes that through.
    func testLlama31ToolsWithoutUserMessageRaises() throws {
        let file = try TestFiles.shared("chat-templates/meta-llama-Llama-3.1-8B-Instruct.jinja")
        let template = try ChatTemplate(template: try String(contentsOf: file, encoding: .utf8), specialTokens: ["bos_token": "<|begin_of_text|>"])
        XCTAssertThrowsError(try template.render(messages: [["role": "system", "content": "s"]], addGenerationPrompt: true,
                                                 variables: ["tools": [["name": "lookup"]]])) { error in
            XCTAssertEqual((error as? ChatTemplateError)?.kind, .raised)
        }
    }

    /// tokenizer_config.json may hold a list of named templates; the one named "default" is the chat template.
    func testNamedTemplatesInTokenizerConfigUseDefault() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("quill-template-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config: [String: Any] = ["bos_token": ["content": "<s>"], "eos_token": "</s>",
                                     "chat_template": [["name": "tool_use", "template": "tools"],
                                                       ["name": "default", "template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}{{ eos_token }}"]]]
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("tokenizer_config.json"))
        let template = try ChatTemplate(modelFolder: folder)
        XCTAssertEqual(try template.render([ChatMessage(role: "user", content: "x")], addGenerationPrompt: false), "<s>x</s>")

        try JSONSerialization.data(withJSONObject: ["eos_token": "</s>"]).write(to: folder.appendingPathComponent("tokenizer_config.json"))
        XCTAssertThrowsError(try ChatTemplate(modelFolder: folder)) { error in
            guard case let .malformed(_, key, _)? = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "chat_template")
        }
    }

    func testOverrideReplacesTheFolderTemplate() throws {
        let folder = try TestFiles.shared("tinyllama-1.1b-chat")
        let template = try ChatTemplate(modelFolder: folder, override: "{{ eos_token }}{% for m in messages %}[{{ m.content }}]{% endfor %}")
        XCTAssertEqual(try template.render([ChatMessage(role: "user", content: "hi")], addGenerationPrompt: true), "</s>[hi]")
    }
}
