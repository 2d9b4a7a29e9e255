import CKernels

/// The plain Swift twin of kquants.c's row dot: K-quant weights against int8 activations quantized per
/// 32-value block (`QuantKernelsReference.quantizeActivations`). Read straight from the block layout,
/// value by value, so it shares no unpacking code with the C kernels it checks.
public enum KQuantKernelsReference {
    public static func dot(row: UnsafeRawPointer, columns: Int, format: WeightFormat,
                           scales: [Float], values: [Int8]) -> Float {
        var acc: Float = 0
        for sb in 0..<(columns / 256) {
            let block = row + sb * format.blockBytes
            if format == .q6_K {
                let d = quill_f16_to_f32(block.loadUnaligned(fromByteOffset: 208, as: UInt16.self))
                for j in 0..<8 {
                    let b = sb * 8 + j
                    var s: Int32 = 0
                    for half in 0..<2 {
                        let sc = Int32(block.load(fromByteOffset: 192 + 2 * j + half, as: Int8.self))
                        var part: Int32 = 0
                        for l in (half * 16)..<(half * 16 + 16) {
                            part += Int32(KQuantBlocks.signedValue6(block, j * 32 + l)) * Int32(values[b * 32 + l])
                        }
                        s += sc * part
                    }
                    acc += scales[b] * (d * Float(s))
                }
                continue
            }
            let d = quill_f16_to_f32(block.loadUnaligned(as: UInt16.self))
            let dmin = quill_f16_to_f32(block.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
            for j in 0..<8 {
                let b = sb * 8 + j
                let (sc, m) = KQuantBlocks.scaleMin(block + 4, j)
                var s: Int32 = 0, sum: Int32 = 0
                for l in 0..<32 {
                    let x = Int32(values[b * 32 + l])
                    s += Int32(KQuantBlocks.unsignedValue(block, j * 32 + l, format: format)) * x
                    sum += x
                }
                acc += scales[b] * (d * Float(sc) * Float(s) - dmin * Float(m) * Float(sum))
            }
        }
        return acc
    }
}
