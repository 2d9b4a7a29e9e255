// Kernels for GGUF's Q4_1, Q5_0, Q5_1 (32-value blocks) and F16 / BF16 rows, laid out as GGUF stores them:
//   Q4_1: 20 bytes = { fp16 d; fp16 m; uint8 qs[16] }                x_j = d * q_j + m
//   Q5_0: 22 bytes = { fp16 d; uint8 qh[4]; uint8 qs[16] }            x_j = d * (q_j - 16)
//   Q5_1: 24 bytes = { fp16 d; fp16 m; uint8 qh[4]; uint8 qs[16] }    x_j = d * q_j + m
// with q_j = low nibble of qs[j] (j < 16) or high nibble of qs[j - 16], plus 16 * bit j of the little-endian
// 32-bit word qh in the 5-bit formats. Plain Swift twins: Tensors/QuantKernelsReference+Legacy.swift.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// y[r] = dot(W[r], x) for r < rows, W in Q4_1 / Q5_0 / Q5_1 blocks (cols % 32 == 0), x quantized by
/// quill_quantize_act_q8 (its per-block sums carry the minimum and offset terms).
void quill_matvec_q4_1(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y);
void quill_matvec_q5_0(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y);
void quill_matvec_q5_1(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y);

/// Y[t*ldy + r] = dot(W[r], X[t]) for r < rows, t < ntok, as quill_gemm_q4_0.
void quill_gemm_q4_1(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy);
void quill_gemm_q5_0(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy);
void quill_gemm_q5_1(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy);

/// y[r] = dot(W[r], x) for W in IEEE half (F16) or bfloat16 (BF16) rows of cols values and x in fp32:
/// each weight is widened to fp32 exactly, products summed in fp32.
void quill_matvec_f16(const uint8_t *w, int64_t rows, int64_t cols, const float *x, float *y);
void quill_matvec_bf16(const uint8_t *w, int64_t rows, int64_t cols, const float *x, float *y);

/// Widens n F16 (ggml type 1) or BF16 (type 30) values to fp32.
void quill_half_to_f32(const uint8_t *w, int type, int64_t n, float *out);

/// quill_dequantize_rows_bf16 for ggml types 3 (Q4_1), 6 (Q5_0), 7 (Q5_1), 1 (F16) and 30 (BF16): returns 0,
/// writing nothing, for any other type.
int quill_dequantize_rows_bf16_legacy(const uint8_t *w, int type, int64_t rows, int64_t cols, uint16_t *out);

#ifdef __cplusplus
}
#endif
