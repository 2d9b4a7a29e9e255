/// Model configs, weights, forward pass, LoRA and generation.
@_exported import Tensors
public enum LLMModule {}
