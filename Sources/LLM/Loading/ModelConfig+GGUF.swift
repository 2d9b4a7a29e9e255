import Foundation
import GGUF

extension ModelConfig {
    /// The config of a GGUF model from its `{arch}.*` metadata (llama.cpp's keys), checked by the same rules and
    /// limits as a config.json: the values are mapped onto config.json's keys, so a missing or absurd value is
    /// refused by name. The vocabulary size is the embedding's row count.
    public init(gguf file: GGUFFile) throws {
        guard let arch = try file.string("general.architecture") else {
            throw GGUFError(file: file.path, place: "key 'general.architecture'", reason: "missing")
        }
        let classNames = ["llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM"]
        guard let className = classNames[arch] else {
            throw ModelLoadError.unknownArchitecture(file: file.path, name: arch, known: classNames.keys.sorted())
        }
        func required(_ key: String) throws -> Int {
            guard let v = try file.integer("\(arch).\(key)") else { throw GGUFError(file: file.path, place: "key '\(arch).\(key)'", reason: "missing") }
            return v
        }
        guard let embedding = file.tensor("token_embd.weight"), embedding.dimensions.count == 2 else {
            throw ModelLoadError.missingTensor(file: file.path, tensor: "token_embd.weight (2-D)")
        }
        let vocabulary = embedding.dimensions[1]
        if let declared = try file.integer("\(arch).vocab_size"), declared != vocabulary {
            throw GGUFError(file: file.path, place: "key '\(arch).vocab_size'", reason: "\(declared) but token_embd.weight has \(vocabulary) rows")
        }
        let heads = try required("attention.head_count")
        var json: [String: Any] = [
            "model_type": arch, "architectures": [className],
            "hidden_size": try required("embedding_length"),
            "intermediate_size": try required("feed_forward_length"),
            "num_hidden_layers": try required("block_count"),
            "num_attention_heads": heads,
            "num_key_value_heads": try file.integer("\(arch).attention.head_count_kv") ?? heads,
            "vocab_size": vocabulary,
            "tie_word_embeddings": file.tensor("output.weight") == nil,
        ]
        if let n = try file.integer("\(arch).context_length") { json["max_position_embeddings"] = n }
        if let k = try file.integer("\(arch).attention.key_length") { json["head_dim"] = k }
        if let e = try file.number("\(arch).attention.layer_norm_rms_epsilon") { json["rms_norm_eps"] = e }
        if let theta = try file.number("\(arch).rope.freq_base") { json["rope_theta"] = theta }
        if let type = try file.string("\(arch).rope.scaling.type"), type != "none" {
            guard type == "linear", let factor = try file.number("\(arch).rope.scaling.factor") else {
                throw GGUFError(file: file.path, place: "key '\(arch).rope.scaling.type'", reason: "rope scaling '\(type)' is not supported (linear is)")
            }
            json["rope_scaling"] = ["type": "linear", "factor": factor] as [String: Any]
        }
        if let bos = try file.integer("tokenizer.ggml.bos_token_id") { json["bos_token_id"] = bos }
        if let eos = try file.integer("tokenizer.ggml.eos_token_id") { json["eos_token_id"] = eos }
        try self.init(json: json, file: file.path)
        if let v = try file.integer("\(arch).attention.value_length"), v != headDim {
            throw GGUFError(file: file.path, place: "key '\(arch).attention.value_length'", reason: "\(v) differs from the key length \(headDim)")
        }
        if let n = try file.integer("\(arch).rope.dimension_count"), n != headDim {
            throw GGUFError(file: file.path, place: "key '\(arch).rope.dimension_count'", reason: "partial rotary (\(n) of \(headDim)) is not supported")
        }
        // llama3 scaling reaches a GGUF as one divisor per rotary pair (convert_hf_to_gguf's rope_freqs.weight).
        if let t = file.tensor("rope_freqs.weight") {
            if case .linear = rope.scaling {
                throw GGUFError(file: file.path, place: "tensor 'rope_freqs.weight'", reason: "given together with linear rope scaling")
            }
            guard t.dimensions == [headDim / 2], t.type == .f32 else {
                throw ModelLoadError.wrongShape(file: file.path, tensor: "rope_freqs.weight (F32)", expected: [headDim / 2], found: t.dimensions.reversed())
            }
            let p = file.bytes(of: t).baseAddress!
            let factors = (0..<(headDim / 2)).map { p.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
            guard factors.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw GGUFError(file: file.path, place: "tensor 'rope_freqs.weight'", reason: "a factor is not a positive number")
            }
            rope.scaling = .frequencyFactors(factors)
        }
        // llama.cpp: llama rotates adjacent pairs on permuted Q/K rows; qwen2 rotates halves ("neox"), like HF.
        rope.adjacentPairs = arch == "llama"
    }
}
