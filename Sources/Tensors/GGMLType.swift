/// GGUF's tensor type codes (ggml's `enum ggml_type`), as stored in a GGUF file's tensor infos.
/// Only the numbering and block geometry live here; which types Quill can compute with is `WeightFormat`.
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3
    case q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22, iq4_xs = 23
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35

    /// Values per block (1 for plain numbers).
    public var blockValues: Int {
        switch self {
        case .f32, .f16, .bf16, .i8, .i16, .i32, .i64, .f64: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_nl: return 32
        default: return 256
        }
    }

    /// Bytes per block (ggml's `type_size`).
    public var blockBytes: Int {
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8: return 1
        case .i64, .f64: return 8
        case .q4_0: return 18
        case .q4_1: return 20
        case .q5_0: return 22
        case .q5_1: return 24
        case .q8_0: return 34
        case .q8_1: return 36
        case .q2_K: return 84
        case .q3_K: return 110
        case .q4_K: return 144
        case .q5_K: return 176
        case .q6_K: return 210
        case .q8_K: return 292
        case .iq2_xxs: return 66
        case .iq2_xs: return 74
        case .iq3_xxs: return 98
        case .iq1_s: return 50
        case .iq4_nl: return 18
        case .iq3_s: return 110
        case .iq2_s: return 82
        case .iq4_xs: return 136
        case .iq1_m: return 56
        case .tq1_0: return 54
        case .tq2_0: return 66
        }
    }

    /// Bytes of one row of `columns` values, or nil when `columns` is not a whole number of blocks
    /// or the product overflows (a crafted file's shape must not trap).
    public func rowBytes(columns: Int) -> Int? {
        guard columns >= 0, columns % blockValues == 0 else { return nil }
        let (bytes, overflow) = (columns / blockValues).multipliedReportingOverflow(by: blockBytes)
        return overflow ? nil : bytes
    }
}

extension WeightFormat {
    /// The GGUF type whose block layout this format uses byte for byte.
    public var ggmlType: GGMLType {
        switch self {
        case .f32: return .f32
        case .q8_0: return .q8_0
        case .q4_0: return .q4_0
        case .q4_K: return .q4_K
        case .q5_K: return .q5_K
        case .q6_K: return .q6_K
        case .q4_1: return .q4_1
        case .q5_0: return .q5_0
        case .q5_1: return .q5_1
        case .f16: return .f16
        case .bf16: return .bf16
        }
    }

    /// The format that computes directly on tensors of GGUF type `type`, or nil when Quill has no kernel for it.
    public init?(ggmlType type: GGMLType) {
        guard let format = WeightFormat.allCases.first(where: { $0.ggmlType == type }) else { return nil }
        self = format
    }
}
