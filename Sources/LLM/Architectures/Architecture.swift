/// What differs between the decoder-only architectures Quill runs. Each architecture is one file
/// owning its names and quirks, and one line in `Architectures.all`; the forward pass is shared.
public struct Architecture: Sendable {
    /// Short name shown to users (`quill lm info`).
    public let name: String
    /// `architectures[0]` values in config.json that select it.
    package let classNames: [String]
    /// `model_type` values that select it when `architectures` is absent.
    package let modelTypes: [String]
    /// Whether q/k/v projections carry a bias for this config.
    package let qkvBias: @Sendable (ModelConfig) -> Bool
}

package enum Architectures {
    /// The registry: one line per architecture.
    package static let all: [Architecture] = [.qwen2, .llama]

    /// The architecture `config` names, or an error listing the supported ones.
    package static func resolve(_ config: ModelConfig, file: String) throws -> Architecture {
        if let a = all.first(where: { $0.classNames.contains(config.architecture) }) { return a }
        if let a = all.first(where: { $0.modelTypes.contains(config.modelType) }) { return a }
        throw ModelLoadError.unknownArchitecture(file: file, name: config.architecture.isEmpty ? config.modelType : config.architecture,
                                                 known: all.flatMap(\.classNames))
    }
}

/// Hugging Face tensor names, shared by Qwen2 and Llama.
package enum HFTensorNames {
    package static let embedding = "model.embed_tokens.weight"
    package static let finalNorm = "model.norm.weight"
    package static let lmHead = "lm_head.weight"
    package static func layer(_ i: Int, _ suffix: String) -> String { "model.layers.\(i).\(suffix)" }
}
