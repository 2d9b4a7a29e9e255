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

    /// The largest value each size may take. Far above any real model, and low enough that every buffer
    /// size, offset and memory estimate computed from them fits in an Int: the engine's release build does
    /// not trap on overflow, so an absurd config.json must be refused here, by name.
    static let limits: [String: Int] = [
        "hidden_size": 1 << 20, "intermediate_size": 1 << 20, "num_hidden_layers": 4096,
        "num_attention_heads": 4096, "num_key_value_heads": 4096, "head_dim": 1 << 16,
        "vocab_size": 1 << 24, "max_position_embeddings": 1 << 24,
    ]

    public init(json: [String: Any], file: String) throws {
        func checked(_ key: String, _ v: Int) throws -> Int {
            guard v > 0 else { throw ModelLoadError.malformedConfig(file: file, key: key, reason: "\(v) is not a positive integer") }
            let limit = Self.limits[key] ?? Int.max
            guard v <= limit else {
                throw ModelLoadError.malformedConfig(file: file, key: key, reason: "\(v) is larger than \(limit), the most this engine accepts")
            }
            return v
        }
        func int(_ key: String) throws -> Int {
            guard let v = json[key] as? Int else {
                throw ModelLoadError.malformedConfig(file: file, key: key, reason: "missing or not a positive integer")
            }
            return try checked(key, v)
        }
        func optionalInt(_ key: String) -> Int? { json[key] as? Int }
        func size(_ key: String, default fallback: Int) throws -> Int {
            try checked(key, optionalInt(key) ?? fallback)
        }
        modelType = (json["model_type"] as? String) ?? ""
        architecture = ((json["architectures"] as? [String])?.first) ?? modelType
        hidden = try int("hidden_size")
        intermediate = try int("intermediate_size")
        layers = try int("num_hidden_layers")
        heads = try int("num_attention_heads")
        kvHeads = try size("num_key_value_heads", default: heads)
        headDim = try size("head_dim", default: hidden / heads)
        vocabulary = try int("vocab_size")
        maxPositions = try size("max_position_embeddings", default: 2048)
        guard heads * headDim <= 1 << 20 else {
            throw ModelLoadError.malformedConfig(file: file, key: "num_attention_heads",
                                                 reason: "\(heads) heads of \(headDim) (head_dim) are more than \(1 << 20) values")
        }
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
