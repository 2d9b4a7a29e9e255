import CKernels

/// llama.cpp's K-quant super-blocks (256 values), byte for byte as GGUF stores them (ggml-common.h):
///   Q4_K, 144 bytes: fp16 d, fp16 dmin, u8 scales[12], u8 qs[128]
///   Q5_K, 176 bytes: fp16 d, fp16 dmin, u8 scales[12], u8 qh[32], u8 qs[128]
///   Q6_K, 210 bytes: u8 ql[128], u8 qh[64], i8 scales[16], fp16 d (the scale comes last)
/// Q4_K and Q5_K: eight sub-blocks of 32 values, each with a 6-bit scale and a 6-bit min packed into `scales`;
/// value = d·sc·q − dmin·m. Each 32 bytes of qs hold two sub-blocks: low nibbles the first, high nibbles the next.
/// Q6_K: sixteen sub-blocks of 16 values with int8 scales; value = d·sc·(q − 32), q 6 bits from ql and qh.
public enum KQuantBlocks {
    public static let superBlockValues = 256

    /// Sub-block `j`'s (scale, min) of Q4_K / Q5_K (ggml's get_scale_min_k4): the first four sit in the low
    /// six bits of bytes j and j+4; the last four take their low four bits from byte j+4 and the top two from
    /// the spare high bits of bytes j−4 and j.
    @inline(__always)
    public static func scaleMin(_ scales: UnsafeRawPointer, _ j: Int) -> (scale: UInt8, min: UInt8) {
        let q = scales.assumingMemoryBound(to: UInt8.self)
        if j < 4 { return (q[j] & 63, q[j + 4] & 63) }
        return ((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    }

    /// The 5-bit (Q5_K) or 4-bit (Q4_K) value `i` (0..<256) of a super-block, without scale or min.
    @inline(__always)
    static func unsignedValue(_ block: UnsafeRawPointer, _ i: Int, format: WeightFormat) -> Int {
        let chunk = i / 64, l = i % 32, high = (i / 32) % 2 == 1
        let qs = block.assumingMemoryBound(to: UInt8.self) + (format == .q4_K ? 16 : 48) + chunk * 32
        var q = Int(high ? qs[l] >> 4 : qs[l] & 0xF)
        if format == .q5_K {
            let qh = block.assumingMemoryBound(to: UInt8.self) + 16
            q |= Int((qh[l] >> UInt8(2 * chunk + (high ? 1 : 0))) & 1) << 4
        }
        return q
    }

    /// The 6-bit value `i` of a Q6_K super-block minus 32 (range −32...31). Each 128-value half has 64 bytes of
    /// ql (low nibbles: values 0–63, high nibbles: 64–127) and 32 of qh (two bits for each of four quarters).
    @inline(__always)
    static func signedValue6(_ block: UnsafeRawPointer, _ i: Int) -> Int {
        let p = block.assumingMemoryBound(to: UInt8.self)
        let half = i / 128, k = (i % 128) / 32, l = i % 32
        let ql = p[half * 64 + (k & 1) * 32 + l]
        let lo = Int(k < 2 ? ql & 0xF : ql >> 4)
        let hi = Int((p[128 + half * 32 + l] >> UInt8(2 * k)) & 3)
        return (lo | hi << 4) - 32
    }

    static func dequantize(_ row: UnsafeRawPointer, count: Int, format: WeightFormat,
                           into out: UnsafeMutablePointer<Float>) {
        let bytes = format.blockBytes
        for b in 0..<(count / superBlockValues) {
            let block = row + b * bytes, y = out + b * superBlockValues
            if format == .q6_K {
                let d = quill_f16_to_f32(block.loadUnaligned(fromByteOffset: 208, as: UInt16.self))
                for i in 0..<superBlockValues {
                    let sc = Float(block.load(fromByteOffset: 192 + i / 16, as: Int8.self))
                    y[i] = (d * sc) * Float(signedValue6(block, i))
                }
                continue
            }
            let d = quill_f16_to_f32(block.loadUnaligned(as: UInt16.self))
            let dmin = quill_f16_to_f32(block.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
            for j in 0..<8 {
                let (sc, m) = scaleMin(block + 4, j)
                let d1 = d * Float(sc), m1 = dmin * Float(m)
                for l in 0..<32 { y[j * 32 + l] = d1 * Float(unsignedValue(block, j * 32 + l, format: format)) - m1 }
            }
        }
    }
}
