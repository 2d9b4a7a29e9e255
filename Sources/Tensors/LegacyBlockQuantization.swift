import CKernels

/// GGUF's Q4_1, Q5_0 and Q5_1 blocks (32 values each) and its F16/BF16 rows, quantized as ggml's reference
/// quantizers do (`quantize_row_q4_1_ref`, `quantize_row_q5_0_ref`, `quantize_row_q5_1_ref`, and the gguf
/// package's F16/BF16 conversions) so that rows Quill writes equal llama.cpp's byte for byte.
///
/// Every one of these blocks decodes as w = d·q + c with q an unsigned integer (4 or 5 bits): c is the stored
/// minimum for Q4_1/Q5_1 and −16·d for Q5_0. In the 5-bit formats bit j of the 32-bit `qh` word is the high
/// bit of value j, and the low nibbles are stored as Q4_0's are (byte j holds values j and j + 16).
enum LegacyBlockQuantization {
    static let blockSize = 32

    static func quantize(_ values: UnsafePointer<Float>, count: Int, format: WeightFormat,
                         into out: UnsafeMutableRawPointer) {
        switch format {
        case .q4_1: quantizeWithMinimum(values, count: count, bits: 4, into: out)
        case .q5_1: quantizeWithMinimum(values, count: count, bits: 5, into: out)
        case .q5_0: quantizeQ5_0(values, count: count, into: out)
        case .f16: for i in 0..<count { out.storeBytes(of: quill_f32_to_f16(values[i]), toByteOffset: 2 * i, as: UInt16.self) }
        case .bf16: for i in 0..<count { out.storeBytes(of: bf16Bits(values[i]), toByteOffset: 2 * i, as: UInt16.self) }
        default: preconditionFailure("\(format) is not a legacy block format")
        }
    }

