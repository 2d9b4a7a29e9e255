import CKernels

/// Rows of activations quantized to int8 per 32-value block, the form the quantized kernels read.
/// Held in one allocation made once; `quantize` only overwrites it, so the forward pass allocates nothing.
public final class QuantizedActivations {
    public let capacityRows: Int
    public let columns: Int
    /// scales [rows, columns/32]
    public let scales: UnsafeMutablePointer<Float>
    /// values [rows, columns]
    public let values: UnsafeMutablePointer<Int8>
    /// sums [rows, columns/32]: each block's sum of values
    public let sums: UnsafeMutablePointer<Int32>
    /// The same rows in bf16 [rows, columns], filled for batches when the CPU has bf16 dot products
    /// (the batched kernel multiplies bf16; the one-token kernels read the int8 form).
    public let bf16: UnsafeMutablePointer<UInt16>?
    public private(set) var hasBF16Rows = false
    public private(set) var rows = 0

    public init(capacityRows: Int, columns: Int) {
        precondition(columns % 32 == 0, "quantized activations need a multiple of 32 columns")
        self.capacityRows = capacityRows
        self.columns = columns
        scales = .allocate(capacity: capacityRows * columns / 32)
        values = .allocate(capacity: capacityRows * columns)
        sums = .allocate(capacity: capacityRows * columns / 32)
        bf16 = capacityRows > 1 && BatchedKernel.usesBF16 ? .allocate(capacity: capacityRows * columns) : nil
    }

    deinit { scales.deallocate(); values.deallocate(); sums.deallocate(); bf16?.deallocate() }

    /// Quantizes `rows` rows of `columns` floats (row stride `columns`). A batch also gets its bf16 form
    /// unless `bf16` is false (tests use that to reach the int8 GEMM on CPUs that have bf16).
    public func quantize(_ x: UnsafePointer<Float>, rows: Int, bf16 wantBF16: Bool = true) {
        precondition(rows <= capacityRows)
        self.rows = rows
        hasBF16Rows = false
        if rows > 1, wantBF16, let bf16 {
            // The batched kernel reads only the bf16 form; the int8 form is for one-token kernels.
            quill_f32_to_bf16(x, Int64(rows * columns), bf16)
            hasBF16Rows = true
            return
        }
        quill_quantize_act_q8(x, Int64(rows * columns), scales, values, sums)
    }
}

/// Which kernel multiplies a batch of tokens by quantized weights on this CPU.
public enum BatchedKernel {
    /// bf16 dot products (AVX-512 BF16) when present, else the int8 GEMM.
    public static let usesBF16 = quill_has_bf16_dot() != 0
}
