import Foundation

/// How the next token is chosen. The order of operations follows transformers' logits processors:
/// repetition penalty, n-gram blocking, then temperature, then top-k, then top-p, then a draw.
public struct SamplingParameters: Sendable, Equatable, Codable {
    /// 0 means greedy (argmax); otherwise logits are divided by it.
    public var temperature: Float = 0
    /// Keep only the k most likely tokens (0 = all).
    public var topK: Int = 0
    /// Keep the smallest set of tokens whose probability reaches p (1 = all).
    public var topP: Float = 1
    /// > 1 discourages tokens already in the prompt or output (CTRL's rule: divide positive logits, multiply negative).
    public var repetitionPenalty: Float = 1
    /// > 0 forbids any token that would repeat an n-gram of this many tokens already in the output
    /// (transformers' `no_repeat_ngram_size`, over the tokens from `Sampler.next`'s `outputStart` on).
    public var noRepeatNgramSize: Int = 0
    /// Seed of the draw, so that a sampled output can be reproduced.
    public var seed: UInt64 = 0

    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, repetitionPenalty: Float = 1,
                noRepeatNgramSize: Int = 0, seed: UInt64 = 0) {
        self.temperature = temperature; self.topK = topK; self.topP = topP
        self.repetitionPenalty = repetitionPenalty; self.noRepeatNgramSize = noRepeatNgramSize; self.seed = seed
    }

    public static let greedy = SamplingParameters()
    public var isGreedy: Bool { temperature <= 0 }
}

/// SplitMix64 (Steele et al. 2014): small, fast, and the same sequence on every platform for a seed.
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1) with 53 bits.
    package mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// Chooses tokens from logits under `SamplingParameters`, with its own seeded random state.
public struct Sampler {
    public let parameters: SamplingParameters
    private var random: SeededGenerator

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        self.random = SeededGenerator(seed: parameters.seed)
    }

    /// The next token given the last position's logits and the ids seen so far (prompt and output).
    /// N-gram blocking looks only at `history[outputStart...]`: a summary should be free to copy a phrase of its
    /// input, and it is repeating its own words that makes a loop. `outputStart` 0 is transformers' rule.
    public mutating func next(logits: [Float], history: [Int], outputStart: Int = 0) -> Int {
        if parameters.isGreedy { return Self.argmax(penalized(logits, history: history, outputStart: outputStart)) }
        let candidates = distribution(logits: logits, history: history, outputStart: outputStart)
        var target = random.unit()
        for (id, p) in candidates {
            target -= p
            if target < 0 { return id }
        }
        return candidates[candidates.count - 1].id
    }

    /// CTRL's repetition penalty (Keskar et al. 2019) as transformers applies it, then n-gram blocking.
    package func penalized(_ input: [Float], history: [Int], outputStart: Int = 0) -> [Float] {
        var logits = input
        if parameters.repetitionPenalty != 1 {
            for id in Set(history) where id >= 0 && id < logits.count {
                logits[id] = logits[id] > 0 ? logits[id] / parameters.repetitionPenalty : logits[id] * parameters.repetitionPenalty
            }
        }
        for id in Self.bannedByNgram(history[min(max(0, outputStart), history.count)...], size: parameters.noRepeatNgramSize)
        where id >= 0 && id < logits.count {
            logits[id] = -.infinity
        }
        return logits
    }

    /// The tokens that would complete an n-gram `tokens` already holds: those that followed each earlier
    /// occurrence of its last n-1 tokens (transformers' `_get_ngrams` and `_get_generated_ngrams`).
    package static func bannedByNgram(_ tokens: ArraySlice<Int>, size n: Int) -> Set<Int> {
        guard n > 0, tokens.count >= n else { return [] }
        let t = Array(tokens)
        if n == 1 { return Set(t) }
        let prefix = t[(t.count - n + 1)...]
        var banned = Set<Int>()
        for start in 0...(t.count - n) where t[start..<(start + n - 1)].elementsEqual(prefix) {
            banned.insert(t[start + n - 1])
        }
        return banned
    }

    /// The tokens that may be drawn and their probabilities (summing to 1), most likely first:
    /// penalty, temperature, top-k, then top-p (the token that crosses p stays in, as in transformers).
    package func distribution(logits input: [Float], history: [Int], outputStart: Int = 0) -> [(id: Int, probability: Double)] {
        let logits = penalized(input, history: history, outputStart: outputStart)
        let temperature = parameters.isGreedy ? 1 : parameters.temperature
        // Sorted by logit, highest first; ties keep the lower id first, so the order is deterministic.
        var candidates = logits.indices.map { (id: $0, logit: logits[$0] / temperature) }
        candidates.sort { $0.logit != $1.logit ? $0.logit > $1.logit : $0.id < $1.id }
        if parameters.topK > 0 && parameters.topK < candidates.count { candidates.removeLast(candidates.count - parameters.topK) }
        let maxLogit = Double(candidates[0].logit)
        var weights = candidates.map { Foundation.exp(Double($0.logit) - maxLogit) }
        var total = weights.reduce(0, +)
        if parameters.topP < 1 {
            var cumulative = 0.0, keep = 0
            for w in weights { cumulative += w / total; keep += 1; if cumulative >= Double(parameters.topP) { break } }
            weights.removeLast(weights.count - keep); candidates.removeLast(candidates.count - keep)
            total = weights.reduce(0, +)
        }
        return zip(candidates, weights).map { (id: $0.id, probability: $1 / total) }
    }

    /// Index of the largest logit; the lowest index wins a tie, as torch.argmax does.
    package static func argmax(_ logits: [Float]) -> Int {
        var best = 0
        for i in 1..<logits.count where logits[i] > logits[best] { best = i }
        return best
    }
}
