import Foundation
import GGUF
import Tokenizers

/// Where a model's tokenizer and chat template come from: a Hugging Face folder's JSON files, or the metadata of a
/// `.gguf` file (which alone is a complete model). Callers pass whatever `--model` named.
public enum ModelFiles {
    /// A regular file named `*.gguf` (a folder is a Hugging Face model folder).
    public static func isGGUF(_ url: URL) -> Bool {
        var isFolder: ObjCBool = false
        return url.pathExtension.lowercased() == "gguf"
            && FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && !isFolder.boolValue
    }

    /// The model's config without touching the weights: a folder's config.json, or a GGUF file's metadata.
    public static func config(at url: URL) throws -> ModelConfig {
        if isGGUF(url) { return try ModelConfig(gguf: GGUFFile(path: url.path)) }
        return try ModelConfig.load(url.appendingPathComponent("config.json"))
    }

    /// Bytes of a GGUF file's tensors (they are mapped as stored, whatever `--quant` says); nil for a folder.
    public static func storedWeightBytes(at url: URL) throws -> Int? {
        guard isGGUF(url) else { return nil }
        return try GGUFFile(path: url.path).tensors.reduce(0) { $0 + $1.byteCount }
    }

    public static func tokenizer(at url: URL) throws -> Tokenizer {
        guard isGGUF(url) else { return try Tokenizer(modelFolder: url) }
        let file = try GGUFFile(path: url.path)
        return try Tokenizer(gguf: vocabulary(of: file), file: file.path)
    }

    public static func chatTemplate(at url: URL, override: String? = nil) throws -> ChatTemplate {
        guard isGGUF(url) else { return try ChatTemplate(modelFolder: url, override: override) }
        let file = try GGUFFile(path: url.path)
        let vocabulary = try vocabulary(of: file)
        var special: [String: String] = [:]
        for (name, id) in [("bos_token", vocabulary.bosTokenId), ("eos_token", vocabulary.eosTokenId),
                           ("unk_token", vocabulary.unknownTokenId), ("pad_token", vocabulary.paddingTokenId)] {
            if let id, id >= 0, id < vocabulary.tokens.count { special[name] = vocabulary.tokens[id] }
        }
        if let override { return try ChatTemplate(template: override, specialTokens: special, sourceName: "chat template override") }
        guard let text = vocabulary.chatTemplate else {
            throw GGUFError(file: file.path, place: "key 'tokenizer.chat_template'", reason: "missing: this model has no chat template (pass one as an override)")
        }
        return try ChatTemplate(template: text, specialTokens: special, sourceName: "\(file.path) tokenizer.chat_template")
    }

    /// The `tokenizer.ggml.*` metadata as plain values; wrong types and ids outside the vocabulary are named.
    public static func vocabulary(of file: GGUFFile) throws -> GGUFVocabulary {
        guard let model = try file.string("tokenizer.ggml.model") else {
            throw GGUFError(file: file.path, place: "key 'tokenizer.ggml.model'", reason: "missing: the file carries no tokenizer")
        }
        guard let tokens = try file.strings("tokenizer.ggml.tokens") else {
            throw GGUFError(file: file.path, place: "key 'tokenizer.ggml.tokens'", reason: "missing")
        }
        func id(_ key: String) throws -> Int? {
            guard let v = try file.integer("tokenizer.ggml.\(key)") else { return nil }
            guard v >= 0, v < tokens.count else {
                throw GGUFError(file: file.path, place: "key 'tokenizer.ggml.\(key)'", reason: "\(v) is not an id of the \(tokens.count)-token vocabulary")
            }
            return v
        }
        func perToken<T>(_ key: String, _ list: [T]?) throws -> [T]? {
            guard let list else { return nil }
            guard list.count == tokens.count else {
                throw GGUFError(file: file.path, place: "key 'tokenizer.ggml.\(key)'", reason: "\(list.count) entries for \(tokens.count) tokens")
            }
            return list
        }
        let types = try perToken("token_type", try file.integers("tokenizer.ggml.token_type")?.map { Int32(clamping: $0) })
        let scores = try perToken("scores", try file.numbers("tokenizer.ggml.scores")?.map { Float($0) })
        return GGUFVocabulary(
            model: model, preTokenizer: try file.string("tokenizer.ggml.pre"), tokens: tokens, tokenTypes: types,
            scores: scores, merges: try file.strings("tokenizer.ggml.merges"), bosTokenId: try id("bos_token_id"),
            eosTokenId: try id("eos_token_id"), endOfTurnTokenIds: [try id("eot_token_id"), try id("eom_token_id")].compactMap { $0 },
            unknownTokenId: try id("unknown_token_id"), paddingTokenId: try id("padding_token_id"),
            addBOS: try file.bool("tokenizer.ggml.add_bos_token"), addEOS: try file.bool("tokenizer.ggml.add_eos_token"),
            chatTemplate: try file.string("tokenizer.chat_template"))
    }
}
