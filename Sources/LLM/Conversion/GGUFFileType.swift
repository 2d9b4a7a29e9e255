import Tensors

extension WeightFormat {
    /// llama.cpp's `general.file_type` (enum llama_ftype) for a file whose matrices are all of this format, as
    /// llama-quantize writes it: the K-quants take the "_M" mix's number (Q4_K → MOSTLY_Q4_K_M), as
    /// llama-quantize names a pure Q4_K file.
    var llamaFileType: UInt32 {
        switch self {
        case .f32: return 0
        case .f16: return 1
        case .q4_0: return 2
        case .q4_1: return 3
        case .q8_0: return 7
        case .q5_0: return 8
        case .q5_1: return 9
        case .q4_K: return 15
        case .q5_K: return 17
        case .q6_K: return 18
        case .bf16: return 32
        }
    }
}
