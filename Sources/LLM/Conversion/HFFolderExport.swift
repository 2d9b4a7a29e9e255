import Foundation
import GGUF
import Tensors
import Tokenizers

/// A GGUF model file (llama or qwen2) written back as a Hugging Face folder that Quill and transformers load:
/// config.json, model.safetensors (F32 or BF16, Hugging Face names, Llama's W_q/W_k rows and biases un-permuted
/// back to rotate-half order) and, when the file carries a tokenizer, tokenizer.json and tokenizer_config.json.
///
/// Quantized matrices are expanded to floats (the rounding they already have stays). The folder is assembled under
/// a temporary name beside the destination and renamed into place when complete: no half folder is ever left under
/// the final name, and an existing destination is never overwritten.
public enum HFFolderExport {
    public enum DType: String, Sendable, CaseIterable { case f32, bf16 }

    public struct Summary: Sendable {
        public let architecture: String
        public let tensors: Int
        public let tokenizer: Bool
    }

    public static func export(gguf url: URL, output: URL, dtype: DType, adapter: LoRAAdapter? = nil) throws -> Summary {
        let file = try GGUFFile(path: url.path)
        let model = try LanguageModel.load(gguf: url)
        let vocabulary = file.value("tokenizer.ggml.model") == nil ? nil : try ModelFiles.vocabulary(of: file)
        return try export(model, adapter: adapter, source: url, output: output, dtype: dtype) { folder in
            guard let vocabulary else { return false }
            try HFTokenizerExport.write(vocabulary, to: folder, file: url.path)
            return true
        }
    }

    /// A Hugging Face folder written again with `adapter` folded in (`quill lm merge`): the weights as f32 or
    /// bf16, the tokenizer files and generation config copied as they are.
    public static func export(folder: URL, output: URL, dtype: DType, adapter: LoRAAdapter?) throws -> Summary {
        let model = try LanguageModel.load(folder: folder, format: .f32)
        return try export(model, adapter: adapter, source: folder, output: output, dtype: dtype) { out in
            var copied = false
            for name in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json", "chat_template.jinja"] {
                let from = folder.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: from.path) else { continue }
                try FileManager.default.copyItem(at: from, to: out.appendingPathComponent(name))
                copied = copied || name == "tokenizer.json"
            }
            return copied
        }
    }

    /// The model's weights, W + scale·B·A for every adapted projection when `adapter` is given (summed in f32 on
    /// the weights as loaded, before any un-permutation: a llama GGUF base and its adapter's B share the
    /// permuted row order), as a Hugging Face folder; `tokenizer` writes the tokenizer files and says whether it did.
    static func export(_ model: LanguageModel, adapter: LoRAAdapter?, source url: URL, output: URL, dtype: DType,
                       tokenizer: (URL) throws -> Bool) throws -> Summary {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: output.path) else {
            throw ModelLoadError.unsupported(file: output.path, reason: "already exists; the converted folder is not written over it")
        }
        let config = model.config
        // One divisor per rotary pair has no config.json form in general (llama3's four numbers make one shape of
        // it): written without them the folder would rotate differently, so the export is refused instead.
        if case .frequencyFactors = config.rope.scaling {
            throw ModelLoadError.unsupported(file: url.path, reason: "tensor 'rope_freqs.weight': rope frequency factors have no config.json form; not exported")
        }
        let arch = model.architecture.name
        // Rows are un-permuted only where they were permuted: a llama GGUF file's q/k (adjacent-pair rope).
        let permuted = config.rope.adjacentPairs

        let temporary = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).partial-\(getpid())")
        try? fm.removeItem(at: temporary)
        try fm.createDirectory(at: temporary, withIntermediateDirectories: false)
        do {
            var st = SafetensorsWriter()
            func matrix(_ name: String, _ w: WeightMatrix, heads: Int? = nil, lora: LoRAAdapter.Pair? = nil) {
                st.add(name, shape: [w.rows, w.columns]) {
                    var dense = w.dequantized()
                    if let lora { LoRAAdapter.addProduct(lora, into: &dense, rows: w.rows, columns: w.columns) }
                    return heads.map { LlamaRowPermutation.unpermute(dense, rows: w.rows, columns: w.columns, heads: $0) } ?? dense
                }
            }
            func vector(_ name: String, _ v: [Float], heads: Int? = nil) {
                st.add(name, shape: [v.count]) { heads.map { LlamaRowPermutation.unpermute(v, rows: v.count, columns: 1, heads: $0) } ?? v }
            }
            matrix(HFTensorNames.embedding, model.embedding)
            for (i, layer) in model.layers.enumerated() {
                func name(_ s: String) -> String { HFTensorNames.layer(i, s) }
                vector(name("input_layernorm.weight"), layer.inputNorm)
                vector(name("post_attention_layernorm.weight"), layer.postNorm)
                for p in Projection.allCases {
                    let heads = !permuted ? nil : p == .q ? config.heads : p == .k ? config.kvHeads : nil
                    matrix(name("\(p.modulePath).weight"), layer.matrix(p), heads: heads, lora: adapter?.pair(layer: i, p))
                    if let bias = layer.bias(p) { vector(name("\(p.modulePath).bias"), bias, heads: heads) }
                }
            }
            vector(HFTensorNames.finalNorm, model.finalNorm)
            if model.lmHead !== model.embedding { matrix(HFTensorNames.lmHead, model.lmHead) }
            try st.write(to: temporary.appendingPathComponent("model.safetensors"), dtype: dtype == .f32 ? .f32 : .bf16)
            try HFTokenizerExport.writeJSON(configJSON(config, arch: arch, dtype: dtype, hasBias: model.layers.first?.qBias != nil),
                                            to: temporary.appendingPathComponent("config.json"))
            let wroteTokenizer = try tokenizer(temporary)
            try fm.moveItem(at: temporary, to: output)
            return Summary(architecture: arch, tensors: st.entries.count, tokenizer: wroteTokenizer)
        } catch {
            try? fm.removeItem(at: temporary)
            throw error
        }
    }

    /// transformers' config.json for the model. Floats go through their shortest decimal form (1e-05, not
    /// 9.99999974737875e-06), as the config they came from most likely wrote them.
    static func configJSON(_ c: ModelConfig, arch: String, dtype: DType, hasBias: Bool) -> [String: Any] {
        func decimal(_ f: Float) -> Double { Double("\(f)") ?? Double(f) }
        var json: [String: Any] = [
            "architectures": [arch == "llama" ? "LlamaForCausalLM" : "Qwen2ForCausalLM"], "model_type": arch,
            "hidden_size": c.hidden, "intermediate_size": c.intermediate, "num_hidden_layers": c.layers,
            "num_attention_heads": c.heads, "num_key_value_heads": c.kvHeads, "head_dim": c.headDim,
            "vocab_size": c.vocabulary, "max_position_embeddings": c.maxPositions, "hidden_act": "silu",
            "rms_norm_eps": decimal(c.rmsNormEps), "rope_theta": decimal(c.rope.theta),
            "tie_word_embeddings": c.tieWordEmbeddings, "torch_dtype": dtype == .f32 ? "float32" : "bfloat16",
        ]
        if arch == "llama" { json["attention_bias"] = hasBias; json["mlp_bias"] = false }
        if case let .linear(factor) = c.rope.scaling { json["rope_scaling"] = ["type": "linear", "factor": decimal(factor)] }
        if let bos = c.bosTokenId { json["bos_token_id"] = bos }
        if let eos = c.eosTokenIds.first { json["eos_token_id"] = eos }
        return json
    }
}
