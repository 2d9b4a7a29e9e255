/// The chat template of a GGUF file: `tokenizer.chat_template`, with the special tokens it may print (`bos_token`,
/// `eos_token`, `unk_token`, `pad_token`) spelled as the vocabulary spells them, as tokenizer_config.json would
/// name them.
extension ChatTemplate {
    /// `override` replaces the file's template (from Quill's configuration); the special tokens still come from
    /// the file. `file` names the GGUF file in errors.
    public init(gguf v: GGUFVocabulary, file: String, override: String? = nil) throws {
        let checker = GGUFVocabularyChecker(file: file, count: v.tokens.count)
        var tokens: [String: String] = [:]
        let named: [(name: String, id: Int?, key: String)] = [
            ("bos_token", v.bosTokenId, "bos_token_id"), ("eos_token", v.eosTokenId, "eos_token_id"),
            ("unk_token", v.unknownTokenId, "unknown_token_id"), ("pad_token", v.paddingTokenId, "padding_token_id"),
        ]
        for entry in named {
            guard let id = try checker.id(entry.id, entry.key) else { continue }
            tokens[entry.name] = Self.text(of: id, in: v)
        }
        if let override {
            try self.init(template: override, specialTokens: tokens, sourceName: "chat template override")
            return
        }
        guard let text = v.chatTemplate else {
            throw TokenizerError.malformed(file: file, key: "tokenizer.chat_template",
                                           reason: "missing: this model has no chat template (pass one as an override)")
        }
        try self.init(template: text, specialTokens: tokens, sourceName: "\(file) tokenizer.chat_template")
    }

    /// A token as text: added tokens (control, user-defined, unknown) are stored as their text; byte-level
    /// vocabulary entries are in GPT-2's alphabet and are mapped back to the text they stand for.
    private static func text(of id: Int, in v: GGUFVocabulary) -> String {
        let token = v.tokens[id]
        let type = v.tokenTypes.flatMap { id < $0.count ? $0[id] : nil } ?? GGUFTokenType.normal.rawValue
        guard v.model == "gpt2", type == GGUFTokenType.normal.rawValue, let bytes = ByteLevelAlphabet.bytes(of: token) else {
            return token
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
