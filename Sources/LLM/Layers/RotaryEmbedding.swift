import Foundation

/// Rotary position embedding parameters: base θ and the optional frequency scaling.
public struct RopeParameters: Sendable, Equatable {
    public enum Scaling: Sendable, Equatable {
        case none
        /// Positions divided by `factor` (e.g. deepseek-coder).
        case linear(factor: Float)
        /// Llama 3.1's band-wise scaling (transformers `_compute_llama3_parameters`).
        case llama3(factor: Float, lowFreqFactor: Float, highFreqFactor: Float, originalMaxPositions: Float)
        /// One divisor per rotary pair (d/2 of them): llama.cpp's `rope_freqs.weight`, which convert_hf_to_gguf
        /// writes for llama3 scaling (factor 1 kept, `factor` divided, 1 / ((1 − s)/factor + s) blended).
        case frequencyFactors([Float])
    }

    public var theta: Float
    public var scaling: Scaling
    /// llama.cpp's "normal" rope: element 2i pairs with 2i+1. GGUF llama files store W_q and W_k rows permuted for
    /// it (convert_hf_to_gguf), so rotating adjacent pairs of those weights' outputs equals rotate-half on HF's.
    public var adjacentPairs = false

    public init(theta: Float, scaling: Scaling = .none) { self.theta = theta; self.scaling = scaling }

    /// Reads `rope_parameters` (transformers 5.x) or `rope_theta` + `rope_scaling` (4.x).
    init(json: [String: Any], headDim: Int, file: String) throws {
        let params: [String: Any]
        if let p = json["rope_parameters"] as? [String: Any] {
            params = p
            theta = Float((p["rope_theta"] as? Double) ?? (json["rope_theta"] as? Double) ?? 10000)
        } else {
            params = (json["rope_scaling"] as? [String: Any]) ?? [:]
            theta = Float((json["rope_theta"] as? Double) ?? 10000)
        }
        let key = json["rope_parameters"] != nil ? "rope_parameters" : "rope_scaling"
        let type = (params["rope_type"] as? String) ?? (params["type"] as? String) ?? "default"
        func number(_ name: String) throws -> Float {
            guard let v = params[name] as? Double else {
                throw ModelLoadError.malformedConfig(file: file, key: "\(key).\(name)", reason: "missing or not a number for rope type '\(type)'")
            }
            return Float(v)
        }
        switch type {
        case "default": scaling = .none
        case "linear": scaling = .linear(factor: try number("factor"))
        case "llama3":
            scaling = .llama3(factor: try number("factor"), lowFreqFactor: try number("low_freq_factor"),
                              highFreqFactor: try number("high_freq_factor"),
                              originalMaxPositions: try number("original_max_position_embeddings"))
        default:
            throw ModelLoadError.malformedConfig(file: file, key: "\(key).rope_type", reason: "rope type '\(type)' is not supported (default, linear, llama3 are)")
        }
    }

    /// inv_freq[i] = 1 / θ^(2i/d), i < d/2, in fp32 as transformers computes it, then scaled.
    package func inverseFrequencies(headDim d: Int) -> [Float] {
        let base = (0..<(d / 2)).map { i in 1 / pow(theta, Float(2 * i) / Float(d)) }
        switch scaling {
        case .none: return base
        case let .linear(factor): return base.map { $0 / factor }
        case let .frequencyFactors(factors):
            precondition(factors.count == base.count, "one rope frequency factor per rotary pair")
            return zip(base, factors).map { $0 / $1 }
        case let .llama3(factor, low, high, original):
            let lowWavelen = original / low, highWavelen = original / high
            return base.map { f in
                let wavelen = 2 * Float.pi / f
                if wavelen < highWavelen { return f }
                if wavelen > lowWavelen { return f / factor }
                let smooth = (original / wavelen - low) / (high - low)
                return (1 - smooth) * f / factor + smooth * f
            }
        }
    }
}

/// Applies rotary embeddings in place, in the "rotate half" layout of transformers (NEOX): element i
/// pairs with element i + d/2:  x'_i = x_i cos − x_{i+d/2} sin,  x'_{i+d/2} = x_{i+d/2} cos + x_i sin.
package struct RotaryEmbedding: Sendable {
    package let headDim: Int
    package let inverseFrequencies: [Float]
    package let adjacentPairs: Bool

    package init(headDim: Int, parameters: RopeParameters) {
        self.headDim = headDim
        self.adjacentPairs = parameters.adjacentPairs
        self.inverseFrequencies = parameters.inverseFrequencies(headDim: headDim)
    }

    /// Rotates `heads` consecutive heads of `x` (each headDim values) for absolute position `position`.
    /// `cos`/`sin` are scratch of headDim/2 floats. `inverse` rotates back by the same angle: the rotation is
    /// orthogonal, so that is also its transpose, which carries a gradient back through it (training).
    public func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, position: Int,
                      cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>, inverse: Bool = false) {
        let half = headDim / 2
        for i in 0..<half {
            let angle = Float(position) * inverseFrequencies[i]
            cos[i] = Foundation.cos(angle); sin[i] = inverse ? -Foundation.sin(angle) : Foundation.sin(angle)
        }
        if adjacentPairs {
            for h in 0..<heads {
                let v = x + h * headDim
                for i in 0..<half {
                    let a = v[2 * i], b = v[2 * i + 1]
                    v[2 * i] = a * cos[i] - b * sin[i]
                    v[2 * i + 1] = b * cos[i] + a * sin[i]
                }
            }
            return
        }
        for h in 0..<heads {
            let v = x + h * headDim
            for i in 0..<half {
                let a = v[i], b = v[i + half]
                v[i] = a * cos[i] - b * sin[i]
                v[i + half] = b * cos[i] + a * sin[i]
            }
        }
    }
}
