// LLM's public API is stated in Tensors' types (`WeightFormat` chooses how `LanguageModel.load` holds the
// weights, and `MemoryEstimate` prices each), and the `LLM` product is the only door an outside package has
// into the engine: Tensors is not a product of its own. So LLM re-exports it. Tokenizers is not re-exported:
// the engine takes and returns token ids, and code that tokenizes imports Tokenizers itself.
@_exported import Tensors
