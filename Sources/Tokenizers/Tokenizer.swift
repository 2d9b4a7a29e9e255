import Foundation

/// A Hugging Face tokenizer read from a model folder's tokenizer.json (plus tokenizer_config.json and
/// generation_config.json for BOS/EOS), producing the same ids as the `tokenizers` library.
///
/// The pipeline is the library's: added tokens are cut out of the raw text first (only when the caller allows
/// it), each remaining stretch is normalized, pre-tokenized into words and BPE-encoded word by word; the
/// post-processor adds BOS/EOS on request. Thread-safe: the only mutable state is the word cache, behind a lock.
public final class Tokenizer: @unchecked Sendable {
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let model: BPEModel
    let decoder: Decoder?
    let postProcessor: PostProcessor
    public let addedTokens: [AddedToken]
    private let addedById: [Int: AddedToken]
    private let addedByContent: [String: Int]
    private let matcher: AddedTokenMatcher

    /// The beginning-of-sequence id (tokenizer_config.json `bos_token`, else generation_config.json).
    public let bosTokenId: Int?
    /// Ids that end generation: tokenizer_config.json `eos_token` and every `eos_token_id` of generation_config.json.
    public let eosTokenIds: [Int]
    /// One more than the largest id of the vocabulary and the added tokens.
    public let vocabularySize: Int

    private let cacheLock = NSLock()
    /// Word bytes → offset in `cacheIds`, where the word's id count is followed by its ids.
    private var cacheIndex = ByteStringTable(capacity: 4096)
    private var cacheIds: [Int32] = []
    private static let cacheCapacity = 100_000

