import Foundation
import Tokenizers

/// A GGUF file's tokenizer (`tokenizer.ggml.*`) as a Hugging Face tokenizer.json and tokenizer_config.json, built
/// from the same parts `Tokenizer(gguf:)` assembles, so that the folder tokenizes as the GGUF file does:
///
/// - "gpt2": a byte-level BPE model with the file's merges; the pre-tokenizer the `pre` name stands for (Qwen2's or
///   Llama 3's Split regex, then ByteLevel; GPT-2's ByteLevel with its regex); NFC for Qwen2 as its tokenizer.json has.
/// - "llama": a BPE model with byte fallback whose merges come from the scores as Hugging Face's converter derives
///   them (SentencePieceExtractor): every split of a piece into two pieces is a merge, ranked by the piece's score.
///
/// Control, user-defined and unknown tokens become added tokens (control and unknown ones special); unused
/// `[PAD…]` slots are left out. BOS/EOS are added by tokenizer_config.json's flags (no post-processor).
enum HFTokenizerExport {
    static func write(_ v: GGUFVocabulary, to folder: URL, file: String) throws {
        let types = v.tokenTypes ?? [Int32](repeating: 1, count: v.tokens.count)
        let isSentencePiece = v.model == "llama"
        guard isSentencePiece || v.model == "gpt2" else {
            throw ModelLoadError.unsupported(file: file, reason: "key 'tokenizer.ggml.model': \"\(v.model)\" cannot be written as tokenizer.json (gpt2 and llama can)")
        }
        var vocab: [String: Int] = [:]
        var added: [[String: Any]] = []
        for (id, t) in v.tokens.enumerated() {
            let type = types[id]
            if type == 5 { continue }
            let isAdded = type == 3 || type == 4 || type == 2
            if isAdded {
                added.append(["id": id, "content": t, "single_word": false, "lstrip": false, "rstrip": false,
                              "normalized": false, "special": type != 4])
            }
            // Byte-level vocabularies keep added tokens out of the model (as Qwen2's tokenizer.json does);
            // SentencePiece ones list every piece (as Llama 2's does).
            if (isSentencePiece || !isAdded), vocab[t] == nil { vocab[t] = id }
        }

        var model: [String: Any] = ["type": "BPE", "dropout": NSNull(), "continuing_subword_prefix": NSNull(),
                                    "end_of_word_suffix": NSNull(), "vocab": vocab]
        var root: [String: Any] = ["version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added,
                                   "post_processor": NSNull()]
        if isSentencePiece {
            guard let scores = v.scores, scores.count == v.tokens.count else {
                throw ModelLoadError.malformedConfig(file: file, key: "tokenizer.ggml.scores", reason: "missing or not one per token")
            }
            model["merges"] = sentencePieceMerges(v.tokens, types: types, scores: scores)
            model["byte_fallback"] = true
            model["fuse_unk"] = true
            model["unk_token"] = v.unknownTokenId.map { v.tokens[$0] } ?? NSNull()
            let marker = "\u{2581}"
            let replace: [String: Any] = ["type": "Replace", "pattern": ["String": " "], "content": marker]
            let prepend = v.addSpacePrefix ?? true
            root["normalizer"] = prepend ? ["type": "Sequence", "normalizers": [["type": "Prepend", "prepend": marker], replace]] as [String: Any] : replace
            root["pre_tokenizer"] = NSNull()
            var decoders: [[String: Any]] = [["type": "Replace", "pattern": ["String": marker], "content": " "],
                                             ["type": "ByteFallback"], ["type": "Fuse"]]
            if prepend { decoders.append(["type": "Strip", "content": " ", "start": 1, "stop": 0]) }
            root["decoder"] = ["type": "Sequence", "decoders": decoders]
        } else {
            guard let merges = v.merges else {
                throw ModelLoadError.malformedConfig(file: file, key: "tokenizer.ggml.merges", reason: "missing: a gpt2 vocabulary needs its merges")
            }
            model["merges"] = merges
            model["byte_fallback"] = false
            model["unk_token"] = NSNull()
            let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false]
            func split(_ regex: String) -> [String: Any] {
                ["type": "Sequence", "pretokenizers": [["type": "Split", "pattern": ["Regex": regex], "behavior": "Isolated", "invert": false], byteLevel]]
            }
            switch v.preTokenizer ?? "default" {
            case "qwen2", "deepseek-r1-qwen":
                root["pre_tokenizer"] = split(HFPreTokenizers.qwen2Regex)
                root["normalizer"] = ["type": "NFC"]
            case "llama3", "llama-v3", "llama-bpe":
                root["pre_tokenizer"] = split(HFPreTokenizers.llama3Regex)
                root["normalizer"] = NSNull()
                model["ignore_merges"] = true
            case "gpt2", "gpt-2":
                root["pre_tokenizer"] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
                root["normalizer"] = NSNull()
            case let other:
                throw ModelLoadError.unsupported(file: file, reason: "key 'tokenizer.ggml.pre': \"\(other)\" has no tokenizer.json form here (qwen2, deepseek-r1-qwen, llama-bpe, gpt2 do)")
            }
            root["decoder"] = ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true]
        }
        root["model"] = model
        try writeJSON(root, to: folder.appendingPathComponent("tokenizer.json"))

        var config: [String: Any] = ["add_bos_token": v.addBOS ?? isSentencePiece, "add_eos_token": v.addEOS ?? false,
                                     "clean_up_tokenization_spaces": false, "model_max_length": 1 << 20]
        for (key, id) in [("bos_token", v.bosTokenId), ("eos_token", v.eosTokenId), ("unk_token", v.unknownTokenId), ("pad_token", v.paddingTokenId)] {
            config[key] = id.map { v.tokens[$0] } ?? NSNull()
        }
        if let template = v.chatTemplate { config["chat_template"] = template }
        try writeJSON(config, to: folder.appendingPathComponent("tokenizer_config.json"))
    }

    static func writeJSON(_ object: Any, to url: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        try data.write(to: url)
    }

    /// Hugging Face's SentencePieceExtractor on a GGUF vocabulary: for every normal piece, each split into two
    /// pieces of the vocabulary; ranked by the piece's score (highest first), ties in piece order, then by the
    /// halves' ids. The same derivation `Tokenizer(gguf:)` makes, so both tokenize alike.
    static func sentencePieceMerges(_ tokens: [String], types: [Int32], scores: [Float]) -> [String] {
        var idOf: [String: Int] = [:]
        for (id, t) in tokens.enumerated() where idOf[t] == nil { idOf[t] = id }
        struct Candidate { var score: Float; var order: Int; var text: String }
        var candidates: [Candidate] = []
        for (id, piece) in tokens.enumerated() where idOf[piece] == id {
            let scalars = Array(piece.unicodeScalars)
            guard scalars.count >= 2 else { continue }
            var local: [(l: Int, r: Int, text: String)] = []
            for k in 1..<scalars.count {
                var l = String.UnicodeScalarView(), r = String.UnicodeScalarView()
                l.append(contentsOf: scalars[..<k]); r.append(contentsOf: scalars[k...])
                if let li = idOf[String(l)], let ri = idOf[String(r)] { local.append((li, ri, String(l) + " " + String(r))) }
            }
            local.sort { $0.l != $1.l ? $0.l < $1.l : $0.r < $1.r }
            let score = scores[id].isNaN ? -Float.infinity : scores[id]
            for m in local { candidates.append(Candidate(score: score, order: candidates.count, text: m.text)) }
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.order < $1.order }
        return candidates.map(\.text)
    }
}
