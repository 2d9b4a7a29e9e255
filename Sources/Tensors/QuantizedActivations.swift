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
    public private(set) var rows = 0

    public init(capacityRows: Int, columns: Int) {
        precondition(columns % 32 == 0, "quantized activations need a multiple of 32 columns")
        self.capacityRows = capacityRows
        self.columns = columns
        scales = .allocate(capacity: capacityRows * columns / 32)
        values = .allocate(capacity: capacityRows * columns)
        sums = .allocate(capacity: capacityRows * columns / 32)
    }

    deinit { scales.deallocate(); values.deallocate(); sums.deallocate() }

    /// Quantizes `rows` rows of `columns` floats (row stride `columns`).
    public func quantize(_ x: UnsafePointer<Float>, rows: Int) {
        precondition(rows <= capacityRows)
        self.rows = rows
        quill_quantize_act_q8(x, Int64(rows * columns), scales, values, sums)
    }
}
