import CKernels
import Foundation
import LLM
import Tensors

/// The frozen base's matrices as dense f32 for BLAS. An f32 matrix is read where it lies; a quantized one (q8,
/// q4, any GGUF type) is expanded into a buffer kept for as long as one layer is being worked on, so gradients
/// flow through exactly the weights inference uses (QLoRA-style) while only one layer's floats exist at a time.
///
/// With bf16 products, each matrix is also packed for AMX: Wᵀ for the forward product X·Wᵀ and, when the layer
/// is loaded for its backward pass, W for the input gradient dY·W.
package final class FrozenLayer {
    private var buffers: [Projection: FloatBuffer] = [:]
    private(set) var weights: [Projection: UnsafePointer<Float>] = [:]
    let precision: FrozenProductPrecision
    private var forwardOperands: [Projection: PackedOperand] = [:]
    private var forwardLoaded = true
    /// Wᵀ packed for X·Wᵀ, while the layer is loaded with its forward.
    var forwardPacked: [Projection: PackedOperand] { forwardLoaded ? forwardOperands : [:] }
    private var backwardOperands: [Projection: PackedOperand] = [:]
    private var backwardLoaded = false
    /// W packed for dY·W, only while the layer is loaded for its backward pass.
    var backwardPacked: [Projection: PackedOperand] { backwardLoaded ? backwardOperands : [:] }

    package init(precision: FrozenProductPrecision = .f32) { self.precision = precision }

    /// Makes `layer`'s seven matrices available as dense floats (and packed, for bf16 products).
    /// `forward: false` (a layer whose internals were kept) packs only what its backward pass reads.
    package func load(_ layer: LayerWeights, threads: Int, forward: Bool = true, backward: Bool = false) {
        backwardLoaded = backward
        forwardLoaded = forward
        guard precision == .bf16 else { loadDense(layer, threads: threads); return }
        // Straight from the stored blocks to bf16, then into tiles: no f32 copy of the layer is made.
        for p in Projection.allCases {
            let w = layer.matrix(p)
            let count = w.rows * w.columns
            if rows16[p]?.count != count { rows16[p] = [UInt16](repeating: 0, count: count) }
            rows16[p]!.withUnsafeMutableBufferPointer { FrozenLayer.dequantizeBF16(w, into: $0.baseAddress!, threads: threads) }
            let f = forwardOperands[p] ?? PackedOperand(); forwardOperands[p] = f
            rows16[p]!.withUnsafeBufferPointer { r in
                if forward { f.pack(bf16: r.baseAddress!, k: w.columns, n: w.rows, transposed: true, threads: threads) }
                if backward {
                    let b = backwardOperands[p] ?? PackedOperand(); backwardOperands[p] = b
                    b.pack(bf16: r.baseAddress!, k: w.rows, n: w.columns, transposed: false, threads: threads)
                }
            }
            weights[p] = nil
        }
    }

    private var rows16: [Projection: [UInt16]] = [:]

    /// Rows `rows` of `w` (all by default) as bf16 into `out` (the first of them first), shared over `threads`.
    static func dequantizeBF16(_ w: WeightMatrix, rows: Range<Int>? = nil, into base: UnsafeMutablePointer<UInt16>, threads: Int) {
        let C = w.columns, type = Int32(w.format.ggmlType.rawValue), all = rows ?? 0..<w.rows
        let out = base - all.lowerBound * C
        DispatchQueue.concurrentPerform(iterations: max(1, threads)) { share in
            let part = ThreadPool.range(of: share, shares: max(1, threads), count: all.count)
            let r = (all.lowerBound + part.lowerBound)..<(all.lowerBound + part.upperBound)
            guard !r.isEmpty else { return }
            if w.format == .f32 {
                quill_f32_to_bf16(w.bytes.assumingMemoryBound(to: Float.self) + r.lowerBound * C, Int64(r.count * C), out + r.lowerBound * C)
            } else {
                quill_dequantize_rows_bf16(w.bytes.assumingMemoryBound(to: UInt8.self) + r.lowerBound * w.rowBytes, type,
                                           Int64(r.count), Int64(C), out + r.lowerBound * C)
            }
        }
    }

    private func loadDense(_ layer: LayerWeights, threads: Int) {
        for p in Projection.allCases {
            let w = layer.matrix(p)
            if w.format == .f32 {
                weights[p] = w.bytes.assumingMemoryBound(to: Float.self)
                continue
            }
            let count = w.rows * w.columns
            if buffers[p]?.count != count { buffers[p] = FloatBuffer(count) }
            let out = buffers[p]!
            FrozenLayer.dequantize(w, rows: 0..<w.rows, into: out.p, threads: threads)
            weights[p] = UnsafePointer(out.p)
        }
    }

    /// The dense f32 matrix (f32 products only; bf16 products read the packed tiles).
    package subscript(_ p: Projection) -> UnsafePointer<Float>? { weights[p] }

    /// Rows `rows` of `w` as floats into `out` (row `rows.lowerBound` first), shared over `threads`.
    package static func dequantize(_ w: WeightMatrix, rows: Range<Int>, into out: UnsafeMutablePointer<Float>, threads: Int) {
        let n = rows.count, C = w.columns
        DispatchQueue.concurrentPerform(iterations: max(1, threads)) { share in
            for r in ThreadPool.range(of: share, shares: max(1, threads), count: n) {
                w.dequantizeRow(rows.lowerBound + r, into: out + r * C)
            }
        }
    }
}

/// The output head [V, C] in blocks of vocabulary rows: an f32 head whole and in place, any other format a block
/// at a time through one buffer (a 150k-row head as f32 would be most of a gigabyte).
package final class FrozenHead {
    package let matrix: WeightMatrix
    package let blockRows: Int
    private let buffer: FloatBuffer?

    package init(_ matrix: WeightMatrix, blockRows: Int = 8192) {
        self.matrix = matrix
        self.blockRows = matrix.format == .f32 ? matrix.rows : min(blockRows, matrix.rows)
        buffer = matrix.format == .f32 ? nil : FloatBuffer(self.blockRows * matrix.columns)
    }

    /// Calls `body(firstRow, rowCount, rows)` with each block as bf16 rows, straight from the stored format.
    package func forEachBF16Block(threads: Int, _ body: (Int, Int, UnsafePointer<UInt16>) -> Void) {
        let rows = min(blockRows, 8192)
        if bf16.count < rows * matrix.columns { bf16 = [UInt16](repeating: 0, count: rows * matrix.columns) }
        var start = 0
        while start < matrix.rows {
            let count = min(rows, matrix.rows - start)
            bf16.withUnsafeMutableBufferPointer { FrozenLayer.dequantizeBF16(matrix, rows: start..<(start + count), into: $0.baseAddress!, threads: threads) }
            bf16.withUnsafeBufferPointer { body(start, count, $0.baseAddress!) }
            start += count
        }
    }
    private var bf16: [UInt16] = []

    /// Calls `body(firstRow, rowCount, rows)` for each block in order.
    package func forEachBlock(threads: Int, _ body: (Int, Int, UnsafePointer<Float>) -> Void) {
        var start = 0
        while start < matrix.rows {
            let count = min(blockRows, matrix.rows - start)
            if let buffer {
                FrozenLayer.dequantize(matrix, rows: start..<(start + count), into: buffer.p, threads: threads)
                body(start, count, UnsafePointer(buffer.p))
            } else {
                body(start, count, matrix.bytes.assumingMemoryBound(to: Float.self) + start * matrix.columns)
            }
            start += count
        }
    }
}
