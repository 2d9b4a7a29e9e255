import CKernels

/// Writes K-quant super-blocks from floats. Simpler than llama.cpp's searched scales (make_qkx2_quants,
/// make_qx_quants): each sub-block's range is covered outright, with its 6-bit (or int8) scale rounded up so
/// that no value is clamped; every value then lies within half a step of its sub-block's grid. Good enough for
/// tests and for writing files; not byte-identical to llama-quantize.
extension KQuantBlocks {
    static func quantize(_ values: UnsafePointer<Float>, count: Int, format: WeightFormat,
                         into out: UnsafeMutableRawPointer) {
        for b in 0..<(count / superBlockValues) {
            let x = values + b * superBlockValues, block = out + b * format.blockBytes
            if format == .q6_K { quantizeQ6K(x, into: block) } else { quantizeQ4KQ5K(x, format: format, into: block) }
        }
    }

    /// Rounds up a positive ratio to an integer in 0...limit (the scale codes must cover, never clip).
    private static func ceilCode(_ v: Float, limit: Int) -> Int {
        guard v.isFinite, v > 0 else { return 0 }
        return Int(min(Float(limit), v.rounded(.up)))
    }

    private static func quantizeQ4KQ5K(_ x: UnsafePointer<Float>, format: WeightFormat, into block: UnsafeMutableRawPointer) {
        let levels: Float = format == .q4_K ? 15 : 31
        // Per sub-block: the offset (−min, never negative: a min above zero is taken as zero) and the step.
        var offsets = [Float](repeating: 0, count: 8), steps = [Float](repeating: 0, count: 8)
        for j in 0..<8 {
            var lo: Float = 0, hi: Float = -.greatestFiniteMagnitude
            for l in 0..<32 { lo = min(lo, x[j * 32 + l]); hi = max(hi, x[j * 32 + l]) }
            offsets[j] = -lo; steps[j] = max(0, hi - lo) / levels
        }
        let dmin = quill_f16_to_f32(quill_f32_to_f16(offsets.max()! / 63))
        // The min code is rounded up, which can raise the offset by up to one dmin: the step grows to still reach the top.
        let grownSteps = steps.map { $0 + dmin / levels }
        let d = quill_f16_to_f32(quill_f32_to_f16(grownSteps.max()! / 63))
        var sc = [UInt8](repeating: 0, count: 8), mn = [UInt8](repeating: 0, count: 8)
        for j in 0..<8 {
            mn[j] = UInt8(ceilCode(offsets[j] / dmin, limit: 63))
            sc[j] = UInt8(ceilCode(grownSteps[j] / d, limit: 63))
        }
        block.storeBytes(of: quill_f32_to_f16(d), as: UInt16.self)
        block.storeBytes(of: quill_f32_to_f16(dmin), toByteOffset: 2, as: UInt16.self)
        let scales = (block + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<4 {
            scales[j] = sc[j] | (sc[j + 4] >> 4) << 6
            scales[j + 4] = mn[j] | (mn[j + 4] >> 4) << 6
            scales[j + 8] = (sc[j + 4] & 0xF) | (mn[j + 4] & 0xF) << 4
        }
        let qsOffset = format == .q4_K ? 16 : 48
        let qs = (block + qsOffset).assumingMemoryBound(to: UInt8.self)
        let qh = (block + 16).assumingMemoryBound(to: UInt8.self)
        qs.update(repeating: 0, count: 128)
        if format == .q5_K { qh.update(repeating: 0, count: 32) }
        for j in 0..<8 {
            let step = d * Float(sc[j]), offset = dmin * Float(mn[j])
            let inv: Float = step > 0 ? 1 / step : 0
            for l in 0..<32 {
                let q = UInt8(max(0, min(levels, ((x[j * 32 + l] + offset) * inv).rounded())))
                qs[(j / 2) * 32 + l] |= (q & 0xF) << (j % 2 == 1 ? 4 : 0)
                if format == .q5_K { qh[l] |= (q >> 4) << UInt8(j) }
            }
        }
    }

    private static func quantizeQ6K(_ x: UnsafePointer<Float>, into block: UnsafeMutableRawPointer) {
        var steps = [Float](repeating: 0, count: 16)
        for i in 0..<16 {
            var amax: Float = 0
            for l in 0..<16 { amax = max(amax, abs(x[i * 16 + l])) }
            steps[i] = amax / 31
        }
        let d = quill_f16_to_f32(quill_f32_to_f16(steps.max()! / 127))
        let p = block.assumingMemoryBound(to: UInt8.self)
        p.update(repeating: 0, count: 208)
        for i in 0..<16 {
            let sc = ceilCode(steps[i] / d, limit: 127)
            p[192 + i] = UInt8(sc)
            let step = d * Float(sc), inv: Float = step > 0 ? 1 / step : 0
            for l in 0..<16 {
                let v = i * 16 + l
                let q = UInt8(max(-32, min(31, (x[v] * inv).rounded())) + 32)
                let half = v / 128, k = (v % 128) / 32, lane = v % 32
                p[half * 64 + (k & 1) * 32 + lane] |= (q & 0xF) << (k < 2 ? 0 : 4)
                p[128 + half * 32 + lane] |= (q >> 4) << UInt8(2 * k)
            }
        }
        block.storeBytes(of: quill_f32_to_f16(d), toByteOffset: 208, as: UInt16.self)
    }
}
