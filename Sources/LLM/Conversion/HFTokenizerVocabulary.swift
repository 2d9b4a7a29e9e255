import Foundation
import Tokenizers

/// A Hugging Face folder's tokenizer (tokenizer.json, tokenizer_config.json, chat_template.jinja) as the values of a
/// GGUF file's `tokenizer.ggml.*` keys, the way llama.cpp's convert_hf_to_gguf.py fills them:
///
/// - byte-level BPE (Qwen2, Llama 3): model "gpt2", tokens by id, merges by rank, `pre` named after the Split
///   regex; added tokens that are special or look special (`<|…|>`, `<｜…｜>`) are control (3), other added
///   tokens user-defined (4), ids between the tokenizer's size and the embedding's rows `[PAD{id}]`, unused (5).
/// - SentencePiece-style BPE with byte fallback (Llama 2, TinyLlama): model "llama" with scores. tokenizer.json has
///   merges, not scores: each token's score is minus the rank of the first merge that makes it, so that merging
///   by highest score (llama.cpp, and Quill's GGUF tokenizer) takes the merges in tokenizer.json's order.
///   `<0xNN>` tokens are bytes (6), the unknown token unknown (2).
///
/// Every failure names the file and the key.
enum HFTokenizerVocabulary {
    static func read(folder: URL, config: ModelConfig) throws -> GGUFVocabulary {
        let tokenizerURL = folder.appendingPathComponent("tokenizer.json")
        let path = tokenizerURL.path
        func fail(_ key: String, _ reason: String) -> ModelLoadError { .malformedConfig(file: path, key: key, reason: reason) }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelLoadError.unreadable(file: path, reason: "no tokenizer.json in the model folder: a GGUF file carries its tokenizer, so one is needed")
        }
        let root = try jsonObject(tokenizerURL)
        guard let model = root["model"] as? [String: Any] else { throw fail("model", "missing or not an object") }
        let type = (model["type"] as? String) ?? "BPE"
        guard type == "BPE" else { throw fail("model.type", "\"\(type)\" is not supported (BPE is)") }
        guard let vocab = model["vocab"] as? [String: Any] else { throw fail("model.vocab", "missing or not an object") }
        let merges = try mergeStrings(model["merges"], fail: fail)
        let added = (root["added_tokens"] as? [[String: Any]]) ?? []

        let byteLevel = contains(root["pre_tokenizer"], type: "ByteLevel") || contains(root["decoder"], type: "ByteLevel")
        let sentencePiece = !byteLevel && (model["byte_fallback"] as? Bool ?? false)
        guard byteLevel || sentencePiece else {
            throw fail("model", "neither byte-level BPE nor BPE with byte_fallback: not a tokenizer llama.cpp's \"gpt2\" or \"llama\" models hold")
        }

        let n = config.vocabulary
        var tokens = (0..<n).map { "[PAD\($0)]" }
        var types = [Int32](repeating: 5, count: n)
        var filled = [Bool](repeating: false, count: n)
        for (token, value) in vocab {
            guard let id = value as? Int, id >= 0 else { throw fail("model.vocab.\(token)", "\(value) is not a token id") }
            guard id < n else { throw fail("model.vocab.\(token)", "id \(id) is outside the model's \(n) embedding rows (config.json vocab_size)") }
            tokens[id] = token; types[id] = 1; filled[id] = true
        }
        var specialContents = Set<String>()
        for (i, entry) in added.enumerated() {
            guard let id = entry["id"] as? Int, let content = entry["content"] as? String, id >= 0 else {
                throw fail("added_tokens[\(i)]", "needs an id and a content")
            }
            guard id < n else { throw fail("added_tokens[\(i)]", "id \(id) is outside the model's \(n) embedding rows (config.json vocab_size)") }
            let special = (entry["special"] as? Bool) ?? false
            tokens[id] = content; filled[id] = true
            types[id] = special || looksSpecial(content) ? 3 : 4
            if special { specialContents.insert(content) }
        }

        let tokenizerConfig = try optionalJSON(folder.appendingPathComponent("tokenizer_config.json"))
        var idOf: [String: Int] = [:]
        for (id, t) in tokens.enumerated() where filled[id] && idOf[t] == nil { idOf[t] = id }
        func specialId(_ key: String) -> Int? {
            guard let content = specialContent(tokenizerConfig?[key]) else { return nil }
            return idOf[content]
        }
        let unknownName = model["unk_token"] as? String
        let unknown = unknownName.flatMap { idOf[$0] } ?? specialId("unk_token")

        var v = GGUFVocabulary(model: sentencePiece ? "llama" : "gpt2", tokens: tokens)
        if sentencePiece {
            if let unknown { types[unknown] = 2 }
            for (id, t) in tokens.enumerated() where filled[id] && types[id] == 1 && isByteToken(t) { types[id] = 6 }
            v.scores = scores(tokens: tokens, filled: filled, merges: merges, idOf: idOf)
            v.preTokenizer = "default"
            // Llama 2's tokenizer puts "▁" before the text (a Prepend normalizer, or a Metaspace pre-tokenizer that
            // prepends); one that does not must say so, or llama.cpp would add it.
            let prepends = contains(root["normalizer"], type: "Prepend") || contains(root["pre_tokenizer"], type: "Metaspace")
            if !prepends { v.addSpacePrefix = false }
        } else {
            v.merges = merges
            v.preTokenizer = try preTokenizerName(root["pre_tokenizer"], bos: specialContent(tokenizerConfig?["bos_token"]), fail: fail)
        }
        v.tokenTypes = types
        v.bosTokenId = specialId("bos_token") ?? config.bosTokenId
        v.eosTokenId = specialId("eos_token") ?? config.eosTokenIds.first
        v.unknownTokenId = unknown
        v.paddingTokenId = specialId("pad_token")
        v.addBOS = (tokenizerConfig?["add_bos_token"] as? Bool) ?? templateAddsBOS(root["post_processor"])
        v.addEOS = tokenizerConfig?["add_eos_token"] as? Bool
        v.chatTemplate = try chatTemplate(folder: folder, tokenizerConfig: tokenizerConfig)
        for (key, id) in [("bos_token_id", v.bosTokenId), ("eos_token_id", v.eosTokenId)] {
            if let id, !(0..<n).contains(id) { throw fail(key, "id \(id) is outside the \(n)-token vocabulary") }
        }
        return v
    }

    static func jsonObject(_ url: URL) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelLoadError.unreadable(file: url.path, reason: "cannot be read")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelLoadError.malformedConfig(file: url.path, key: "(file)", reason: "not a JSON object")
        }
        return object
    }

    static func optionalJSON(_ url: URL) throws -> [String: Any]? {
        FileManager.default.fileExists(atPath: url.path) ? try jsonObject(url) : nil
    }

    /// Merges as "left right", from either form tokenizer.json uses ("a b" or ["a", "b"]).
    static func mergeStrings(_ node: Any?, fail: (String, String) -> ModelLoadError) throws -> [String] {
        guard let list = node as? [Any] else { throw fail("model.merges", "missing or not an array") }
        return try list.enumerated().map { rank, item in
            if let s = item as? String { return s }
            if let pair = item as? [String], pair.count == 2 { return pair[0] + " " + pair[1] }
            throw fail("model.merges[\(rank)]", "neither \"a b\" nor [\"a\", \"b\"]")
        }
    }

    /// Whether a (possibly Sequence) component of tokenizer.json has a step of `type`.
    static func contains(_ node: Any?, type: String) -> Bool {
        guard let object = node as? [String: Any] else { return false }
        if object["type"] as? String == type { return true }
        for key in ["pretokenizers", "normalizers", "decoders", "processors"] {
            if let steps = object[key] as? [Any], steps.contains(where: { contains($0, type: type) }) { return true }
        }
        return false
    }

    /// The Split regexes of a pre-tokenizer, in order.
    static func splitRegexes(_ node: Any?) -> [String] {
        guard let object = node as? [String: Any] else { return [] }
        if object["type"] as? String == "Split", let regex = (object["pattern"] as? [String: Any])?["Regex"] as? String { return [regex] }
        return ((object["pretokenizers"] as? [Any]) ?? []).flatMap(splitRegexes)
    }

    static func preTokenizerName(_ node: Any?, bos: String?, fail: (String, String) -> ModelLoadError) throws -> String {
        let regexes = splitRegexes(node)
        switch regexes {
        case [HFPreTokenizers.qwen2Regex]: return bos == HFPreTokenizers.deepSeekBOS ? "deepseek-r1-qwen" : "qwen2"
        case [HFPreTokenizers.llama3Regex]: return "llama-bpe"
        case [] where contains(node, type: "ByteLevel"): return "gpt2"
        default:
            throw fail("pre_tokenizer", "a pre-tokenizer llama.cpp has no name for here (Qwen2's and Llama 3's Split regexes, and GPT-2's ByteLevel, are known)")
        }
    }

    /// llama.cpp's `does_token_look_special`: `<|…|>`, `<｜…｜>` and the classic `<s>`/`</s>`/`<unk>`-style markers.
    static func looksSpecial(_ t: String) -> Bool {
        (t.hasPrefix("<|") && t.hasSuffix("|>")) || (t.hasPrefix("<｜") && t.hasSuffix("｜>"))
            || ["<pad>", "<mask>", "<s>", "</s>", "<unk>", "<2mass>", "[@BOS@]"].contains(t)
    }

    static func isByteToken(_ t: String) -> Bool {
        t.utf8.count == 6 && t.hasPrefix("<0x") && t.hasSuffix(">") && UInt8(t.dropFirst(3).prefix(2), radix: 16) != nil
    }

    /// bos_token and friends: a string, or an object with "content" (AddedToken as transformers saves it).
    static func specialContent(_ node: Any?) -> String? {
        if let s = node as? String { return s }
        return (node as? [String: Any])?["content"] as? String
    }

    /// Whether tokenizer.json's post-processor puts a special token before the text.
    static func templateAddsBOS(_ node: Any?) -> Bool {
        guard let object = node as? [String: Any] else { return false }
        if object["type"] as? String == "TemplateProcessing", let single = object["single"] as? [[String: Any]] {
            return single.first?["SpecialToken"] != nil
        }
        return ((object["processors"] as? [Any]) ?? []).contains(where: templateAddsBOS)
    }

    static func chatTemplate(folder: URL, tokenizerConfig: [String: Any]?) throws -> String? {
        let jinja = folder.appendingPathComponent("chat_template.jinja")
        if let data = FileManager.default.contents(atPath: jinja.path) {
            guard let text = String(data: data, encoding: .utf8) else {
                throw ModelLoadError.unreadable(file: jinja.path, reason: "not UTF-8")
            }
            return text
        }
        if let text = tokenizerConfig?["chat_template"] as? String { return text }
        if let list = tokenizerConfig?["chat_template"] as? [[String: Any]] {
            return (list.first { $0["name"] as? String == "default" } ?? list.first)?["template"] as? String
        }
        return nil
    }

    /// score(t) = −(rank of the first merge making t); tokens no merge makes score below every merge.
    static func scores(tokens: [String], filled: [Bool], merges: [String], idOf: [String: Int]) -> [Float] {
        var scores = [Float](repeating: 0, count: tokens.count)
        var ranked = [Bool](repeating: false, count: tokens.count)
        for (rank, merge) in merges.enumerated() {
            guard let space = merge.firstIndex(of: " ") else { continue }
            let merged = String(merge[..<space]) + String(merge[merge.index(after: space)...])
            if let id = idOf[merged], !ranked[id] { scores[id] = -Float(rank); ranked[id] = true }
        }
        let floor = -Float(merges.count)
        for id in tokens.indices where filled[id] && !ranked[id] && tokens[id].unicodeScalars.count > 1 && !isByteToken(tokens[id]) {
            scores[id] = floor - Float(id)
        }
        return scores
    }
}
