/// Tokenizers and chat templates, read from tokenizer.json and tokenizer_config.json.
public enum TokenizersModule {}
