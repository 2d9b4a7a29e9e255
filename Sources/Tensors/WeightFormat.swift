/// How a weight matrix is held in memory. The quantized layouts are GGUF's, byte for byte,
/// so that a GGUF file's tensors can be used where they lie (mmap, zero copy).
public enum WeightFormat: String, Sendable, CaseIterable, Codable {
    /// Dense 32-bit floats, row-major.
    case f32
    /// 32-value blocks: fp16 scale then 32 int8 values (34 bytes). GGUF type 8.
    case q8_0
    /// 32-value blocks: fp16 scale then 16 bytes of 4-bit values offset by 8 (18 bytes). GGUF type 2.
    case q4_0
    /// K-quant super-blocks of 256 values (llama.cpp's Q4_K_M files); layouts in KQuantBlocks.swift.
    case q4_K, q5_K, q6_K

    /// Values per block (1 for dense floats).
    public var blockValues: Int {
        switch self {
        case .f32: return 1
        case .q8_0, .q4_0: return 32
        case .q4_K, .q5_K, .q6_K: return 256
        }
    }

    /// Bytes per block.
    public var blockBytes: Int {
        switch self {
        case .f32: return 4
        case .q8_0: return 34
        case .q4_0: return 18
        case .q4_K: return 144
        case .q5_K: return 176
        case .q6_K: return 210
        }
    }

    /// Bytes that one row of `columns` values occupies. Quantized rows need a whole number of blocks
    /// (`columns % blockValues == 0`: 32, or 256 for the K-quants).
    public func rowBytes(columns: Int) -> Int { columns / blockValues * blockBytes }
}
