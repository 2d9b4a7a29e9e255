import Foundation

/// RMSNorm with a frozen weight: forward y = w ⊙ x·ρ, ρ = 1/√(mean(x²) + ε) (as `RMSNorm.forward`), and its
/// input gradient: with g = dy ⊙ w, dx = ρ·g − ρ³·x·(g·x)/n.
package enum RMSNormGradient {
    /// dx [rows, width] += the gradient through the norm of x for upstream dy.
    package static func backward(x: UnsafePointer<Float>, weight: [Float], eps: Float, dy: UnsafePointer<Float>,
                                 rows: Int, width n: Int, addingInto dx: UnsafeMutablePointer<Float>) {
        weight.withUnsafeBufferPointer { w in
            for r in 0..<rows {
                let xr = x + r * n, gr = dy + r * n, dr = dx + r * n
                var squares: Float = 0, dot: Float = 0
                for i in 0..<n { squares += xr[i] * xr[i]; dot += gr[i] * w[i] * xr[i] }
                let rho = 1 / (squares / Float(n) + eps).squareRoot()
                let k = rho * rho * rho * dot / Float(n)
                for i in 0..<n { dr[i] += rho * gr[i] * w[i] - k * xr[i] }
            }
        }
    }
}

/// h = SiLU(g) ⊙ u (forward: `SwiGLU.forward`) backwards: dg = dh·u·σ(g)(1 + g(1 − σ(g))), du = dh·SiLU(g).
package enum SwiGLUGradient {
    package static func backward(gate g: UnsafePointer<Float>, up u: UnsafePointer<Float>, dh: UnsafePointer<Float>, count: Int,
                                 dGate: UnsafeMutablePointer<Float>, dUp: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let s = 1 / (1 + Foundation.exp(-g[i]))
            dUp[i] = dh[i] * g[i] * s
            dGate[i] = dh[i] * u[i] * s * (1 + g[i] * (1 - s))
        }
    }
}
