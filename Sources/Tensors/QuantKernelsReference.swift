import CKernels

/// Plain Swift twins of the C kernels: loops anyone can read. Tests hold the fast kernels to these.
public enum QuantKernelsReference {
    /// Per-block int8 activation quantization: d = max|x| / 127, q = round-half-even(x / d).
    public static func quantizeActivations(_ x: [Float]) -> (scales: [Float], values: [Int8], sums: [Int32]) {
        var scales: [Float] = [], values: [Int8] = [], sums: [Int32] = []
        for b in 0..<(x.count / 32) {
            let block = x[(b * 32)..<(b * 32 + 32)]
            let d = block.map(abs).max()! / 127
            let id: Float = d > 0 ? 1 / d : 0
            let q = block.map { Int8(($0 * id).rounded(.toNearestOrEven)) }
            scales.append(d); values += q; sums.append(q.reduce(0) { $0 + Int32($1) })
        }
        return (scales, values, sums)
    }

    /// dot(W[row], x) with W in Q8_0 or Q4_0, x quantized as above: Σ_blocks d_w · d_x · Σ q_w q_x.
    public static func dot(row: UnsafeRawPointer, columns: Int, format: WeightFormat,
                           scales: [Float], values: [Int8]) -> Float {
        var acc: Float = 0
        for b in 0..<(columns / 32) {
            let block = row + b * format.blockBytes
            let dw = quill_f16_to_f32(block.loadUnaligned(as: UInt16.self))
            var s: Int32 = 0
            for j in 0..<32 {
                let w: Int32
                if format == .q8_0 {
                    w = Int32(block.load(fromByteOffset: 2 + j, as: Int8.self))
                } else {
                    let byte = block.load(fromByteOffset: 2 + j % 16, as: UInt8.self)
                    w = Int32(j < 16 ? byte & 15 : byte >> 4) - 8
                }
                s += w * Int32(values[b * 32 + j])
            }
            acc += dw * scales[b] * Float(s)
        }
        return acc
    }
}
