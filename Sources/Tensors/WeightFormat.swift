/// How a weight matrix is held in memory. The quantized layouts are GGUF's, byte for byte,
/// so that a GGUF file's tensors can be used where they lie (mmap, zero copy).
public enum WeightFormat: String, Sendable, CaseIterable, Codable {
    /// Dense 32-bit floats, row-major.
    case f32
    /// 32-value blocks: fp16 scale then 32 int8 values (34 bytes). GGUF type 8.
    case q8_0
    /// 32-value blocks: fp16 scale then 16 bytes of 4-bit values offset by 8 (18 bytes). GGUF type 2.
    case q4_0

    /// Values per block (1 for dense floats).
    public var blockValues: Int { self == .f32 ? 1 : 32 }

    /// Bytes per block.
    public var blockBytes: Int {
        switch self {
        case .f32: return 4
        case .q8_0: return 34
        case .q4_0: return 18
        }
    }

    /// Bytes that one row of `columns` values occupies. Quantized rows need `columns % 32 == 0`.
    public func rowBytes(columns: Int) -> Int { columns / blockValues * blockBytes }
}
