import Foundation

/// One turn of a conversation as chat templates see it (`message['role']`, `message['content']`).
public struct ChatMessage: Sendable, Codable, Equatable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A model's chat template (Jinja), rendered by this module's interpreter byte for byte as transformers'
/// `apply_chat_template(…, tokenize=False)` does: same whitespace settings (`trim_blocks`, `lstrip_blocks`),
/// same variables (`messages`, `add_generation_prompt`, `tools` and `documents` as none, the special tokens of
/// tokenizer_config.json), same globals (`raise_exception`, `namespace`, `strftime_now`).
public struct ChatTemplate: @unchecked Sendable {
    /// The template text.
    public let source: String
    /// Where it came from, for error messages.
    public let sourceName: String
    /// `bos_token`, `eos_token`, … by name, as the template sees them.
    public let specialTokens: [String: String]
    // Immutable after parsing; the interpreter builds fresh mutable state for every render.
    private let nodes: [JinjaNode]
    private let lexer: JinjaLexer

    /// Reads the template of a Hugging Face model folder: `chat_template.jinja` when present (transformers 5
    /// saves it there), else `chat_template` of tokenizer_config.json (a string, or a list of named templates of
    /// which "default" is used). `override` replaces the folder's template (from Quill's configuration).
    public init(modelFolder: URL, override: String? = nil) throws {
        let configURL = modelFolder.appendingPathComponent("tokenizer_config.json")
        let config = FileManager.default.fileExists(atPath: configURL.path) ? try JSONNode.load(configURL) : nil
        var tokens: [String: String] = [:]
        if let config {
            for name in ["bos_token", "eos_token", "unk_token", "pad_token"] {
                if let content = try specialTokenContent(config[name]) { tokens[name] = content }
            }
        }
        if let override {
            try self.init(template: override, specialTokens: tokens, sourceName: "chat template override")
            return
        }
        let jinjaURL = modelFolder.appendingPathComponent("chat_template.jinja")
        if FileManager.default.fileExists(atPath: jinjaURL.path) {
            let text: String
            do { text = try String(contentsOf: jinjaURL, encoding: .utf8) } catch {
                throw TokenizerError.unreadable(file: jinjaURL.path, reason: error.localizedDescription)
            }
            try self.init(template: text, specialTokens: tokens, sourceName: jinjaURL.path)
            return
        }
        guard let config else {
            throw TokenizerError.unreadable(file: configURL.path, reason: "no chat_template.jinja and no tokenizer_config.json in the model folder")
        }
        let node = config["chat_template"]
        if let text = node.value as? String {
            try self.init(template: text, specialTokens: tokens, sourceName: "\(configURL.path) chat_template")
        } else if node.value is [Any] {
            let named = try node.array()
            guard let entry = try named.first(where: { try $0["name"].string() == "default" }) else {
                throw node.fail("no template named \"default\" among \(named.count) named templates")
            }
            try self.init(template: try entry["template"].string(), specialTokens: tokens, sourceName: "\(configURL.path) chat_template default")
        } else {
            throw node.fail("missing: this model has no chat template (pass one as an override)")
        }
    }

    /// A template given as text, with the special tokens it may refer to (`bos_token`, `eos_token`, …).
    public init(template: String, specialTokens: [String: String] = [:], sourceName: String = "chat template") throws {
        source = template
        self.sourceName = sourceName
        self.specialTokens = specialTokens
        lexer = JinjaLexer(template, sourceName: sourceName)
        nodes = try JinjaParser.parse(template, sourceName: sourceName)
    }

    /// The prompt text for `messages`; with `addGenerationPrompt` it ends where the assistant's answer begins.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) throws -> String {
        // Built in Python's insertion order (role, then content) for templates that print a message as JSON.
        try render(messages: messages.map { JinjaValue.object(JinjaObject([("role", .string($0.role)), ("content", .string($0.content))])) },
                   addGenerationPrompt: addGenerationPrompt, variables: [:])
    }

    /// The general form: messages as JSON-like dictionaries (so tool calls and other keys reach the template)
    /// and extra template variables (`date_string`, `enable_thinking`, `tools`, …) that override the defaults.
    /// Values are what JSONSerialization produces: String, Bool, numbers, arrays, dictionaries, NSNull.
    public func render(messages: [[String: Any]], addGenerationPrompt: Bool, variables: [String: Any] = [:]) throws -> String {
        try render(messages: messages.map { jinjaValue(fromJSON: $0) }, addGenerationPrompt: addGenerationPrompt, variables: variables)
    }

    /// Messages and variables as JSON text (a list of message objects; an object of variables), with the key
    /// order of every object kept as written, as Python's json keeps it.
    public func render(messagesJSON: String, addGenerationPrompt: Bool, variablesJSON: String? = nil) throws -> String {
        func parse(_ text: String, _ what: String) throws -> JinjaValue {
            do { return try JinjaJSONReader.parse(text) } catch let f as JinjaJSONReader.Failure {
                throw TokenizerError.malformed(file: what, key: "byte \(f.offset)", reason: f.message)
            }
        }
        guard case .array(let messages) = try parse(messagesJSON, "messages JSON") else {
            throw TokenizerError.malformed(file: "messages JSON", key: "(top level)", reason: "expected an array of messages")
        }
        var variables: [String: Any] = [:]
        if let variablesJSON {
            guard case .object(let o) = try parse(variablesJSON, "variables JSON") else {
                throw TokenizerError.malformed(file: "variables JSON", key: "(top level)", reason: "expected an object")
            }
            for k in o.keys { variables[k] = o[k]! }
        }
        return try render(messages: messages, addGenerationPrompt: addGenerationPrompt, variables: variables)
    }

    private func render(messages: [JinjaValue], addGenerationPrompt: Bool, variables: [String: Any]) throws -> String {
        var globals: [String: JinjaValue] = [
            "messages": .array(messages),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "tools": .none,
            "documents": .none,
        ]
        for (k, v) in specialTokens { globals[k] = .string(v) }
        for (k, v) in variables { globals[k] = jinjaValue(fromJSON: v) }
        return try JinjaInterpreter(globals: globals, lexer: lexer).render(nodes)
    }
}

/// Converts JSONSerialization output (or plain Swift values) into template values.
func jinjaValue(fromJSON value: Any?) -> JinjaValue {
    guard let value, !(value is NSNull) else { return .none }
    if let v = value as? JinjaValue { return v }
    if type(of: value) == Bool.self, let b = value as? Bool { return .bool(b) }
    if let s = value as? String { return .string(s) }
    if let n = value as? NSNumber {
        // Foundation reports JSON true/false as NSNumber of type "c" on some platforms.
        let type = String(cString: n.objCType)
        if type == "c" || type == "B" { return .bool(n.boolValue) }
        if type == "d" || type == "f" { return .double(n.doubleValue) }
        return .int(n.intValue)
    }
    if let i = value as? Int { return .int(i) }
    if let d = value as? Double { return .double(d) }
    if let a = value as? [Any] { return .array(a.map { jinjaValue(fromJSON: $0) }) }
    if let o = value as? [String: Any] {
        // JSONSerialization does not keep key order; sort for a stable order where templates iterate a dict.
        return .object(JinjaObject(o.keys.sorted().map { ($0, jinjaValue(fromJSON: o[$0])) }))
    }
    return .string("\(value)")
}
