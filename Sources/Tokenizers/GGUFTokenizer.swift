/// A tokenizer from a GGUF file's `tokenizer.ggml.*` metadata, built from the same parts as a tokenizer.json one so
/// that it gives the same ids as Hugging Face's tokenizer of that model and encodes just as fast:
///
/// - "gpt2": byte-level BPE; tokens are stored in GPT-2's byte alphabet, merges as "left right" by rank, the
///   pre-tokenizer is the one `tokenizer.ggml.pre` names (GGUFPreTokenizer.swift).
/// - "llama": SentencePiece-style BPE; spaces become `▁` (and one is put in front), pieces merge highest score
///   first, scalars missing from the vocabulary fall back to `<0xNN>` byte tokens. Hugging Face's converter
///   turns the scores into merges ranked by score; the same merges are derived here.
///
/// Tokens of type control (3) and user-defined (4) are added tokens, matched whole in the text when the caller
/// parses special tokens, as llama.cpp does (control ones are special: `skipSpecialTokens` drops them).
extension Tokenizer {
    /// A tokenizer from a GGUF file's vocabulary. `file` names the GGUF file in errors.
    public convenience init(gguf vocabulary: GGUFVocabulary, file: String) throws {
        let parts = try GGUFTokenizerParts(vocabulary, file: file)
        self.init(normalizer: parts.normalizer, preTokenizer: parts.preTokenizer, model: parts.model,
                  decoder: parts.decoder, postProcessor: parts.postProcessor, addedTokens: parts.addedTokens,
                  bosTokenId: parts.bosTokenId, eosTokenIds: parts.eosTokenIds)
    }
}

/// GGUF's token types (`tokenizer.ggml.token_type`).
enum GGUFTokenType: Int32 {
    case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
}

/// The checked and assembled parts of a GGUF tokenizer.
struct GGUFTokenizerParts {
    var normalizer: Normalizer?
    var preTokenizer: PreTokenizer?
    var model: BPEModel
    var decoder: Decoder?
    var postProcessor = PostProcessor()
    var addedTokens: [AddedToken] = []
    var bosTokenId: Int?
    var eosTokenIds: [Int] = []

