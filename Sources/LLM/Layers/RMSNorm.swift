/// RMSNorm (Zhang & Sennrich 2019) as transformers computes it for Qwen2/Llama:
/// y = w ⊙ (x / sqrt(mean(x²) + eps)), in fp32.
package enum RMSNorm {
    /// Normalizes `rows` rows of `width` values from `x` into `y` (may alias).
    package static func forward(_ x: UnsafePointer<Float>, weight: [Float], eps: Float, rows: Int, width: Int,
                               into y: UnsafeMutablePointer<Float>) {
        weight.withUnsafeBufferPointer { w in
            for r in 0..<rows {
                let xr = x + r * width, yr = y + r * width
                var sum: Float = 0
                for i in 0..<width { sum += xr[i] * xr[i] }
                let scale = 1 / (sum / Float(width) + eps).squareRoot()
                for i in 0..<width { yr[i] = w[i] * (xr[i] * scale) }
            }
        }
    }
}
