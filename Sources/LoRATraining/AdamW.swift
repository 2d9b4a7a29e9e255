import Foundation

/// AdamW (Loshchilov & Hutter 2019) exactly as `torch.optim.AdamW` steps it (single-tensor path): decoupled
/// weight decay p ← p·(1 − lr·λ) first, then m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g²,
/// p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε). Moments in f32, like the parameters.
package final class AdamW {
    package var beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8
    package var weightDecay: Float
    package private(set) var step = 0
    package let m: [FloatBuffer], v: [FloatBuffer]

    package init(shapes: [Int], weightDecay: Float) {
        self.weightDecay = weightDecay
        m = shapes.map { FloatBuffer($0) }
        v = shapes.map { FloatBuffer($0) }
    }

    /// One step over `parameters` (value and gradient buffers, in the order the moments were made for).
    package func update(_ parameters: [(value: FloatBuffer, gradient: FloatBuffer)], lr: Float) {
        step += 1
        let bias1 = 1 - pow(beta1, Float(step)), bias2Sqrt = (1 - pow(beta2, Float(step))).squareRoot()
        let stepSize = lr / bias1, decay = 1 - lr * weightDecay
        for (i, (p, g)) in parameters.enumerated() {
            let mi = m[i].p, vi = v[i].p, pv = p.p, gv = g.p
            for j in 0..<p.count {
                pv[j] *= decay
                mi[j] = mi[j] * beta1 + (1 - beta1) * gv[j]      // torch: lerp(m, g, 1 − β1)
                vi[j] = vi[j] * beta2 + (1 - beta2) * gv[j] * gv[j]
                let denom = vi[j].squareRoot() / bias2Sqrt + eps
                pv[j] -= stepSize * mi[j] / denom
            }
        }
    }

    /// Restores a checkpoint's step count (the moments are restored into `m` and `v` directly).
    package func restore(step: Int) { self.step = step }
}

/// `torch.nn.utils.clip_grad_norm_`: the global L2 norm of every gradient; when above `maxNorm`, every gradient is
/// scaled by maxNorm / (norm + 1e-6). Returns the norm before clipping.
package enum GradientClipping {
    @discardableResult
    package static func clip(_ gradients: [FloatBuffer], maxNorm: Float?) -> Double {
        var sum = 0.0
        for g in gradients { for j in 0..<g.count { sum += Double(g.p[j]) * Double(g.p[j]) } }
        let norm = sum.squareRoot()
        if let maxNorm, maxNorm > 0 {
            let coefficient = Double(maxNorm) / (norm + 1e-6)
            if coefficient < 1 {
                let c = Float(coefficient)
                for g in gradients { for j in 0..<g.count { g.p[j] *= c } }
            }
        }
        return norm
    }
}

/// transformers' schedules (`get_linear_schedule_with_warmup`, `get_cosine_schedule_with_warmup`): the learning
/// rate of optimizer step `step` (0 first) is base · λ(step), λ rising linearly over the warm-up from 0, then
/// falling to 0 at `total` steps, linearly or along half a cosine; `constant` keeps 1 after the warm-up.
public enum LearningRateSchedule: String, Sendable, Codable, CaseIterable {
    case cosine, linear, constant

    public func factor(step: Int, warmup: Int, total: Int) -> Double {
        if step < warmup { return Double(step) / Double(max(1, warmup)) }
        switch self {
        case .constant: return 1
        case .linear: return max(0, Double(total - step) / Double(max(1, total - warmup)))
        case .cosine:
            let progress = Double(step - warmup) / Double(max(1, total - warmup))
            return max(0, 0.5 * (1 + Foundation.cos(Double.pi * progress)))
        }
    }
}