    init(_ v: GGUFVocabulary, file: String) throws {
        let checker = GGUFVocabularyChecker(file: file, count: v.tokens.count)
        let n = v.tokens.count
        guard n > 0 else { throw checker.malformed("tokens", "the vocabulary is empty") }
        guard n <= JSONNode.maximumTokenId + 1 else {
            throw checker.malformed("tokens", "\(n) tokens, more than the \(JSONNode.maximumTokenId + 1) supported")
        }
        if let types = v.tokenTypes, types.count != n {
            throw checker.malformed("token_type", "\(types.count) entries for \(n) tokens")
        }
        if let scores = v.scores, scores.count != n {
            throw checker.malformed("scores", "\(scores.count) entries for \(n) tokens")
        }
        let types = v.tokenTypes ?? [Int32](repeating: GGUFTokenType.normal.rawValue, count: n)

        let isSentencePiece: Bool
        switch v.model {
        case "gpt2": isSentencePiece = false
        case "llama": isSentencePiece = true
        default:
            throw TokenizerError.unsupported(file: file, key: "tokenizer.ggml.model",
                                             what: "tokenizer model \"\(v.model)\" (supported: \"gpt2\", \"llama\")")
        }
        // llama.cpp's defaults for SentencePiece vocabularies that do not name their special tokens.
        let bos = try checker.id(v.bosTokenId ?? (isSentencePiece && n > 1 ? 1 : nil), "bos_token_id")
        let eos = try checker.id(v.eosTokenId ?? (isSentencePiece && n > 2 ? 2 : nil), "eos_token_id")
        let unknown = try checker.id(v.unknownTokenId ?? (isSentencePiece ? 0 : nil), "unknown_token_id")
        _ = try checker.id(v.paddingTokenId, "padding_token_id")
        var eosIds = eos.map { [$0] } ?? []
        for id in v.endOfTurnTokenIds where !eosIds.contains(id) {
            eosIds.append(try checker.id(id, "eot_token_id")!)
        }
        bosTokenId = bos
        eosTokenIds = eosIds

        for (id, type) in types.enumerated() {
            switch GGUFTokenType(rawValue: type) {
            case .control, .userDefined, .unknown:
                addedTokens.append(AddedToken(id: id, content: v.tokens[id], singleWord: false, lstrip: false, rstrip: false,
                                              normalized: false, special: type != GGUFTokenType.userDefined.rawValue))
            default:
                break
            }
        }

        let addBOS: Bool
        if isSentencePiece {
            guard let scores = v.scores else {
                throw checker.malformed("scores", "missing: a \"llama\" vocabulary merges its pieces by score")
            }
            model = GGUFTokenizerParts.sentencePieceModel(v.tokens, types: types, scores: scores,
                                                           unknown: unknown.map { Int32($0) })
            let marker = "\u{2581}"
            if v.addSpacePrefix ?? true {
                normalizer = .sequence([.prepend(marker), .replace(" ", with: marker)])
                decoder = .sequence([.replace(marker, with: " "), .byteFallback, .fuse, .strip(content: " ", start: 1, stop: 0)])
            } else {
                normalizer = .replace(" ", with: marker)
                decoder = .sequence([.replace(marker, with: " "), .byteFallback, .fuse])
            }
            addBOS = v.addBOS ?? true
        } else {
            let name = v.preTokenizer ?? "default"
            guard let pre = GGUFPreTokenizer(named: name) else {
                throw TokenizerError.unsupported(file: file, key: "tokenizer.ggml.pre",
                                                 what: "pre-tokenizer \"\(name)\" (supported: \(GGUFPreTokenizer.knownNames.joined(separator: ", ")))")
            }
            guard let merges = v.merges else {
                throw checker.malformed("merges", "missing: a \"gpt2\" vocabulary needs its merges")
            }
            model = try GGUFTokenizerParts.byteLevelModel(v.tokens, types: types, merges: merges, ignoreMerges: pre.ignoreMerges,
                                                          unknown: unknown.map { Int32($0) }, checker: checker)
            preTokenizer = pre.preTokenizer
            normalizer = pre.normalizer
            decoder = .byteLevel
            addBOS = v.addBOS ?? pre.addsBOS
        }
        if addBOS, let bos { postProcessor.prefix = [Int32(bos)] }
        if v.addEOS ?? false, let eos { postProcessor.suffix = [Int32(eos)] }
    }

    /// Whether a token of this type is text of the model's vocabulary (the others are added tokens or unused slots).
    private static func isVocabularyText(_ type: Int32) -> Bool {
        switch GGUFTokenType(rawValue: type) {
        case .control, .userDefined, .unused: return false
        default: return true
        }
    }

    /// Token string → id, the first id of a string listed twice (as llama.cpp's map keeps it).
    private static func idsByString(_ tokens: [String]) -> [String: Int32] {
        var idOf: [String: Int32] = [:]
        idOf.reserveCapacity(tokens.count)
        for (id, t) in tokens.enumerated() where idOf[t] == nil { idOf[t] = Int32(id) }
        return idOf
    }

