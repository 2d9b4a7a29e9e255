import Foundation

/// The model's own configuration, decoded from its `config.json` as transformers 4.x writes it
/// (`rope_theta`, `rope_scaling`) or 5.x (`rope_parameters`). Quill's own settings never live here.
public struct ModelConfig: Sendable, Equatable {
    public var architecture: String         // `architectures[0]`, e.g. Qwen2ForCausalLM
    public var modelType: String            // `model_type`, e.g. qwen2
    public var hidden: Int                  // C
    public var intermediate: Int            // I
    public var layers: Int                  // L
    public var heads: Int                   // nHeads
    public var kvHeads: Int                 // nKVHeads
    public var headDim: Int                 // headDim (C / nHeads unless given)
    public var vocabulary: Int              // V
    public var maxPositions: Int
    public var rmsNormEps: Float
    public var rope: RopeParameters
    public var tieWordEmbeddings: Bool
    public var attentionBias: Bool?         // Llama's `attention_bias`; Qwen2 always has q/k/v bias
    public var bosTokenId: Int?
    public var eosTokenIds: [Int]

    /// Decodes `config.json` at `url`; every missing or malformed key is named.
    public static func load(_ url: URL) throws -> ModelConfig {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelLoadError.unreadable(file: path, reason: "no such file")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelLoadError.malformedConfig(file: path, key: "(file)", reason: "not a JSON object")
        }
        return try ModelConfig(json: json, file: path)
    }

    public init(json: [String: Any], file: String) throws {
        func int(_ key: String) throws -> Int {
            guard let v = json[key] as? Int, v > 0 else {
                throw ModelLoadError.malformedConfig(file: file, key: key, reason: "missing or not a positive integer")
            }
            return v
        }
        func optionalInt(_ key: String) -> Int? { json[key] as? Int }
        modelType = (json["model_type"] as? String) ?? ""
        architecture = ((json["architectures"] as? [String])?.first) ?? modelType
        hidden = try int("hidden_size")
        intermediate = try int("intermediate_size")
        layers = try int("num_hidden_layers")
        heads = try int("num_attention_heads")
        kvHeads = optionalInt("num_key_value_heads") ?? heads
        headDim = optionalInt("head_dim") ?? hidden / heads
        vocabulary = try int("vocab_size")
        maxPositions = optionalInt("max_position_embeddings") ?? 2048
        rmsNormEps = Float((json["rms_norm_eps"] as? Double) ?? 1e-6)
        tieWordEmbeddings = (json["tie_word_embeddings"] as? Bool) ?? false
        attentionBias = json["attention_bias"] as? Bool
        bosTokenId = optionalInt("bos_token_id")
        if let list = json["eos_token_id"] as? [Int] { eosTokenIds = list }
        else if let one = json["eos_token_id"] as? Int { eosTokenIds = [one] }
        else { eosTokenIds = [] }
        guard heads % kvHeads == 0 else {
            throw ModelLoadError.malformedConfig(file: file, key: "num_key_value_heads", reason: "\(kvHeads) does not divide num_attention_heads \(heads)")
        }
        guard headDim % 2 == 0 else {
            throw ModelLoadError.malformedConfig(file: file, key: "head_dim", reason: "\(headDim) is odd; rotary embeddings need pairs")
        }
        rope = try RopeParameters(json: json, headDim: headDim, file: file)
    }
}
