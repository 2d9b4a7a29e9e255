// Innermost loops of the quantized kernels, in C with x86 SIMD intrinsics.
// Each function has a plain Swift twin in the Tensors target (QuantKernelsReference.swift) and a test
// that holds the two equal. Block layouts are GGUF's:
//   Q8_0: 34 bytes = { fp16 d; int8 qs[32] }            x_j = d * qs[j]
//   Q4_0: 18 bytes = { fp16 d; uint8 qs[16] }           x_j = d * ((qs[j] & 15) - 8), x_{j+16} = d * ((qs[j] >> 4) - 8)
// Activations are quantized per 32-value block to int8 with a float scale and the block's integer sum
// (the sum lets Q4_0's -8 offset and the unsigned-activation trick be corrected once per block).
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which SIMD path the kernels use on this CPU: 2 = AVX-512 VNNI, 1 = AVX2, 0 = portable C.
int quill_kernel_level(void);
/// Forces a lower path (tests use it to compare paths); returns the level now in force.
int quill_set_kernel_level(int level);

/// Quantizes n floats (n % 32 == 0) into int8 blocks: scales[n/32], qs[n], sums[n/32] (sum of the block's qs).
void quill_quantize_act_q8(const float *x, int64_t n, float *scales, int8_t *qs, int32_t *sums);

/// y[r] = dot(W[r], x) for r in [0, rows), W in Q8_0 blocks, cols % 32 == 0, x quantized by quill_quantize_act_q8.
void quill_matvec_q8_0(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y);
/// Same for Q4_0 weights.
void quill_matvec_q4_0(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y);

/// Y[t*ldy + r] = dot(W[r], X[t]) for r < rows, t < ntok. X holds ntok quantized rows of cols values
/// (scales/sums: cols/32 per token, qs: cols per token).
void quill_gemm_q8_0(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy);
void quill_gemm_q4_0(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy);

/// fp16 <-> fp32 for the block scales (IEEE half, round to nearest even).
float quill_f16_to_f32(uint16_t h);
uint16_t quill_f32_to_f16(float f);

#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif
/// Whether this CPU has AVX-512 BF16 dot products (VDPBF16PS), which the batched path prefers.
int quill_has_bf16_dot(void);
/// fp32 -> bf16, round to nearest even (n values).
void quill_f32_to_bf16(const float *x, int64_t n, uint16_t *out);
/// Expands `rows` rows of Q8_0 (format 8) or Q4_0 (format 2) blocks, `cols` values each, into bf16 (row stride cols).
void quill_dequantize_rows_bf16(const uint8_t *w, int format, int64_t rows, int64_t cols, uint16_t *out);
/// Y[t*ldy + r] = dot(W[r], X[t]) with W [rows, cols] and X [ntok, cols] in bf16, fp32 accumulation.
void quill_gemm_bf16(const uint16_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const uint16_t *x, float *y, int64_t ldy);
#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif
/// Whether this CPU has Intel AMX with bf16 tiles and this process may use them (asked of the kernel once).
int quill_has_amx_bf16(void);
/// A [m, k] fp32 (row stride ldx) into bf16 [mp, kp], zero-padded.
void quill_bf16_pack_a(const float *x, int64_t m, int64_t k, int64_t ldx, int64_t mp, int64_t kp, uint16_t *out);
/// The transpose of x [k, m] (row stride ldx) as a packed A [mp, kp].
void quill_bf16_pack_a_transposed(const float *x, int64_t m, int64_t k, int64_t ldx, int64_t mp, int64_t kp, uint16_t *out);
/// B [k, n] (row stride ldw) into bf16 VNNI tiles (np/16 column tiles of kp/32 tiles each, 512 values a tile),
/// zero-padded; with `transposed`, w is [n, k] (row stride ldw) and B = wᵀ. Writes the column tiles nt0 ..< nt1
/// (threads share the tiles out).
void quill_bf16_pack_b(const float *w, int64_t ldw, int64_t k, int64_t n, int transposed, int64_t kp, int64_t np,
                       int64_t nt0, int64_t nt1, uint16_t *out);
/// As quill_bf16_pack_b from bf16 weights (no rounding: a copy into the tile order).
void quill_bf16_pack_b_bf16(const uint16_t *w, int64_t k, int64_t n, int transposed, int64_t kp, int64_t np,
                            int64_t nt0, int64_t nt1, uint16_t *out);
/// C [mp, np] columns n0*32 ..< n1*32 = A · B from packed operands (AMX when `use_amx` and present, else plain C).
void quill_bf16_gemm_packed(const uint16_t *a, int64_t mp, int64_t kp, const uint16_t *b, int64_t n0, int64_t n1,
                            float *c, int64_t np, int use_amx);
#ifdef __cplusplus
}
#endif

#include "KQuantKernels.h"
#include "legacyquants.h"