    static func dequantize(_ row: UnsafeRawPointer, count: Int, format: WeightFormat,
                           into out: UnsafeMutablePointer<Float>) {
        switch format {
        case .f16: for i in 0..<count { out[i] = quill_f16_to_f32(row.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .bf16: for i in 0..<count { out[i] = bf16ToF32(row.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .q4_1, .q5_0, .q5_1:
            for b in 0..<(count / blockSize) {
                let block = Block(row + b * format.blockBytes, format: format)
                for j in 0..<blockSize { out[b * blockSize + j] = block.value(j) }
            }
        default: preconditionFailure("\(format) is not a legacy block format")
        }
    }

    /// One block's fields, read where they lie.
    struct Block {
        let d: Float
        /// The stored minimum (Q4_1, Q5_1); nil for Q5_0, whose values are offset by 16 instead.
        let m: Float?
        let qh: UInt32
        let qs: UnsafeRawPointer
        let bits: Int

        init(_ block: UnsafeRawPointer, format: WeightFormat) {
            d = quill_f16_to_f32(block.loadUnaligned(as: UInt16.self))
            switch format {
            case .q4_1: m = quill_f16_to_f32(block.loadUnaligned(fromByteOffset: 2, as: UInt16.self)); qh = 0; qs = block + 4; bits = 4
            case .q5_0: m = nil; qh = block.loadUnaligned(fromByteOffset: 2, as: UInt32.self).littleEndian; qs = block + 6; bits = 5
            case .q5_1:
                m = quill_f16_to_f32(block.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
                qh = block.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian; qs = block + 8; bits = 5
            default: preconditionFailure("\(format) is not a legacy block format")
            }
        }

        /// The unsigned quantized value j (0..<32): low nibble from qs, fifth bit from qh.
        func quant(_ j: Int) -> Int {
            let byte = qs.load(fromByteOffset: j % 16, as: UInt8.self)
            let nibble = Int(j < 16 ? byte & 15 : byte >> 4)
            return bits == 5 ? nibble | Int((qh >> UInt32(j)) & 1) << 4 : nibble
        }

        /// Value j as ggml computes it: d·q + m, or d·(q − 16) for Q5_0 (the same float operations, so equal bits).
        func value(_ j: Int) -> Float {
            if let m { return d * Float(quant(j)) + m }
            return d * Float(quant(j) - 16)
        }
    }

    /// Q4_1 / Q5_1: d = (max − min) / (2^bits − 1), q = min(2^bits − 1, trunc((x − min) / d + 0.5)).
    private static func quantizeWithMinimum(_ values: UnsafePointer<Float>, count: Int, bits: Int,
                                            into out: UnsafeMutableRawPointer) {
        let levels = Float((1 << bits) - 1), blockBytes = bits == 4 ? 20 : 24
        for b in 0..<(count / blockSize) {
            let x = values + b * blockSize
            var lo = Float.greatestFiniteMagnitude, hi = -Float.greatestFiniteMagnitude
            // Strict comparisons, as the reference: the first of equal values (0 and −0) wins.
            for j in 0..<blockSize { if x[j] < lo { lo = x[j] }; if x[j] > hi { hi = x[j] } }
            let d = (hi - lo) / levels
            let id: Float = d != 0 ? 1 / d : 0
            let block = out + b * blockBytes
            block.storeBytes(of: quill_f32_to_f16(d), as: UInt16.self)
            block.storeBytes(of: quill_f32_to_f16(lo), toByteOffset: 2, as: UInt16.self)
            var q = [Int](repeating: 0, count: blockSize)
            for j in 0..<blockSize { q[j] = min(Int(levels), truncatedByte((x[j] - lo) * id + 0.5)) }
            store(q, bits: bits, qhOffset: 4, qsOffset: bits == 4 ? 4 : 8, block: block)
        }
    }

    /// Q5_0: the value of largest magnitude, with its sign, maps to −16: d = v / −16, q = min(31, trunc(x / d + 16.5)).
    private static func quantizeQ5_0(_ values: UnsafePointer<Float>, count: Int, into out: UnsafeMutableRawPointer) {
        for b in 0..<(count / blockSize) {
            let x = values + b * blockSize
            var amax: Float = 0, vmax: Float = 0
            for j in 0..<blockSize where abs(x[j]) > amax { amax = abs(x[j]); vmax = x[j] }
            let d = vmax / -16
            let id: Float = d != 0 ? 1 / d : 0
            let block = out + b * 22
            block.storeBytes(of: quill_f32_to_f16(d), as: UInt16.self)
            var q = [Int](repeating: 0, count: blockSize)
            for j in 0..<blockSize { q[j] = min(31, truncatedByte(x[j] * id + 16.5)) }
            store(q, bits: 5, qhOffset: 2, qsOffset: 6, block: block)
        }
    }

    /// The reference's `(int8_t)` / `(uint8_t)` conversion of a non-negative float that fits: truncation.
    /// Values outside the byte range (only from non-finite input) are clamped instead of trapping.
    private static func truncatedByte(_ v: Float) -> Int {
        guard v.isFinite else { return 0 }
        return Int(max(0, min(255, v.rounded(.towardZero))))
    }

    private static func store(_ q: [Int], bits: Int, qhOffset: Int, qsOffset: Int, block: UnsafeMutableRawPointer) {
        var qh: UInt32 = 0
        for j in 0..<16 {
            block.storeBytes(of: UInt8(q[j] & 15) | UInt8(q[j + 16] & 15) << 4, toByteOffset: qsOffset + j, as: UInt8.self)
        }
        if bits == 5 {
            for j in 0..<blockSize { qh |= UInt32((q[j] >> 4) & 1) << UInt32(j) }
            block.storeBytes(of: qh.littleEndian, toByteOffset: qhOffset, as: UInt32.self)
        }
    }

    /// bf16 as the gguf package writes it: round to nearest even, NaN kept quiet.
    static func bf16Bits(_ f: Float) -> UInt16 {
        let b = f.bitPattern
        if b & 0x7fff_ffff > 0x7f80_0000 { return UInt16(truncatingIfNeeded: (b & 0xffff_0000 | 0x0040_0000) >> 16) }
        return UInt16(truncatingIfNeeded: (UInt64(b) + 0x7fff + UInt64((b >> 16) & 1)) >> 16)
    }
}
