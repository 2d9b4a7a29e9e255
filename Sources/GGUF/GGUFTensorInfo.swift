import Tensors

/// One tensor's entry in a GGUF file, checked against the file: its bytes lie inside the data section.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: `dimensions[0]` varies fastest (a PyTorch [out, in] weight is [in, out] here).
    public let dimensions: [Int]
    public let type: GGMLType
    /// Absolute byte offset of the tensor's first byte in the file.
    public let fileOffset: Int
    public let byteCount: Int

    /// Values per row (`dimensions[0]`).
    public var columns: Int { dimensions[0] }
    /// Rows: the product of the other dimensions (checked not to overflow when the file was read).
    public var rows: Int { dimensions.dropFirst().reduce(1, *) }
    public var elementCount: Int { columns * rows }
}
