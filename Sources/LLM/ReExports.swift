// The engine's users see its building blocks through one import.
@_exported import Tensors
@_exported import Tokenizers
