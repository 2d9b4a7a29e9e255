/// The Split regexes of the tokenizer.json files Quill knows, and the name llama.cpp gives each pre-tokenizer in
/// `tokenizer.ggml.pre` (llama-vocab.cpp). The strings are the ones Hugging Face writes, verbatim.
enum HFPreTokenizers {
    static let qwen2Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let llama3Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// DeepSeek's R1 Qwen distills keep Qwen2's regex; llama.cpp tells them apart (by hashing the tokenizer's
    /// output) and names them "deepseek-r1-qwen". Their BOS is this token, which plain Qwen2 does not have.
    static let deepSeekBOS = "<｜begin▁of▁sentence｜>"
}
