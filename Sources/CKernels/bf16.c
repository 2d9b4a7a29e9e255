// The batched (prefill) path for quantized weights: a stripe of weight rows is expanded to bf16 once and
// multiplied with every token's bf16 activations by VDPBF16PS (two multiply-adds per lane per instruction).
// Why not int8 here: the int8 GEMM must rescale every 32-value block of every (row, token) pair in floating
// point, which costs more instructions than the multiply-adds themselves; expanding the weights first moves
// that work out of the inner loop, where it is shared by all tokens. The Swift twin is
// QuantKernelsReference.gemmBF16; tests hold the two equal.
#include "CKernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define BF16_ATTR __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512bf16")))
#endif

static inline uint16_t f32_to_bf16_scalar(float f) {
    uint32_t b; memcpy(&b, &f, 4);
    if ((b & 0x7fffffff) > 0x7f800000) return (uint16_t)((b >> 16) | 0x40);  // quiet NaN
    b += 0x7fff + ((b >> 16) & 1);
    return (uint16_t)(b >> 16);
}
static inline float bf16_to_f32(uint16_t h) { uint32_t b = (uint32_t)h << 16; float f; memcpy(&f, &b, 4); return f; }

int quill_has_bf16_dot(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw")
        && quill_kernel_level() >= 2;
#else
    return 0;
#endif
}

#if defined(__x86_64__)
static BF16_ATTR void f32_to_bf16_avx512(const float *x, int64_t n, uint16_t *out);
static BF16_ATTR void dequantize_rows_bf16_avx512(const uint8_t *w, int format, int64_t rows, int64_t cols, uint16_t *out);
#endif

void quill_f32_to_bf16(const float *x, int64_t n, uint16_t *out) {
#if defined(__x86_64__)
    if (quill_has_bf16_dot()) { f32_to_bf16_avx512(x, n, out); return; }
#endif
    for (int64_t i = 0; i < n; i++) out[i] = f32_to_bf16_scalar(x[i]);
}

static inline uint16_t load_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

void quill_dequantize_rows_bf16(const uint8_t *w, int format, int64_t rows, int64_t cols, uint16_t *out) {
    if (quill_dequantize_rows_bf16_kquant(w, format, rows, cols, out)) return;  // Q4_K, Q5_K, Q6_K: kquants.c
    if (quill_dequantize_rows_bf16_legacy(w, format, rows, cols, out)) return;
#if defined(__x86_64__)
    if (quill_has_bf16_dot()) { dequantize_rows_bf16_avx512(w, format, rows, cols, out); return; }
#endif
    const int64_t nb = cols / 32;
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t b = 0; b < nb; b++) {
            uint16_t *o = out + r * cols + b * 32;
            if (format == 8) {
                const uint8_t *blk = w + (r * nb + b) * 34;
                float d = quill_f16_to_f32(load_u16(blk));
                const int8_t *q = (const int8_t *)(blk + 2);
                for (int j = 0; j < 32; j++) o[j] = f32_to_bf16_scalar(d * (float)q[j]);
            } else {
                const uint8_t *blk = w + (r * nb + b) * 18;
                float d = quill_f16_to_f32(load_u16(blk));
                const uint8_t *q = blk + 2;
                for (int j = 0; j < 16; j++) {
                    o[j] = f32_to_bf16_scalar(d * (float)((int)(q[j] & 15) - 8));
                    o[j + 16] = f32_to_bf16_scalar(d * (float)((int)(q[j] >> 4) - 8));
                }
            }
        }
    }
}

static void gemm_bf16_c(const uint16_t *w, int64_t rows, int64_t cols, int64_t ntok, const uint16_t *x, float *y, int64_t ldy) {
    for (int64_t t = 0; t < ntok; t++)
        for (int64_t r = 0; r < rows; r++) {
            float s = 0;
            for (int64_t k = 0; k < cols; k++) s += bf16_to_f32(w[r * cols + k]) * bf16_to_f32(x[t * cols + k]);
            y[t * ldy + r] = s;
        }
}

#if defined(__x86_64__)
static inline BF16_ATTR float hsum512(__m512 v) { return _mm512_reduce_add_ps(v); }

