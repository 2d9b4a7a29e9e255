// Kernels for llama.cpp's K-quant super-blocks (256 values), the types of Q4_K_M GGUF files:
//   Q4_K: 144 bytes = { fp16 d; fp16 dmin; u8 scales[12]; u8 qs[128] }   x = d*sc*q - dmin*m, 8 sub-blocks of 32
//   Q5_K: 176 bytes = { fp16 d; fp16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128] }   q gains a fifth bit from qh
//   Q6_K: 210 bytes = { u8 ql[128]; u8 qh[64]; i8 scales[16]; fp16 d }   x = d*sc*(q - 32), 16 sub-blocks of 16
// They read the same int8 activations as the Q8_0/Q4_0 kernels (32-value blocks with scales and sums):
// a Q4_K/Q5_K sub-block is exactly one activation block, and its min is applied through the block's sum.
// Plain Swift twins: Tensors/KQuantKernelsReference.swift.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// y[r] = dot(W[r], x), W in Q4_K / Q5_K / Q6_K, cols % 256 == 0, x quantized by quill_quantize_act_q8.
void quill_matvec_q4_K(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y);
void quill_matvec_q5_K(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y);
void quill_matvec_q6_K(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y);

/// Y[t*ldy + r] = dot(W[r], X[t]) for r < rows, t < ntok (as quill_gemm_q8_0).
void quill_gemm_q4_K(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy);
void quill_gemm_q5_K(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy);
void quill_gemm_q6_K(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy);

/// Expands `rows` rows of K-quant blocks (ggml type 12 = Q4_K, 13 = Q5_K, 14 = Q6_K) into bf16, as
/// quill_dequantize_rows_bf16 does for the other types. Returns 0 (and writes nothing) for any other type.
int quill_dequantize_rows_bf16_kquant(const uint8_t *w, int format, int64_t rows, int64_t cols, uint16_t *out);

#ifdef __cplusplus
}
#endif
