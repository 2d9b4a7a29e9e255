import CBLAS
import CKernels

/// Products for GGUF's Q4_1, Q5_0, Q5_1 blocks (int8 activations, like Q8_0/Q4_0) and F16/BF16 rows
/// (fp32 activations, weights widened exactly).
extension WeightMatrix {
    func legacyMatvecRows(_ range: Range<Int>, x: UnsafePointer<Float>, xq: QuantizedActivations?, xRow: Int,
                          y: UnsafeMutablePointer<Float>) {
        let r0 = range.lowerBound, n = range.count
        let w = bytes.assumingMemoryBound(to: UInt8.self) + r0 * rowBytes
        switch format {
        case .f16: quill_matvec_f16(w, Int64(n), Int64(columns), x, y + r0)
        case .bf16: quill_matvec_bf16(w, Int64(n), Int64(columns), x, y + r0)
        default:
            guard let xq else { preconditionFailure("quantized weights need quantized activations") }
            let nb = columns / 32
            legacyMatvecKernel(w, Int64(n), Int64(columns), xq.scales + xRow * nb, xq.values + xRow * columns,
                               xq.sums + xRow * nb, y + r0)
        }
    }

    func legacyMatmulRows(_ range: Range<Int>, x: UnsafePointer<Float>, xq: QuantizedActivations?, tokens: Int,
                          y: UnsafeMutablePointer<Float>, ldy: Int) {
        let r0 = range.lowerBound, n = range.count
        let w = bytes.assumingMemoryBound(to: UInt8.self) + r0 * rowBytes
        // F16 weights never take the bf16 path: rounding them to bf16 would throw away 3 bits of every weight
        // (llama.cpp keeps F16 at F16); they are widened exactly to f32 below instead.
        if format != .f16, let xq, xq.hasBF16Rows, let xb = xq.bf16 {
            matmulRowsBF16(w: w, rows: n, x: xb, tokens: tokens, y: y + r0, ldy: ldy)
            return
        }
        switch format {
        case .f16, .bf16:
            // F16, or BF16 with no bf16 activations (a CPU without bf16 dot products): widen a tile of rows, sgemm.
            let tileRows = 64
            let tile = UnsafeMutablePointer<Float>.allocate(capacity: tileRows * columns)
            defer { tile.deallocate() }
            var r = 0
            while r < n {
                let m = min(tileRows, n - r)
                quill_half_to_f32(w + r * rowBytes, Int32(format.ggmlType.rawValue), Int64(m * columns), tile)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(tokens), Int32(m), Int32(columns), 1,
                            x, Int32(columns), tile, Int32(columns), 0, y + r0 + r, Int32(ldy))
                r += m
            }
        default:
            guard let xq else { preconditionFailure("quantized weights need quantized activations") }
            legacyGemmKernel(w, Int64(n), Int64(columns), Int64(tokens), xq.scales, xq.values, xq.sums, y + r0, Int64(ldy))
        }
    }

    private var legacyMatvecKernel: (UnsafePointer<UInt8>?, Int64, Int64, UnsafePointer<Float>?, UnsafePointer<Int8>?,
                                     UnsafePointer<Int32>?, UnsafeMutablePointer<Float>?) -> Void {
        switch format {
        case .q4_1: return quill_matvec_q4_1
        case .q5_0: return quill_matvec_q5_0
        default: return quill_matvec_q5_1
        }
    }

    private var legacyGemmKernel: (UnsafePointer<UInt8>?, Int64, Int64, Int64, UnsafePointer<Float>?, UnsafePointer<Int8>?,
                                   UnsafePointer<Int32>?, UnsafeMutablePointer<Float>?, Int64) -> Void {
        switch format {
        case .q4_1: return quill_gemm_q4_1
        case .q5_0: return quill_gemm_q5_0
        default: return quill_gemm_q5_1
        }
    }
}
