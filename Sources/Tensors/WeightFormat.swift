/// How a weight matrix is held in memory. The quantized layouts are GGUF's, byte for byte,
/// so that a GGUF file's tensors can be used where they lie (mmap, zero copy). Raw values are ggml's names.
public enum WeightFormat: String, Sendable, CaseIterable, Codable {
    /// Dense 32-bit floats, row-major.
    case f32
    /// 32-value blocks: fp16 scale then 32 int8 values (34 bytes). GGUF type 8.
    case q8_0
    /// 32-value blocks: fp16 scale then 16 bytes of 4-bit values offset by 8 (18 bytes). GGUF type 2.
    case q4_0
    /// 32-value blocks: fp16 scale, fp16 minimum, 16 bytes of 4-bit values (20 bytes). GGUF type 3.
    case q4_1
    /// 32-value blocks: fp16 scale, 32 high bits, 16 bytes of low nibbles, offset by 16 (22 bytes). GGUF type 6.
    case q5_0
    /// 32-value blocks: fp16 scale, fp16 minimum, 32 high bits, 16 bytes of low nibbles (24 bytes). GGUF type 7.
    case q5_1
    /// IEEE half floats, row-major. GGUF type 1.
    case f16
    /// bfloat16 (the top half of an IEEE float), row-major. GGUF type 30.
    case bf16
    /// K-quant super-blocks of 256 values (llama.cpp's Q4_K_M files); layouts in KQuantBlocks.swift.
    case q4_K, q5_K, q6_K

    /// Values per block (1 for plain numbers).
    public var blockValues: Int { ggmlType.blockValues }

    /// Bytes per block.
    public var blockBytes: Int { ggmlType.blockBytes }

    /// Bytes that one row of `columns` values occupies. Block formats need `columns % blockValues == 0`
    /// (32, or 256 for the K-quants).
    public func rowBytes(columns: Int) -> Int { columns / blockValues * blockBytes }
}
