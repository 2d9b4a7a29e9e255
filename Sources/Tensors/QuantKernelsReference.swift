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
        if format.blockValues == 256 {
            return KQuantKernelsReference.dot(row: row, columns: columns, format: format, scales: scales, values: values)
        }
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

extension QuantKernelsReference {
    /// bf16 rounding (to nearest even) of a float, returned as the float it represents.
    public static func bf16Rounded(_ f: Float) -> Float {
        var b = f.bitPattern
        b = b &+ 0x7fff &+ ((b >> 16) & 1)
        return Float(bitPattern: b & 0xffff_0000)
    }

    /// The batched kernel's twin: weights expanded to bf16 (d · q rounded to bf16), tokens rounded to bf16,
    /// products summed in Double. Y [tokens, rows].
    public static func gemmBF16(weights m: WeightMatrix, x: [Float], tokens: Int) -> [Float] {
        let dense = m.dequantized().map(bf16Rounded)
        let xb = x.map(bf16Rounded)
        var y = [Float](repeating: 0, count: tokens * m.rows)
        for t in 0..<tokens {
            for r in 0..<m.rows {
                var s = 0.0
                for c in 0..<m.columns { s += Double(dense[r * m.columns + c]) * Double(xb[t * m.columns + c]) }
                y[t * m.rows + r] = Float(s)
            }
        }
        return y
    }
}
