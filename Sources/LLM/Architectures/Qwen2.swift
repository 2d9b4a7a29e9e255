extension Architecture {
    /// Qwen2 / Qwen2.5 and the DeepSeek-R1-Distill-Qwen models: Llama's block with a bias on q, k and v
    /// (never on o), rotate-half RoPE, GQA, SwiGLU, RMSNorm.
    package static let qwen2 = Architecture(
        name: "qwen2",
        classNames: ["Qwen2ForCausalLM"],
        modelTypes: ["qwen2"],
        qkvBias: { _ in true }
    )
}
