import CBLAS
import CKernels

/// A weight matrix W [rows = out, columns = in], row-major, in one of the `WeightFormat`s.
/// The bytes are either owned (quantized at load) or borrowed from a mapped file kept alive by `owner`.
public final class WeightMatrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    public let format: WeightFormat
    public let bytes: UnsafeRawPointer
    private let owner: AnyObject?
    private let ownsBytes: Bool

    /// Takes `bytes` as they are (rows * rowBytes), keeping `owner` alive for as long as the matrix lives.
    public init(rows: Int, columns: Int, format: WeightFormat, bytes: UnsafeRawPointer, owner: AnyObject?) {
        precondition(columns % format.blockValues == 0, "a row must be a whole number of \(format) blocks")
        self.rows = rows; self.columns = columns; self.format = format
        self.bytes = bytes; self.owner = owner; self.ownsBytes = false
    }

    /// Quantizes a dense row-major [rows, columns] float matrix into `format`, row by row.
    public init(quantizing values: UnsafePointer<Float>, rows: Int, columns: Int, format: WeightFormat) {
        precondition(columns % format.blockValues == 0, "a row must be a whole number of \(format) blocks")
        self.rows = rows; self.columns = columns; self.format = format
        let rowBytes = format.rowBytes(columns: columns)
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows * rowBytes), alignment: 64)
        for r in 0..<rows {
            BlockQuantization.quantize(values + r * columns, count: columns, format: format,
                                       into: storage + r * rowBytes)
        }
        self.bytes = UnsafeRawPointer(storage); self.owner = nil; self.ownsBytes = true
    }

    deinit { if ownsBytes { UnsafeMutableRawPointer(mutating: bytes).deallocate() } }

    public var rowBytes: Int { format.rowBytes(columns: columns) }
    public var byteCount: Int { rows * rowBytes }

    /// Row `r` as floats.
    public func dequantizeRow(_ r: Int, into out: UnsafeMutablePointer<Float>) {
        BlockQuantization.dequantize(bytes + r * rowBytes, count: columns, format: format, into: out)
    }

    /// The whole matrix as dense floats (for merging adapters, tests, and the tiled sgemm path).
    public func dequantized() -> [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        out.withUnsafeMutableBufferPointer { p in
            for r in 0..<rows { dequantizeRow(r, into: p.baseAddress! + r * columns) }
        }
        return out
    }

    // MARK: y = W x for one token

    /// y[rows] = W · x. `x` is the float vector (used by f32 weights), `xq` its quantized form (used by
    /// quantized weights; row `xRow` of it). Rows are shared out over the pool.
    public func matvec(x: UnsafePointer<Float>, xq: QuantizedActivations?, xRow: Int = 0,
                       y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        pool.run { share in
            let range = ThreadPool.range(of: share, shares: pool.threads, count: rows, alignment: 16)
            if !range.isEmpty { self.matvecRows(range, x: x, xq: xq, xRow: xRow, y: y) }
        }
    }

    /// The rows `range` of y = W · x, on the calling thread (callers fuse several matrices into one parallel region).
    public func matvecRows(_ range: Range<Int>, x: UnsafePointer<Float>, xq: QuantizedActivations?, xRow: Int,
                           y: UnsafeMutablePointer<Float>) {
        let r0 = range.lowerBound, n = range.count
        switch format {
        case .f32:
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(columns), 1,
                        bytes.assumingMemoryBound(to: Float.self) + r0 * columns, Int32(columns),
                        x, 1, 0, y + r0, 1)
        case .q8_0, .q4_0:
            guard let xq else { preconditionFailure("quantized weights need quantized activations") }
            let nb = columns / 32
            let w = bytes.assumingMemoryBound(to: UInt8.self) + r0 * rowBytes
            let kernel = format == .q8_0 ? quill_matvec_q8_0 : quill_matvec_q4_0
            kernel(w, Int64(n), Int64(columns), xq.scales + xRow * nb, xq.values + xRow * columns,
                   xq.sums + xRow * nb, y + r0)
        case .q4_K, .q5_K, .q6_K:
            KQuantKernels.matvec(self, rows: range, xq: xq, xRow: xRow, y: y)
        case .q4_1, .q5_0, .q5_1, .f16, .bf16:
            legacyMatvecRows(range, x: x, xq: xq, xRow: xRow, y: y)
        }
    }

    // MARK: Y = X Wᵀ for a batch of tokens

    /// Y [tokens, ldy] columns 0..<rows = X [tokens, columns] · Wᵀ. f32 weights go through OpenBLAS sgemm;
    /// quantized weights through the int8 GEMM kernel on `xq`, rows shared out over the pool.
    /// OpenBLAS must be set to one thread when this is called from inside a pool share.
    public func matmul(x: UnsafePointer<Float>, xq: QuantizedActivations?, tokens: Int,
                       y: UnsafeMutablePointer<Float>, ldy: Int, pool: ThreadPool) {
        pool.run { share in
            let range = ThreadPool.range(of: share, shares: pool.threads, count: rows, alignment: 16)
            if !range.isEmpty { self.matmulRows(range, x: x, xq: xq, tokens: tokens, y: y, ldy: ldy) }
        }
    }

    public func matmulRows(_ range: Range<Int>, x: UnsafePointer<Float>, xq: QuantizedActivations?, tokens: Int,
                           y: UnsafeMutablePointer<Float>, ldy: Int) {
        let r0 = range.lowerBound, n = range.count
        switch format {
        case .f32:
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(tokens), Int32(n), Int32(columns), 1,
                        x, Int32(columns), bytes.assumingMemoryBound(to: Float.self) + r0 * columns, Int32(columns),
                        0, y + r0, Int32(ldy))
        case .q8_0, .q4_0:
            guard let xq else { preconditionFailure("quantized weights need quantized activations") }
            let w = bytes.assumingMemoryBound(to: UInt8.self) + r0 * rowBytes
            if xq.hasBF16Rows, let xb = xq.bf16 {
                matmulRowsBF16(w: w, rows: n, x: xb, tokens: tokens, y: y + r0, ldy: ldy)
                return
            }
            let kernel = format == .q8_0 ? quill_gemm_q8_0 : quill_gemm_q4_0
            kernel(w, Int64(n), Int64(columns), Int64(tokens), xq.scales, xq.values, xq.sums, y + r0, Int64(ldy))
        case .q4_K, .q5_K, .q6_K:
            KQuantKernels.matmul(self, rows: range, xq: xq, tokens: tokens, y: y, ldy: ldy)
        case .q4_1, .q5_0, .q5_1, .f16, .bf16:
            legacyMatmulRows(range, x: x, xq: xq, tokens: tokens, y: y, ldy: ldy)
        }
    }

    /// Expands a stripe of rows to bf16 at a time (shared by every token) and multiplies it with the bf16 tokens.
    func matmulRowsBF16(w: UnsafePointer<UInt8>, rows n: Int, x: UnsafePointer<UInt16>, tokens: Int,
                                y: UnsafeMutablePointer<Float>, ldy: Int) {
        let stripe = 64
        let scratch = UnsafeMutablePointer<UInt16>.allocate(capacity: stripe * columns)
        defer { scratch.deallocate() }
        let ggmlType = Int32(format.ggmlType.rawValue)
        var r = 0
        while r < n {
            let m = min(stripe, n - r)
            quill_dequantize_rows_bf16(w + r * rowBytes, ggmlType, Int64(m), Int64(columns), scratch)
            quill_gemm_bf16(scratch, Int64(m), Int64(columns), Int64(tokens), x, y + r, Int64(ldy))
            r += m
        }
    }

    /// Reference path for the batch: dequantizes `tileRows` rows at a time and multiplies them with sgemm.
    /// Slower than the int8 kernel on this class of CPU but free of activation rounding; tests and the
    /// benchmark compare the two.
    public func matmulDequantizedSGEMM(x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>,
                                       ldy: Int, tileRows: Int = 256) {
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: tileRows * columns)
        defer { tile.deallocate() }
        var r0 = 0
        while r0 < rows {
            let n = min(tileRows, rows - r0)
            for r in 0..<n { dequantizeRow(r0 + r, into: tile + r * columns) }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(tokens), Int32(n), Int32(columns), 1,
                        x, Int32(columns), tile, Int32(columns), 0, y + r0, Int32(ldy))
            r0 += n
        }
    }
}
