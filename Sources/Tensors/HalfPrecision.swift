import CKernels

/// IEEE half and bfloat16 conversions used by the loaders and block scales.
public func f16ToF32(_ h: UInt16) -> Float { quill_f16_to_f32(h) }
public func f32ToF16(_ f: Float) -> UInt16 { quill_f32_to_f16(f) }
/// bfloat16 is the top half of an IEEE float: widening is exact.
@inline(__always) public func bf16ToF32(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }
