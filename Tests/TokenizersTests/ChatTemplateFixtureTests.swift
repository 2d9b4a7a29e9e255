import Foundation
import XCTest
@testable import Tokenizers

/// The real chat templates of the target models, rendered by the interpreter, must equal transformers'
/// `apply_chat_template` / `render_jinja_template` output byte for byte (fixture from
/// tools/fixtures/make_tokenizer_fixtures.py): system prompts, several turns, reasoning stripped from earlier
/// assistant turns, special-token text inside user content, empty content, with and without generation prompt.
final class ChatTemplateFixtureTests: XCTestCase {
    func testRealTemplatesRenderExactlyAsTransformers() throws {
        let root = try XCTUnwrap(try TestFiles.fixture("chat_templates.json") as? [String: Any])
        let conversations = try XCTUnwrap(root["conversations"] as? [String: [[String: Any]]])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 80)
        var templates: [String: ChatTemplate] = [:]
        var matched = 0
        var names = Set<String>()
        for c in cases {
            let name = c["template"] as! String
            let conversation = c["conversation"] as! String
            let template: ChatTemplate
            var variables: [String: Any] = [:]
            if let t = templates[name] {
                template = t
            } else if let folder = c["modelFolder"] as? String {
                template = try ChatTemplate(modelFolder: try TestFiles.shared(folder))
                templates[name] = template
            } else {
                let file = try TestFiles.shared(c["templateFile"] as! String)
                template = try ChatTemplate(template: try String(contentsOf: file, encoding: .utf8), sourceName: file.lastPathComponent)
                templates[name] = template
            }
            if let v = c["variables"] as? [String: Any] { variables = v }
            let messages = try XCTUnwrap(conversations[conversation])
            let gen = c["addGenerationPrompt"] as! Bool
            let expected = c["rendered"] as! String
            do {
                let rendered = try template.render(messages: messages, addGenerationPrompt: gen, variables: variables)
                XCTAssertEqual(rendered, expected, "\(name) / \(conversation) / generation prompt \(gen)")
                if rendered == expected { matched += 1; names.insert(name) }
            } catch {
                XCTFail("\(name) / \(conversation): \(error)")
            }
        }
        print("chat templates: \(matched)/\(cases.count) renders identical across \(names.count) templates")
    }

    /// Tool use reaches the template branches plain chats never do: `tojson(indent=4)`, `items`, `reject`,
    /// `is mapping` on content, tool-call attributes. Messages go in as JSON text, key order kept.
    func testToolUseBranchesRenderExactlyAsTransformers() throws {
        let root = try XCTUnwrap(try TestFiles.fixture("chat_templates.json") as? [String: Any])
        let cases = try XCTUnwrap(root["tools"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 10)
        for c in cases {
            let file = try TestFiles.shared(c["templateFile"] as! String)
            let template = try ChatTemplate(template: try String(contentsOf: file, encoding: .utf8), sourceName: file.lastPathComponent)
            let name = "\(c["name"]!) / generation prompt \(c["addGenerationPrompt"]!)"
            do {
                let rendered = try template.render(messagesJSON: c["messagesJSON"] as! String,
                                                   addGenerationPrompt: c["addGenerationPrompt"] as! Bool,
                                                   variablesJSON: c["variablesJSON"] as? String)
                XCTAssertEqual(rendered, c["rendered"] as! String, name)
            } catch {
                XCTFail("\(name): \(error)")
            }
        }
    }

    /// The `ChatMessage` API gives the same text as the dictionary form the fixtures use.
    func testChatMessageAPIMatchesFixture() throws {
        let template = try ChatTemplate(modelFolder: try TestFiles.shared("deepseek-r1-distill-qwen-1.5b"))
        let text = try template.render([ChatMessage(role: "user", content: "What is 2+2?")], addGenerationPrompt: true)
        XCTAssertEqual(text, "<｜begin▁of▁sentence｜><｜User｜>What is 2+2?<｜Assistant｜><think>\n")
    }
}
