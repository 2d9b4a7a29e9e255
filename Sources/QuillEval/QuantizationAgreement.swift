import Foundation
import LLM

/// How often a quantized model ranks the next token as the original (f32) model does, position by position
/// along the same token sequence: top-1 agreement, the overlap of the two top-5 sets, and how often the
/// original's top token is in the quantized model's top 5.
public struct QuantizationAgreement: Sendable, Equatable {
    public var positions = 0
    public var top1Agree = 0
    /// Sum over positions of |top5(original) ∩ top5(quantized)|.
    public var top5Overlap = 0
    public var originalTop1InTop5 = 0

    public var top1Rate: Double { positions > 0 ? Double(top1Agree) / Double(positions) : 0 }
    public var top5OverlapRate: Double { positions > 0 ? Double(top5Overlap) / Double(5 * positions) : 0 }
    public var top1InTop5Rate: Double { positions > 0 ? Double(originalTop1InTop5) / Double(positions) : 0 }

    public init() {}

    /// Compares the two models' logits at positions `from..<ids.count` of `ids` (teacher-forced: both read the
    /// same tokens, so one early disagreement does not cascade).
    public mutating func add(original: InferenceSession, quantized: InferenceSession, ids: [Int], from: Int = 0) throws {
        original.reset(); quantized.reset()
        let V = original.model.config.vocabulary
        let a = try original.forward(ids, allLogits: true), b = try quantized.forward(ids, allLogits: true)
        for p in max(0, from)..<ids.count {
            let ta = Self.top(5, a[(p * V)..<((p + 1) * V)]), tb = Self.top(5, b[(p * V)..<((p + 1) * V)])
            positions += 1
            if ta[0] == tb[0] { top1Agree += 1 }
            top5Overlap += Set(ta).intersection(tb).count
            if tb.contains(ta[0]) { originalTop1InTop5 += 1 }
        }
    }

    /// The greedy continuation of `prompt` by `session`'s model, up to `count` tokens or a stop token.
    public static func greedy(_ session: InferenceSession, prompt: [Int], count: Int, stop: Set<Int>) throws -> [Int] {
        session.reset()
        var logits = try session.forward(prompt)
        var out: [Int] = []
        while out.count < count {
            let next = top(1, logits[...])[0]
            if stop.contains(next) { break }
            out.append(next)
            logits = try session.forward([next])
        }
        return out
    }

    /// Indices of the `k` largest values, largest first (ties: lower index first).
    static func top(_ k: Int, _ values: ArraySlice<Float>) -> [Int] {
        var best: [(Float, Int)] = []
        for (i, v) in zip(0..., values) {
            if best.count < k || v > best[best.count - 1].0 {
                let at = best.firstIndex { v > $0.0 } ?? best.count
                best.insert((v, i), at: at)
                if best.count > k { best.removeLast() }
            }
        }
        return best.map(\.1)
    }
}
