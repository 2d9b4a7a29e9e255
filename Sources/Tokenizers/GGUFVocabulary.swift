/// A tokenizer as a GGUF file describes it in its `tokenizer.ggml.*` metadata: the plain values, read out of the
/// file by the model loader (Tokenizers itself knows nothing of GGUF's binary layout).
public struct GGUFVocabulary: Sendable {
    /// `tokenizer.ggml.model`: "gpt2" (byte-level BPE with merges), "llama" (SentencePiece-style, scores), ...
    public var model: String
    /// `tokenizer.ggml.pre`: the pre-tokenizer's name ("qwen2", "smollm", "llama-bpe", "default", ...), when given.
    public var preTokenizer: String?
    /// `tokenizer.ggml.tokens`, by id.
    public var tokens: [String]
    /// `tokenizer.ggml.token_type`, by id (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte).
    public var tokenTypes: [Int32]?
    /// `tokenizer.ggml.scores`, by id (SentencePiece-style vocabularies).
    public var scores: [Float]?
    /// `tokenizer.ggml.merges`, "left right" each, by rank.
    public var merges: [String]?
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    /// `tokenizer.ggml.eot_token_id`, and any other id that also ends a turn.
    public var endOfTurnTokenIds: [Int]
    public var unknownTokenId: Int?
    public var paddingTokenId: Int?
    /// `tokenizer.ggml.add_bos_token` / `add_eos_token`.
    public var addBOS: Bool?
    public var addEOS: Bool?
    /// `tokenizer.chat_template`.
    public var chatTemplate: String?
    /// `tokenizer.ggml.add_space_prefix`: whether "llama" (SentencePiece-style) vocabularies put `▁` before the
    /// text; nil means llama.cpp's default, yes.
    public var addSpacePrefix: Bool?

    public init(model: String, preTokenizer: String? = nil, tokens: [String], tokenTypes: [Int32]? = nil,
                scores: [Float]? = nil, merges: [String]? = nil, bosTokenId: Int? = nil, eosTokenId: Int? = nil,
                endOfTurnTokenIds: [Int] = [], unknownTokenId: Int? = nil, paddingTokenId: Int? = nil,
                addBOS: Bool? = nil, addEOS: Bool? = nil, chatTemplate: String? = nil, addSpacePrefix: Bool? = nil) {
        self.model = model; self.preTokenizer = preTokenizer; self.tokens = tokens; self.tokenTypes = tokenTypes
        self.scores = scores; self.merges = merges; self.bosTokenId = bosTokenId; self.eosTokenId = eosTokenId
        self.endOfTurnTokenIds = endOfTurnTokenIds; self.unknownTokenId = unknownTokenId
        self.paddingTokenId = paddingTokenId; self.addBOS = addBOS; self.addEOS = addEOS; self.chatTemplate = chatTemplate
        self.addSpacePrefix = addSpacePrefix
    }
}
