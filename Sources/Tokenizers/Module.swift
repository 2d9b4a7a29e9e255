/// Tokenizers and chat templates, read from a Hugging Face model folder (tokenizer.json, tokenizer_config.json,
/// generation_config.json, chat_template.jinja), giving the same ids and prompt text as Hugging Face.
///
/// - `Tokenizer`: text ⇄ ids (byte-level BPE of Qwen2 / Llama 3 / DeepSeek, SentencePiece-style BPE of Llama 2 /
///   TinyLlama), BOS/EOS, `encodeChat` for prompts whose message text cannot become control tokens.
/// - `StreamingDecoder`: ids to text while generating, never a broken character.
/// - `ChatTemplate`: the model's Jinja chat template, rendered by a small interpreter (Jinja/).
///
/// The pipeline inside `Tokenizer` mirrors tokenizers': AddedTokens → Normalizer → PreTokenizer
/// (PreTokenizerPatterns, CharacterClasses) → BPEModel → PostProcessor; Decoder on the way back.
public enum TokenizersModule {}
