/// Plain Swift twins of the Q4_1 / Q5_0 / Q5_1 and F16 / BF16 kernels (legacyquants.c).
extension QuantKernelsReference {
    /// dot(W[row], x) for W in Q4_1, Q5_0 or Q5_1, x quantized by `quantizeActivations`:
    /// Σ_blocks d_x · (d_w · Σ q_w q_x + c_w · Σ q_x), where w = d_w · q_w + c_w (c_w = m, or −16·d_w for Q5_0).
    public static func legacyDot(row: UnsafeRawPointer, columns: Int, format: WeightFormat,
                                 scales: [Float], values: [Int8]) -> Float {
        var acc: Float = 0
        for b in 0..<(columns / 32) {
            let block = LegacyBlockQuantization.Block(row + b * format.blockBytes, format: format)
            var s: Int32 = 0, xsum: Int32 = 0
            for j in 0..<32 {
                let xq = Int32(values[b * 32 + j])
                s += Int32(block.quant(j)) * xq
                xsum += xq
            }
            let c = block.m ?? -16 * block.d
            acc += scales[b] * (block.d * Float(s) + c * Float(xsum))
        }
        return acc
    }

    /// dot(W[row], x) for W in F16 or BF16 and x in fp32, summed in Double.
    public static func halfDot(row: UnsafeRawPointer, columns: Int, format: WeightFormat, x: [Float]) -> Float {
        var w = [Float](repeating: 0, count: columns)
        w.withUnsafeMutableBufferPointer { BlockQuantization.dequantize(row, count: columns, format: format, into: $0.baseAddress!) }
        var s = 0.0
        for j in 0..<columns { s += Double(w[j]) * Double(x[j]) }
        return Float(s)
    }
}
