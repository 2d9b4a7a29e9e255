import CKernels

/// WeightMatrix's q4_K, q5_K and q6_K arms: the rows of one pool share through kquants.c's kernels.
enum KQuantKernels {
    static func matvec(_ m: WeightMatrix, rows range: Range<Int>, xq: QuantizedActivations?, xRow: Int,
                       y: UnsafeMutablePointer<Float>) {
        guard let xq else { preconditionFailure("quantized weights need quantized activations") }
        let nb = m.columns / 32
        let w = m.bytes.assumingMemoryBound(to: UInt8.self) + range.lowerBound * m.rowBytes
        let kernel = m.format == .q4_K ? quill_matvec_q4_K : m.format == .q5_K ? quill_matvec_q5_K : quill_matvec_q6_K
        kernel(w, Int64(range.count), Int64(m.columns), xq.scales + xRow * nb, xq.values + xRow * m.columns,
               xq.sums + xRow * nb, y + range.lowerBound)
    }

    static func matmul(_ m: WeightMatrix, rows range: Range<Int>, xq: QuantizedActivations?, tokens: Int,
                       y: UnsafeMutablePointer<Float>, ldy: Int) {
        guard let xq else { preconditionFailure("quantized weights need quantized activations") }
        let w = m.bytes.assumingMemoryBound(to: UInt8.self) + range.lowerBound * m.rowBytes
        if xq.hasBF16Rows, let xb = xq.bf16 {
            m.matmulRowsBF16(w: w, rows: range.count, x: xb, tokens: tokens, y: y + range.lowerBound, ldy: ldy)
            return
        }
        let kernel = m.format == .q4_K ? quill_gemm_q4_K : m.format == .q5_K ? quill_gemm_q5_K : quill_gemm_q6_K
        kernel(w, Int64(range.count), Int64(m.columns), Int64(tokens), xq.scales, xq.values, xq.sums,
               y + range.lowerBound, Int64(ldy))
    }
}
