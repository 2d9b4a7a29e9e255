/// What differs between the decoder-only architectures Quill runs. Each architecture is one file
/// owning its names and quirks, and one line in `Architectures.all`; the forward pass is shared.
public struct Architecture: Sendable {
    /// Short name shown to users (`quill lm info`).
    public let name: String
    /// `architectures[0]` values in config.json that select it.
    public let classNames: [String]
    /// `model_type` values that select it when `architectures` is absent.
    public let modelTypes: [String]
    /// Whether q/k/v projections carry a bias for this config.
    public let qkvBias: @Sendable (ModelConfig) -> Bool
}

public enum Architectures {
    /// The registry: one line per architecture.
    public static let all: [Architecture] = [.qwen2, .llama]

    /// The architecture `config` names, or an error listing the supported ones.
    public static func resolve(_ config: ModelConfig, file: String) throws -> Architecture {
        if let a = all.first(where: { $0.classNames.contains(config.architecture) }) { return a }
        if let a = all.first(where: { $0.modelTypes.contains(config.modelType) }) { return a }
        throw ModelLoadError.unknownArchitecture(file: file, name: config.architecture.isEmpty ? config.modelType : config.architecture,
                                                 known: all.flatMap(\.classNames))
    }
}

/// Hugging Face tensor names, shared by Qwen2 and Llama.
public enum HFTensorNames {
    public static let embedding = "model.embed_tokens.weight"
    public static let finalNorm = "model.norm.weight"
    public static let lmHead = "lm_head.weight"
    public static func layer(_ i: Int, _ suffix: String) -> String { "model.layers.\(i).\(suffix)" }
}