// 4 weight rows x 4 tokens per step; each zmm holds 32 bf16 (16 lanes x 2 multiply-adds).
static BF16_ATTR void gemm_bf16_avx512(const uint16_t *w, int64_t rows, int64_t cols, int64_t ntok,
                                       const uint16_t *x, float *y, int64_t ldy) {
    const int64_t kv = cols / 32;  // cols % 32 == 0
    int64_t t = 0;
    for (; t + 3 < ntok; t += 4) {
        const uint16_t *x0 = x + t * cols, *x1 = x0 + cols, *x2 = x1 + cols, *x3 = x2 + cols;
        int64_t r = 0;
        for (; r + 3 < rows; r += 4) {
            const uint16_t *w0 = w + r * cols, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
            __m512 a00 = _mm512_setzero_ps(), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
            __m512 a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
            for (int64_t k = 0; k < kv; k++) {
                __m512bh vx0 = (__m512bh)_mm512_loadu_si512(x0 + k * 32), vx1 = (__m512bh)_mm512_loadu_si512(x1 + k * 32);
                __m512bh vx2 = (__m512bh)_mm512_loadu_si512(x2 + k * 32), vx3 = (__m512bh)_mm512_loadu_si512(x3 + k * 32);
                __m512bh vw = (__m512bh)_mm512_loadu_si512(w0 + k * 32);
                a00 = _mm512_dpbf16_ps(a00, vw, vx0); a01 = _mm512_dpbf16_ps(a01, vw, vx1);
                a02 = _mm512_dpbf16_ps(a02, vw, vx2); a03 = _mm512_dpbf16_ps(a03, vw, vx3);
                vw = (__m512bh)_mm512_loadu_si512(w1 + k * 32);
                a10 = _mm512_dpbf16_ps(a10, vw, vx0); a11 = _mm512_dpbf16_ps(a11, vw, vx1);
                a12 = _mm512_dpbf16_ps(a12, vw, vx2); a13 = _mm512_dpbf16_ps(a13, vw, vx3);
                vw = (__m512bh)_mm512_loadu_si512(w2 + k * 32);
                a20 = _mm512_dpbf16_ps(a20, vw, vx0); a21 = _mm512_dpbf16_ps(a21, vw, vx1);
                a22 = _mm512_dpbf16_ps(a22, vw, vx2); a23 = _mm512_dpbf16_ps(a23, vw, vx3);
                vw = (__m512bh)_mm512_loadu_si512(w3 + k * 32);
                a30 = _mm512_dpbf16_ps(a30, vw, vx0); a31 = _mm512_dpbf16_ps(a31, vw, vx1);
                a32 = _mm512_dpbf16_ps(a32, vw, vx2); a33 = _mm512_dpbf16_ps(a33, vw, vx3);
            }
            float *y0 = y + t * ldy + r, *y1 = y0 + ldy, *y2 = y1 + ldy, *y3 = y2 + ldy;
            y0[0] = hsum512(a00); y1[0] = hsum512(a01); y2[0] = hsum512(a02); y3[0] = hsum512(a03);
            y0[1] = hsum512(a10); y1[1] = hsum512(a11); y2[1] = hsum512(a12); y3[1] = hsum512(a13);
            y0[2] = hsum512(a20); y1[2] = hsum512(a21); y2[2] = hsum512(a22); y3[2] = hsum512(a23);
            y0[3] = hsum512(a30); y1[3] = hsum512(a31); y2[3] = hsum512(a32); y3[3] = hsum512(a33);
        }
        if (r < rows) gemm_bf16_c(w + r * cols, rows - r, cols, 4, x0, y + t * ldy + r, ldy);
    }
    if (t < ntok) gemm_bf16_c(w, rows, cols, ntok - t, x + t * cols, y + t * ldy, ldy);
}
#endif

#if defined(__x86_64__)
static BF16_ATTR void dequantize_rows_bf16_avx512(const uint8_t *w, int format, int64_t rows, int64_t cols, uint16_t *out) {
    const int64_t nb = cols / 32;
    const __m128i m4 = _mm_set1_epi8(15), eight = _mm_set1_epi8(8);
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t b = 0; b < nb; b++) {
            uint16_t *o = out + r * cols + b * 32;
            __m128i lo, hi; float d;
            if (format == 8) {
                const uint8_t *blk = w + (r * nb + b) * 34;
                d = _cvtsh_ss(load_u16(blk));
                lo = _mm_loadu_si128((const __m128i *)(blk + 2)); hi = _mm_loadu_si128((const __m128i *)(blk + 18));
            } else {
                const uint8_t *blk = w + (r * nb + b) * 18;
                d = _cvtsh_ss(load_u16(blk));
                __m128i q = _mm_loadu_si128((const __m128i *)(blk + 2));
                lo = _mm_sub_epi8(_mm_and_si128(q, m4), eight);
                hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(q, 4), m4), eight);
            }
            __m512 vd = _mm512_set1_ps(d);
            __m512 f0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(lo)), vd);
            __m512 f1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(hi)), vd);
            _mm512_storeu_si512(o, (__m512i)_mm512_cvtne2ps_pbh(f1, f0));
        }
    }
}

static BF16_ATTR void f32_to_bf16_avx512(const float *x, int64_t n, uint16_t *out) {
    int64_t i = 0;
    for (; i + 32 <= n; i += 32)
        _mm512_storeu_si512(out + i, (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(x + i)));
    for (; i < n; i++) out[i] = f32_to_bf16_scalar(x[i]);
}
#endif

// A stripe of rows is multiplied with a tile of tokens at a time so both stay in cache.
enum { ROW_STRIPE = 64, TOKEN_TILE = 64 };

void quill_gemm_bf16(const uint16_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const uint16_t *x, float *y, int64_t ldy) {
#if defined(__x86_64__)
    if (quill_has_bf16_dot() && cols % 32 == 0) {
        for (int64_t t0 = 0; t0 < ntok; t0 += TOKEN_TILE) {
            int64_t nt = ntok - t0 < TOKEN_TILE ? ntok - t0 : TOKEN_TILE;
            for (int64_t r0 = 0; r0 < rows; r0 += ROW_STRIPE) {
                int64_t nr = rows - r0 < ROW_STRIPE ? rows - r0 : ROW_STRIPE;
                gemm_bf16_avx512(w + r0 * cols, nr, cols, nt, x + t0 * cols, y + t0 * ldy + r0, ldy);
            }
        }
        return;
    }
#endif
    gemm_bf16_c(w, rows, cols, ntok, x, y, ldy);
}
