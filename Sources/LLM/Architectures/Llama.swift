extension Architecture {
    /// Llama 2/3 (TinyLlama, DeepSeek-R1-Distill-Llama, deepseek-llm): no biases unless `attention_bias`,
    /// optional `llama3` RoPE scaling, often tied embeddings in small models.
    package static let llama = Architecture(
        name: "llama",
        classNames: ["LlamaForCausalLM"],
        modelTypes: ["llama"],
        qkvBias: { $0.attentionBias ?? false }
    )
}
