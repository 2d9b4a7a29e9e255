import Foundation
import Tensors

/// A matrix's values as rows of F32, and the same rows re-encoded in another format, shared out over the cores.
enum DenseRows {
    /// Encodes `rows` rows of `columns` floats in `format` (columns must be whole blocks of the format).
    static func encode(_ values: [Float], rows: Int, columns: Int, format: WeightFormat) -> [UInt8] {
        let rowBytes = format.rowBytes(columns: columns)
        var out = [UInt8](repeating: 0, count: rows * rowBytes)
        let shares = max(1, min(ProcessInfo.processInfo.activeProcessorCount, rows / 64))
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBytes { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                DispatchQueue.concurrentPerform(iterations: shares) { share in
                    for r in ThreadPool.range(of: share, shares: shares, count: rows) {
                        BlockQuantization.quantize(s + r * columns, count: columns, format: format, into: d + r * rowBytes)
                    }
                }
            }
        }
        return out
    }
}
