/// llama.cpp's tensor names (gguf-py `MODEL_TENSORS` for llama and qwen2), by the Hugging Face module they hold.
enum GGUFTensorNames {
    static let embedding = "token_embd.weight"
    static let finalNorm = "output_norm.weight"
    static let output = "output.weight"

    static func block(_ i: Int, _ suffix: String) -> String { "blk.\(i).\(suffix)" }

    /// The block tensor a projection's weight (and bias) is stored under, without `.weight`.
    static func projection(_ p: Projection) -> String { p.ggufName }

    static let inputNorm = "attn_norm.weight"
    static let postNorm = "ffn_norm.weight"
}
