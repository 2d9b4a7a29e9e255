import Foundation

/// The gated MLP's activation (Shazeer 2020): h = SiLU(gate) ⊙ up, SiLU(z) = z · σ(z).
/// The projections around it are ordinary weight matrices; this is the element-wise middle.
package enum SwiGLU {
    package static func forward(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
                               into h: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let g = gate[i]
            h[i] = g / (1 + Foundation.exp(-g)) * up[i]
        }
    }
}
