/// The generator's only source of randomness: SplitMix64 (Steele, Lea and Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014), the seeding generator of xoshiro.
///
/// Our own, so a seed gives the same records on every platform and Swift version; the standard
/// library's generators and `Hasher` are seeded per process.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// An independent stream for record `index` of a run with `seed`, so record n is the same
    /// whatever the count asked for.
    public init(seed: UInt64, stream index: UInt64) {
        var mixer = SplitMix64(seed: seed ^ 0x5851_F42D_4C95_7F2D)
        state = mixer.next() ^ (index &* 0x9E37_79B9_7F4A_7C15)
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `range`, by rejection so that no value is favoured.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        let limit = UInt64.max - UInt64.max % span
        var x = next()
        while x >= limit { x = next() }
        return range.lowerBound + Int(x % span)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) * 0x1p-53 < p
    }

    public mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "pick from an empty list")
        return items[int(0...(items.count - 1))]
    }

    /// `k` distinct items in a random order (all of them when `k` exceeds the count).
    public mutating func sample<T>(_ items: [T], _ k: Int) -> [T] {
        var pool = items
        var out: [T] = []
        while out.count < k, !pool.isEmpty {
            out.append(pool.remove(at: int(0...(pool.count - 1))))
        }
        return out
    }

    public mutating func shuffled<T>(_ items: [T]) -> [T] { sample(items, items.count) }

    /// A decimal in `range` with `decimals` places, as written in a note ("14.2", "0.9", "135").
    public mutating func decimal(_ range: ClosedRange<Double>, decimals: Int) -> String {
        let scale = [1.0, 10.0, 100.0, 1000.0][min(decimals, 3)]
        let lo = Int((range.lowerBound * scale).rounded()), hi = Int((range.upperBound * scale).rounded())
        let n = int(lo...max(lo, hi))
        if decimals == 0 { return String(n) }
        let unit = Int(scale)
        let whole = n / unit, frac = n % unit
        var fracText = String(frac)
        while fracText.count < decimals { fracText = "0" + fracText }
        return "\(whole).\(fracText)"
    }
}
