import XCTest
@testable import LLM

/// `Linear` against the formula written out in plain loops: y = W·x + b + s·B(A·x), for one token (mat-vec)
/// and a batch (mat-mul), alone and in a group whose members share one parallel region.
final class LinearTests: XCTestCase {
    let out = 48, inp = 64, rank = 4, scale: Float = 0.75

    func values(_ n: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Float(g.unit() * 2 - 1) }
    }

    /// The plain-loop reference, in Double.
    func reference(w: [Float], b: [Float]?, pair: LoRAAdapter.Pair?, x: [Float], tokens: Int) -> [Float] {
        var y = [Float](repeating: 0, count: tokens * out)
        for t in 0..<tokens {
            var hidden = [Double](repeating: 0, count: rank)
            if let pair { for j in 0..<rank { for c in 0..<inp { hidden[j] += Double(pair.a[j * inp + c]) * Double(x[t * inp + c]) } } }
            for r in 0..<out {
                var s = 0.0
                for c in 0..<inp { s += Double(w[r * inp + c]) * Double(x[t * inp + c]) }
                if let b { s += Double(b[r]) }
                if let pair { for j in 0..<rank { s += Double(pair.scale) * Double(pair.b[r * rank + j]) * hidden[j] } }
                y[t * out + r] = Float(s)
            }
        }
        return y
    }

    func testForwardIsWxPlusBiasPlusScaledLoRAForOneTokenAndABatch() {
        let w = values(out * inp, seed: 1), b = values(out, seed: 2)
        let pair = LoRAAdapter.Pair(a: values(rank * inp, seed: 3), b: values(out * rank, seed: 4), rank: rank, scale: scale)
        let weight = w.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: out, columns: inp, format: .f32) }
        for threads in [1, 3] {
            let pool = ThreadPool(threads: threads)
            for (bias, lora) in [(nil, nil), (b, nil), (nil, pair), (b, pair)] as [([Float]?, LoRAAdapter.Pair?)] {
                let linear = Linear(weight: weight, bias: bias, lora: lora)
                for tokens in [1, 5] {
                    let x = values(tokens * inp, seed: 10 + UInt64(tokens))
                    var y = [Float](repeating: .nan, count: tokens * out)
                    var hidden = [Float](repeating: 0, count: max(1, linear.loraHiddenCount(tokens: tokens)))
                    x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in hidden.withUnsafeMutableBufferPointer { hp in
                        linear.forward(x: xp.baseAddress!, xq: nil, tokens: tokens, y: yp.baseAddress!, loraHidden: hp.baseAddress!, pool: pool)
                    } } }
                    let d = maxAbsDifference(y, reference(w: w, b: bias, pair: lora, x: x, tokens: tokens))
                    XCTAssertLessThan(d, 1e-4, "threads \(threads), tokens \(tokens), bias \(bias != nil), LoRA \(lora != nil)")
                }
            }
        }
    }

    func testAGroupGivesEachMemberItsOwnResult() {
        let pool = ThreadPool(threads: 2)
        let w1 = values(out * inp, seed: 21), w2 = values(out * inp, seed: 22), b1 = values(out, seed: 23)
        let pair = LoRAAdapter.Pair(a: values(rank * inp, seed: 24), b: values(out * rank, seed: 25), rank: rank, scale: scale)
        func matrix(_ w: [Float]) -> WeightMatrix {
            w.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: out, columns: inp, format: .f32) }
        }
        let tokens = 3
        let x = values(tokens * inp, seed: 26)
        let y1 = UnsafeMutablePointer<Float>.allocate(capacity: tokens * out), y2 = UnsafeMutablePointer<Float>.allocate(capacity: tokens * out)
        let hidden = UnsafeMutablePointer<Float>.allocate(capacity: tokens * rank)
        defer { y1.deallocate(); y2.deallocate(); hidden.deallocate() }
        let group = LinearGroup([(Linear(weight: matrix(w1), bias: b1), y1), (Linear(weight: matrix(w2), lora: pair), y2)])
        XCTAssertEqual(group.loraHiddenCount(tokens: tokens), tokens * rank)
        x.withUnsafeBufferPointer { group.forward(x: $0.baseAddress!, xq: nil, tokens: tokens, loraHidden: hidden, pool: pool) }
        XCTAssertLessThan(maxAbsDifference(Array(UnsafeBufferPointer(start: y1, count: tokens * out)),
                                           reference(w: w1, b: b1, pair: nil, x: x, tokens: tokens)), 1e-4)
        XCTAssertLessThan(maxAbsDifference(Array(UnsafeBufferPointer(start: y2, count: tokens * out)),
                                           reference(w: w2, b: nil, pair: pair, x: x, tokens: tokens)), 1e-4)
    }
}