    static func byteLevelModel(_ tokens: [String], types: [Int32], merges rawMerges: [String], ignoreMerges: Bool,
                               unknown: Int32?, checker: GGUFVocabularyChecker) throws -> BPEModel {
        let idOf = idsByString(tokens)
        var strings = [String](repeating: "", count: tokens.count)
        var table = ByteStringTable(capacity: tokens.count)
        for (id, t) in tokens.enumerated() where isVocabularyText(types[id]) {
            strings[id] = t
            let bytes = ByteLevelAlphabet.bytes(of: t) ?? Array(t.utf8)
            if table.value(for: bytes) == nil { table.set(Int32(id), for: bytes) }
        }
        var merges = MergeTable(capacity: rawMerges.count)
        for (rank, merge) in rawMerges.enumerated() {
            let key = "merges[\(rank)]"
            // llama.cpp splits at the first space after the first byte.
            let u = Array(merge.utf8)
            guard u.count >= 3, let space = u[1...].firstIndex(of: 0x20), space + 1 < u.count else {
                throw checker.malformed(key, "\(checker.quoted(merge)) is not \"left right\"")
            }
            let left = String(decoding: u[..<space], as: UTF8.self)
            let right = String(decoding: u[(space + 1)...], as: UTF8.self)
            guard let l = idOf[left] else { throw checker.malformed(key, "\(checker.quoted(left)) is not a token") }
            guard let r = idOf[right] else { throw checker.malformed(key, "\(checker.quoted(right)) is not a token") }
            guard let m = idOf[left + right] else {
                throw checker.malformed(key, "\(checker.quoted(merge)) makes \(checker.quoted(left + right)), which is not a token")
            }
            merges.insert(left: l, right: r, rank: Int32(rank), merged: m)
        }
        var byteIds = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            if let id = idOf[String(ByteLevelAlphabet.byteToScalar[b])] { byteIds[b] = id }
        }
        return BPEModel(alphabet: .bytes, vocabulary: table, tokenStrings: strings, merges: merges, byteIds: byteIds,
                        unknownId: unknown, byteFallback: false, fuseUnknown: false, ignoreMerges: ignoreMerges)
    }

    /// SentencePiece-style BPE with merges derived from the scores the way Hugging Face's converter derives them
    /// (`SentencePieceExtractor`): every split of a piece into two pieces of the vocabulary is a merge; merges
    /// are ranked by the merged piece's score, highest first, ties in piece order, then by the ids of the two
    /// halves.
    static func sentencePieceModel(_ tokens: [String], types: [Int32], scores: [Float], unknown: Int32?) -> BPEModel {
        let idOf = idsByString(tokens)
        var strings = [String](repeating: "", count: tokens.count)
        var table = ByteStringTable(capacity: tokens.count)
        for (id, t) in tokens.enumerated() where isVocabularyText(types[id]) {
            strings[id] = t
            if table.value(for: Array(t.utf8)) == nil { table.set(Int32(id), for: Array(t.utf8)) }
        }
        struct Candidate { var score: Float; var order: Int; var left: Int32; var right: Int32; var merged: Int32 }
        var candidates: [Candidate] = []
        for (id, piece) in tokens.enumerated() where idOf[piece] == Int32(id) {
            let scalars = Array(piece.unicodeScalars)
            guard scalars.count >= 2 else { continue }
            var local: [(left: Int32, right: Int32)] = []
            for k in 1..<scalars.count {
                var l = String.UnicodeScalarView(), r = String.UnicodeScalarView()
                l.append(contentsOf: scalars[..<k])
                r.append(contentsOf: scalars[k...])
                if let li = idOf[String(l)], let ri = idOf[String(r)] { local.append((li, ri)) }
            }
            local.sort { $0.left != $1.left ? $0.left < $1.left : $0.right < $1.right }
            // A NaN score from a damaged file ranks last instead of breaking the ordering.
            let score = scores[id].isNaN ? -Float.infinity : scores[id]
            for pair in local {
                candidates.append(Candidate(score: score, order: candidates.count, left: pair.left, right: pair.right, merged: Int32(id)))
            }
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.order < $1.order }
        var merges = MergeTable(capacity: candidates.count)
        for (rank, c) in candidates.enumerated() {
            merges.insert(left: c.left, right: c.right, rank: Int32(rank), merged: c.merged)
        }
        var byteIds = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            if let id = idOf[String(format: "<0x%02X>", b)], types[Int(id)] == GGUFTokenType.byte.rawValue || types[Int(id)] == GGUFTokenType.normal.rawValue {
                byteIds[b] = id
            }
        }
        return BPEModel(alphabet: .scalars, vocabulary: table, tokenStrings: strings, merges: merges, byteIds: byteIds,
                        unknownId: unknown, byteFallback: true, fuseUnknown: true, ignoreMerges: false)
    }
}

/// Errors that name the GGUF file and the metadata key.
struct GGUFVocabularyChecker {
    let file: String
    let count: Int

    func malformed(_ key: String, _ reason: String) -> TokenizerError {
        .malformed(file: file, key: "tokenizer.ggml.\(key)", reason: reason)
    }

    /// The id itself when it names a token of the vocabulary.
    func id(_ id: Int?, _ key: String) throws -> Int? {
        guard let id else { return nil }
        guard id >= 0 && id < count else {
            throw malformed(key, "token id \(id) is outside the vocabulary of \(count) tokens")
        }
        return id
    }

    /// A token from the file, quoted and cut short for an error message.
    func quoted(_ s: String) -> String {
        let cut = s.unicodeScalars.count > 40 ? String(String.UnicodeScalarView(s.unicodeScalars.prefix(40))) + "…" : s
        return "\"" + cut + "\""
    }
}
