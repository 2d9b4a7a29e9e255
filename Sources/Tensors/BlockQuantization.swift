import CKernels

/// Q8_0 and Q4_0 quantization of rows, following GGUF's reference quantizers (ggml-quants.c,
/// `quantize_row_q8_0_ref` and `quantize_row_q4_0_ref`) so that bytes written here match llama.cpp's.
public enum BlockQuantization {
    public static let blockSize = 32

    /// Quantizes `values` (count % 32 == 0) into `format`'s blocks at `out` (rowBytes(columns: count) bytes).
    public static func quantize(_ values: UnsafePointer<Float>, count: Int, format: WeightFormat,
                                into out: UnsafeMutableRawPointer) {
        switch format {
        case .f32:
            out.copyMemory(from: values, byteCount: count * 4)
        case .q8_0:
            for b in 0..<(count / blockSize) {
                let x = values + b * blockSize
                var amax: Float = 0
                for j in 0..<blockSize { amax = max(amax, abs(x[j])) }
                let d = amax / 127
                let id: Float = d != 0 ? 1 / d : 0
                let block = out + b * 34
                block.storeBytes(of: quill_f32_to_f16(d), as: UInt16.self)
                let qs = (block + 2).assumingMemoryBound(to: Int8.self)
                // roundf: half away from zero, as the reference.
                for j in 0..<blockSize { qs[j] = Int8((x[j] * id).rounded(.toNearestOrAwayFromZero)) }
            }
        case .q4_0:
            for b in 0..<(count / blockSize) {
                let x = values + b * blockSize
                // The value of largest magnitude, with its sign, maps to -8.
                var amax: Float = 0, vmax: Float = 0
                for j in 0..<blockSize where abs(x[j]) > amax { amax = abs(x[j]); vmax = x[j] }
                let d = vmax / -8
                let id: Float = d != 0 ? 1 / d : 0
                let block = out + b * 18
                block.storeBytes(of: quill_f32_to_f16(d), as: UInt16.self)
                let qs = (block + 2).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 {
                    let lo = min(15, Int8(truncatingIfNeeded: Int(x[j] * id + 8.5)))
                    let hi = min(15, Int8(truncatingIfNeeded: Int(x[j + 16] * id + 8.5)))
                    qs[j] = UInt8(truncatingIfNeeded: lo) | (UInt8(truncatingIfNeeded: hi) << 4)
                }
            }
        case .q4_K, .q5_K, .q6_K:
            KQuantBlocks.quantize(values, count: count, format: format, into: out)
        case .q4_1, .q5_0, .q5_1, .f16, .bf16:
            LegacyBlockQuantization.quantize(values, count: count, format: format, into: out)
        }
    }

    /// Expands one row of `count` values held in `format` at `row` into floats.
    public static func dequantize(_ row: UnsafeRawPointer, count: Int, format: WeightFormat,
                                  into out: UnsafeMutablePointer<Float>) {
        switch format {
        case .f32:
            out.update(from: row.assumingMemoryBound(to: Float.self), count: count)
        case .q8_0:
            for b in 0..<(count / blockSize) {
                let block = row + b * 34
                let d = quill_f16_to_f32(block.loadUnaligned(as: UInt16.self))
                let qs = (block + 2).assumingMemoryBound(to: Int8.self)
                for j in 0..<blockSize { out[b * blockSize + j] = d * Float(qs[j]) }
            }
        case .q4_0:
            for b in 0..<(count / blockSize) {
                let block = row + b * 18
                let d = quill_f16_to_f32(block.loadUnaligned(as: UInt16.self))
                let qs = (block + 2).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 {
                    out[b * blockSize + j] = d * Float(Int(qs[j] & 15) - 8)
                    out[b * blockSize + j + 16] = d * Float(Int(qs[j] >> 4) - 8)
                }
            }
        case .q4_K, .q5_K, .q6_K:
            KQuantBlocks.dequantize(row, count: count, format: format, into: out)
        case .q4_1, .q5_0, .q5_1, .f16, .bf16:
            LegacyBlockQuantization.dequantize(row, count: count, format: format, into: out)
        }
    }
}