    /// Loads `tokenizer.json` from the folder, and `tokenizer_config.json` and `generation_config.json` when present.
    public convenience init(modelFolder: URL) throws {
        let tokenizerURL = modelFolder.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: tokenizerURL.path) else {
            throw TokenizerError.unreadable(file: tokenizerURL.path, reason: "no tokenizer.json in the model folder")
        }
        func optional(_ name: String) throws -> JSONNode? {
            let url = modelFolder.appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: url.path) ? try JSONNode.load(url) : nil
        }
        try self.init(tokenizer: try JSONNode.load(tokenizerURL), config: try optional("tokenizer_config.json"),
                      generationConfig: try optional("generation_config.json"))
    }

    /// Builds a tokenizer from the contents of the three files (the last two optional).
    public convenience init(tokenizerJSON: Data, tokenizerConfigJSON: Data? = nil, generationConfigJSON: Data? = nil) throws {
        try self.init(tokenizer: try JSONNode.parse(tokenizerJSON, file: "tokenizer.json"),
                      config: try tokenizerConfigJSON.map { try JSONNode.parse($0, file: "tokenizer_config.json") },
                      generationConfig: try generationConfigJSON.map { try JSONNode.parse($0, file: "generation_config.json") })
    }

    init(tokenizer root: JSONNode, config: JSONNode?, generationConfig: JSONNode?) throws {
        if !root["truncation"].isNull { throw root["truncation"].unsupported("truncation settings") }
        addedTokens = try AddedToken.decodeList(root["added_tokens"])
        normalizer = try Normalizer.decode(root["normalizer"])
        preTokenizer = try PreTokenizer.decode(root["pre_tokenizer"])
        decoder = try Decoder.decode(root["decoder"])
        let byteLevel = preTokenizer?.isByteLevel ?? false
        let model = try BPEModel.decode(root["model"], byteLevel: byteLevel, addedTokens: addedTokens)
        self.model = model

        var byId: [Int: AddedToken] = [:]
        var byContent: [String: Int] = [:]
        for t in addedTokens { byId[t.id] = t; byContent[t.content] = t.id }
        addedById = byId
        addedByContent = byContent
        matcher = AddedTokenMatcher(addedTokens)
        vocabularySize = model.tokenStrings.count

        // BOS/EOS by name from tokenizer_config.json; ids from generation_config.json fill in and add.
        let contentIds = byContent
        func id(of content: String?) -> Int? {
            guard let content else { return nil }
            if let id = contentIds[content] { return id }
            let bytes = byteLevel ? (ByteLevelAlphabet.bytes(of: content) ?? Array(content.utf8)) : Array(content.utf8)
            return model.vocabulary.value(for: bytes).map(Int.init)
        }
        let bosName = try config.flatMap { try specialTokenContent($0["bos_token"]) }
        let eosName = try config.flatMap { try specialTokenContent($0["eos_token"]) }
        var eos: [Int] = []
        if let e = id(of: eosName) { eos.append(e) }
        var generationBos: Int? = nil
        if let g = generationConfig {
            generationBos = try g["bos_token_id"].optionalInt()
            let eosNode = g["eos_token_id"]
            let extra = eosNode.value is [Any] ? try eosNode.array().map { try $0.int() } : (try eosNode.optionalInt()).map { [$0] } ?? []
            for e in extra where !eos.contains(e) { eos.append(e) }
        }
        bosTokenId = id(of: bosName) ?? generationBos
        eosTokenIds = eos

        if let p = try PostProcessor.decode(root["post_processor"]) {
            postProcessor = p
        } else {
            let bosName = bosName, eosName = eosName
            // No post-processor in tokenizer.json: fall back on tokenizer_config.json's add_bos/add_eos flags.
            var p = PostProcessor()
            if let config, try config["add_bos_token"].bool(default: false), let b = id(of: bosName) { p.prefix = [Int32(b)] }
            if let config, try config["add_eos_token"].bool(default: false), let e = id(of: eosName) { p.suffix = [Int32(e)] }
            postProcessor = p
        }
    }

    /// A tokenizer from parts built elsewhere (a GGUF file's vocabulary, see GGUFTokenizer.swift).
    init(normalizer: Normalizer?, preTokenizer: PreTokenizer?, model: BPEModel, decoder: Decoder?,
         postProcessor: PostProcessor, addedTokens: [AddedToken], bosTokenId: Int?, eosTokenIds: [Int]) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.decoder = decoder
        self.postProcessor = postProcessor
        self.addedTokens = addedTokens
        var byId: [Int: AddedToken] = [:]
        var byContent: [String: Int] = [:]
        for t in addedTokens where byContent[t.content] == nil { byId[t.id] = t; byContent[t.content] = t.id }
        addedById = byId
        addedByContent = byContent
        matcher = AddedTokenMatcher(addedTokens)
        vocabularySize = model.tokenStrings.count
        self.bosTokenId = bosTokenId
        self.eosTokenIds = eosTokenIds
    }

    // MARK: Encoding

    /// The token ids of `text`.
    /// - Parameters:
    ///   - addSpecialTokens: add the post-processor's tokens (BOS for DeepSeek, Llama, TinyLlama).
    ///   - parseSpecial: let text that spells an added token (`<｜User｜>`, `</s>`, `<think>`) become that token.
    ///     Off by default so that a clinical note can never inject a chat turn; on, this is exactly
    ///     `tokenizers`' `encode`.
    public func encode(_ text: String, addSpecialTokens: Bool = false, parseSpecial: Bool = false) -> [Int] {
        encode(text, addSpecialTokens: addSpecialTokens, parseSpecial: parseSpecial, unescaping: false)
    }

    /// `unescaping`: text stretches carry markers from `escapeAddedTokens` (see ChatEncoding.swift) to remove
    /// after added tokens were matched and before BPE.
    func encode(_ text: String, addSpecialTokens: Bool, parseSpecial: Bool, unescaping: Bool) -> [Int] {
        let bytes = Array(text.utf8)
        var out: [Int32] = []
        out.reserveCapacity(bytes.count / 3 + 4)
        if addSpecialTokens { out += postProcessor.prefix }
        cacheLock.lock()
        if parseSpecial && !matcher.isEmpty {
            for piece in matcher.split(bytes) {
                switch piece {
                case .token(let id): out.append(Int32(id))
                case .text(let range):
                    let stretch = unescaping ? Self.unescape(bytes[range])[...] : bytes[range]
                    encodeStretch(stretch, atInputStart: range.lowerBound == 0, into: &out)
                }
            }
        } else {
            encodeStretch(unescaping ? Self.unescape(bytes)[...] : bytes[...], atInputStart: true, into: &out)
        }
        cacheLock.unlock()
        if addSpecialTokens { out += postProcessor.suffix }
        return out.map(Int.init)
    }

    /// Normalizes, pre-tokenizes and BPE-encodes text that holds no added token. Caller holds `cacheLock`.
    private func encodeStretch(_ raw: ArraySlice<UInt8>, atInputStart: Bool, into out: inout [Int32]) {
        var buffer: [UInt8]
        if let normalizer {
            buffer = Array(normalizer.apply(String(decoding: raw, as: UTF8.self)).utf8)
        } else {
            buffer = Array(raw)
        }
        var words = [0..<buffer.count]
        if let preTokenizer {
            if case .sequence(let steps) = preTokenizer, steps.count == 2, case .split(let pattern) = steps[0],
               case .byteLevel(false, false) = steps[1] {
                // The Qwen2 / Llama 3 configuration: encode each word as the scanner finds it.
                buffer.withUnsafeBufferPointer { text in
                    pattern.split(text, in: 0..<text.count) { encodeWord(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: text[$0])), into: &out) }
                }
                return
            }
            preTokenizer.apply(&buffer, &words, atInputStart: atInputStart)
        }
        buffer.withUnsafeBytes { text in
            for w in words { encodeWord(UnsafeRawBufferPointer(rebasing: text[w]), into: &out) }
        }
    }

    /// One word through the cache. Caller holds `cacheLock`.
    private func encodeWord(_ word: UnsafeRawBufferPointer, into out: inout [Int32]) {
        guard word.count <= BPEModel.cacheableWordLength else {
            model.encodeWord(word, into: &out)
            return
        }
        if let offset = cacheIndex.value(for: word) {
            let start = Int(offset)
            let count = Int(cacheIds[start])
            out.append(contentsOf: cacheIds[(start + 1)..<(start + 1 + count)])
            return
        }
        let before = out.count
        model.encodeWord(word, into: &out)
        if cacheIndex.count >= Self.cacheCapacity {
            cacheIndex.removeAll()
            cacheIds.removeAll(keepingCapacity: true)
        }
        cacheIndex.set(Int32(cacheIds.count), for: word)
        cacheIds.append(Int32(out.count - before))
        cacheIds.append(contentsOf: out[before...])
    }

    // MARK: Decoding

    /// The text of `ids`, through tokenizer.json's decoder. Ids outside the vocabulary are skipped.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        let tokens: [String] = ids.compactMap { id in
            if let added = addedById[id] {
                return skipSpecialTokens && added.special ? nil : added.content
            }
            guard id >= 0 && id < model.tokenStrings.count else { return nil }
            return model.tokenStrings[id]
        }
        guard let decoder else { return tokens.joined() }
        return decoder.decodeChain(tokens).joined()
    }

    // MARK: Vocabulary

    /// The id of an added token or vocabulary entry spelled exactly `content` (as tokenizer.json spells it).
    public func tokenId(for content: String) -> Int? {
        if let id = addedByContent[content] { return id }
        let bytes = model.alphabet == .bytes ? (ByteLevelAlphabet.bytes(of: content) ?? Array(content.utf8)) : Array(content.utf8)
        return model.vocabulary.value(for: bytes).map(Int.init)
    }

    /// The token string of an id as tokenizer.json spells it (byte-level tokens in GPT-2's alphabet).
    public func tokenString(for id: Int) -> String? {
        if let added = addedById[id] { return added.content }
        guard id >= 0 && id < model.tokenStrings.count else { return nil }
        return model.tokenStrings[id]
    }

    /// The added-token pieces of UTF-8 text with their byte ranges.
    func matcherPieces(_ bytes: [UInt8]) -> [(piece: AddedTokenMatcher.Piece, range: Range<Int>)] {
        matcher.splitWithRanges(bytes)
    }

    /// Whether an id is a special added token (the ones `skipSpecialTokens` removes).
    public func isSpecial(_ id: Int) -> Bool { addedById[id]?.special ?? false }

    /// The added tokens that occur spelled out in `text` — what `parseSpecial: true` would turn into control
    /// tokens. The pipeline can use this to flag notes that try to smuggle in chat turns.
    public func addedTokensSpelled(in text: String) -> [AddedToken] {
        matcher.split(Array(text.utf8)).compactMap { piece in
            if case .token(let id) = piece { return addedById[id] }
            return nil
        }
    }
}
