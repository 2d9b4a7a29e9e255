import Foundation

/// The trainer's random numbers: SplitMix64 (Steele, Lea & Flood 2014), seeded, so initialisation, dropout and
/// data order are the same on every machine and after a resume. Dropout draws are counter-based (a hash of the
/// seed, the micro-batch, the module and the element), so a layer's forward recomputed in the backward pass,
/// or a step redone after a resume, draws exactly the same mask without any stored state.
package struct TrainingRandom: Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Uniform in [0, 1) with 24 random bits (every value a Float holds exactly).
    package mutating func uniform() -> Float { Float(next() >> 40) * (1 / 16_777_216) }

    /// Standard normal by Box–Muller.
    package mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) * (1 / 9_007_199_254_740_992), .leastNonzeroMagnitude)
        let u2 = Double(next() >> 11) * (1 / 9_007_199_254_740_992)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2))
    }

    /// A permutation of 0..<n (Fisher–Yates).
    package mutating func permutation(_ n: Int) -> [Int] {
        var order = Array(0..<n)
        if n < 2 { return order }
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        return order
    }

    /// Whether element `index` of stream `stream` survives dropout with probability `keep`.
    package static func keeps(seed: UInt64, stream: UInt64, index: Int, keep: Float) -> Bool {
        let h = mix(mix(seed ^ (stream &* 0xD6E8_FEB8_6659_FD93)) ^ UInt64(index))
        return Float(h >> 40) * (1 / 16_777_216) < keep
    }
}
