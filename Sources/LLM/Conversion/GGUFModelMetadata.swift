import Foundation
import GGUF
import Tokenizers

/// The metadata llama.cpp reads for a llama or qwen2 model, with the value types gguf-py's `GGUFWriter` gives them.
enum GGUFModelMetadata {
    /// `general.*` and `{arch}.*` from the model's config. Rope scaling other than none or linear is refused:
    /// llama3 scaling needs a `rope_freqs.weight` tensor, which neither this converter nor Quill's loader handles yet.
    static func model(_ config: ModelConfig, arch: String, name: String, format: WeightFormat, file: String) throws -> [(String, GGUFValue)] {
        var m: [(String, GGUFValue)] = [
            ("general.architecture", .string(arch)),
            ("general.type", .string("model")),
            ("general.name", .string(name)),
            ("\(arch).context_length", .uint32(UInt32(config.maxPositions))),
            ("\(arch).embedding_length", .uint32(UInt32(config.hidden))),
            ("\(arch).block_count", .uint32(UInt32(config.layers))),
            ("\(arch).feed_forward_length", .uint32(UInt32(config.intermediate))),
            ("\(arch).attention.head_count", .uint32(UInt32(config.heads))),
            ("\(arch).attention.head_count_kv", .uint32(UInt32(config.kvHeads))),
            ("\(arch).rope.freq_base", .float32(config.rope.theta)),
            ("\(arch).attention.layer_norm_rms_epsilon", .float32(config.rmsNormEps)),
            ("\(arch).rope.dimension_count", .uint32(UInt32(config.headDim))),
            ("\(arch).vocab_size", .uint32(UInt32(config.vocabulary))),
        ]
        if config.headDim * config.heads != config.hidden {
            m.append(("\(arch).attention.key_length", .uint32(UInt32(config.headDim))))
            m.append(("\(arch).attention.value_length", .uint32(UInt32(config.headDim))))
        }
        switch config.rope.scaling {
        case .none: break
        case let .linear(factor):
            m.append(("\(arch).rope.scaling.type", .string("linear")))
            m.append(("\(arch).rope.scaling.factor", .float32(factor)))
        case .llama3:
            break  // no keys: GGUF holds llama3 scaling as the rope_freqs.weight tensor (GGUFConversion writes it)
        case .frequencyFactors:
            throw ModelLoadError.unsupported(file: file, reason: "rope frequency factors that came from a GGUF file are not converted back")
        }
        m.append(("general.file_type", .uint32(format.llamaFileType)))
        m.append(("general.quantization_version", .uint32(2)))
        return m
    }

    /// `tokenizer.ggml.*` and `tokenizer.chat_template`: what `ModelFiles.vocabulary(of:)` reads back.
    static func tokenizer(_ v: GGUFVocabulary) -> [(String, GGUFValue)] {
        var m: [(String, GGUFValue)] = [("tokenizer.ggml.model", .string(v.model))]
        if let pre = v.preTokenizer { m.append(("tokenizer.ggml.pre", .string(pre))) }
        m.append(("tokenizer.ggml.tokens", .array(.string, v.tokens.map { .string($0) })))
        if let scores = v.scores { m.append(("tokenizer.ggml.scores", .array(.float32, scores.map { .float32($0) }))) }
        if let types = v.tokenTypes { m.append(("tokenizer.ggml.token_type", .array(.int32, types.map { .int32($0) }))) }
        if let merges = v.merges { m.append(("tokenizer.ggml.merges", .array(.string, merges.map { .string($0) }))) }
        for (key, id) in [("bos_token_id", v.bosTokenId), ("eos_token_id", v.eosTokenId),
                          ("unknown_token_id", v.unknownTokenId), ("padding_token_id", v.paddingTokenId)] {
            if let id { m.append(("tokenizer.ggml.\(key)", .uint32(UInt32(id)))) }
        }
        if let b = v.addBOS { m.append(("tokenizer.ggml.add_bos_token", .bool(b))) }
        if let b = v.addEOS { m.append(("tokenizer.ggml.add_eos_token", .bool(b))) }
        if let b = v.addSpacePrefix { m.append(("tokenizer.ggml.add_space_prefix", .bool(b))) }
        if let t = v.chatTemplate { m.append(("tokenizer.chat_template", .string(t))) }
        return m
    }
}
