// Mat-vec and GEMM kernels for GGUF's Q4_1, Q5_0, Q5_1 and F16 / BF16 weights (layouts in legacyquants.h).
// The three block types share one form: w_j = d * q_j + c with q_j an unsigned 4- or 5-bit value and c the
// block's stored minimum (Q4_1, Q5_1) or -16 d (Q5_0). Against int8 activations x_j = dx * xq_j a block's dot
// is dx * (d * sum(q_j xq_j) + c * sum(xq_j)): one unsigned-by-signed byte dot per block plus the activation
// block sum that quill_quantize_act_q8 already keeps. So one kernel body serves the three types, chosen by a
// compile-time constant, on each SIMD path (portable C, AVX2, AVX-512 VNNI), dispatched by quill_kernel_level.
#include "CKernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define LQ_X86 1
#endif

// The dequantizing paths must produce the very floats Swift's BlockQuantization does (d * q + m as two
// roundings): no fused multiply-add may be formed from them.
#pragma STDC FP_CONTRACT OFF

enum { QK = 32, T_F16 = 1, T_Q4_1 = 3, T_Q5_0 = 6, T_Q5_1 = 7, T_BF16 = 30 };

#define LQ_BYTES(T) ((T) == T_Q4_1 ? 20 : (T) == T_Q5_0 ? 22 : 24)
#define LQ_QS(T) ((T) == T_Q4_1 ? 4 : (T) == T_Q5_0 ? 6 : 8)
#define LQ_QH(T) ((T) == T_Q5_0 ? 2 : 4)

static inline uint16_t lq_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t lq_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }  // little-endian host

static inline float lq_bf16_to_f32(uint16_t h) { uint32_t b = (uint32_t)h << 16; float f; memcpy(&f, &b, 4); return f; }
static inline uint16_t lq_f32_to_bf16(float f) {
    uint32_t b; memcpy(&b, &f, 4);
    if ((b & 0x7fffffff) > 0x7f800000) return (uint16_t)((b >> 16) | 0x40);
    b += 0x7fff + ((b >> 16) & 1);
    return (uint16_t)(b >> 16);
}

// ---------------------------------------------------------------- portable C (and the twin's arithmetic)

static inline int lq_quant(int type, const uint8_t *blk, int j) {
    const uint8_t byte = blk[LQ_QS(type) + (j & 15)];
    int q = j < 16 ? byte & 15 : byte >> 4;
    if (type != T_Q4_1) q |= (int)((lq_u32(blk + LQ_QH(type)) >> j) & 1) << 4;
    return q;
}
static inline float lq_scale(const uint8_t *blk) { return quill_f16_to_f32(lq_u16(blk)); }
static inline float lq_const(int type, const uint8_t *blk) {
    return type == T_Q5_0 ? -16.0f * lq_scale(blk) : quill_f16_to_f32(lq_u16(blk + 2));
}

static float dot_lq_c(int type, const uint8_t *row, int64_t nb, const float *xs, const int8_t *xq, const int32_t *xsum) {
    const int bytes = LQ_BYTES(type);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = row + b * bytes;
        int32_t s = 0;
        for (int j = 0; j < QK; j++) s += lq_quant(type, blk, j) * xq[b * QK + j];
        acc += xs[b] * (lq_scale(blk) * (float)s + lq_const(type, blk) * (float)xsum[b]);
    }
    return acc;
}

static void matvec_lq_c(int type, const uint8_t *w, int64_t rows, int64_t nb, const float *xs, const int8_t *xq,
                        const int32_t *xsum, float *y) {
    for (int64_t r = 0; r < rows; r++) y[r] = dot_lq_c(type, w + r * nb * LQ_BYTES(type), nb, xs, xq, xsum);
}

static void gemm_lq_c(int type, const uint8_t *w, int64_t rows, int64_t nb, int64_t ntok, const float *xs,
                      const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy) {
    for (int64_t r = 0; r < rows; r++)
        for (int64_t t = 0; t < ntok; t++)
            y[t * ldy + r] = dot_lq_c(type, w + r * nb * LQ_BYTES(type), nb, xs + t * nb, xq + t * nb * QK, xsum + t * nb);
}

// Sums in double: one long sequential fp32 chain over a row loses more than the SIMD paths' split sums do.
static float dot_half_c(int type, const uint8_t *row, int64_t n, const float *x) {
    double acc = 0.0;
    for (int64_t i = 0; i < n; i++) {
        uint16_t h = lq_u16(row + 2 * i);
        acc += (double)(type == T_F16 ? quill_f16_to_f32(h) : lq_bf16_to_f32(h)) * x[i];
    }
    return (float)acc;
}

#if LQ_X86
// ---------------------------------------------------------------- AVX2 / AVX-512 VNNI

#define LQ_AVX2 __attribute__((target("avx2,fma,f16c")))
#define LQ_VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni")))
#define LQ_BF16 __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512bf16")))
#define LQ_AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw")))

static inline LQ_AVX2 float lq_hsum8(__m256 v) {
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

// 16 bytes of nibbles -> 32 bytes in value order: low nibbles (values 0..15), then high nibbles (16..31).
static inline LQ_AVX2 __m256i lq_nibbles(const uint8_t *qs) {
    __m128i b = _mm_loadu_si128((const __m128i *)qs), m = _mm_set1_epi8(15);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(b, 4), m), _mm_and_si128(b, m));
}
// Byte j = 16 where bit j of the 32-bit word is set. AVX2: spread byte j/8 of the word to byte j, set every
// bit but bit j%8, and compare with all ones.
static inline LQ_AVX2 __m256i lq_high_avx2(const uint8_t *qh) {
    const __m256i spread = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)lq_u32(qh)), spread);
    v = _mm256_or_si256(v, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe));
    return _mm256_and_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi64x(-1)), _mm256_set1_epi8(16));
}
// AVX-512: the word is a byte mask.
static inline LQ_AVX512 __m256i lq_high_vnni(const uint8_t *qh) {
    return _mm256_maskz_mov_epi8((__mmask32)lq_u32(qh), _mm256_set1_epi8(16));
}

// Unsigned quant bytes (0..31) x signed int8 activations -> 8 int32 lanes.
static inline LQ_AVX2 __m256i lq_udot_avx2(__m256i q, __m256i x) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(q, x), _mm256_set1_epi16(1));
}
static inline LQ_VNNI __m256i lq_udot_vnni(__m256i q, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), q, x);
}

#define LQ_QUANTS(T, HIGH, blk) \
    ((T) == T_Q4_1 ? lq_nibbles((blk) + 4) : _mm256_or_si256(lq_nibbles((blk) + LQ_QS(T)), HIGH((blk) + LQ_QH(T))))

// 8 fp16 values from the low (SHIFT 0) or high (SHIFT 16) half of 8 gathered 32-bit words, as floats.
#define LQ_HALVES(raw, SHIFT)                                                                          \
    _mm256_cvtph_ps(_mm256_castsi256_si128(_mm256_permute4x64_epi64(_mm256_packus_epi32(               \
        _mm256_and_si256(_mm256_srli_epi32(raw, SHIFT), _mm256_set1_epi32(0xFFFF)), _mm256_setzero_si256()), 0x08)))

// One row's dot, eight blocks per step: their scales (and minima) gathered and converted at once, four
// accumulators, rows prefetched about 2 KiB ahead as the Q4_0 kernel does.
#define DEFINE_LQ_DOT(NAME, ATTR, T, UDOT, HIGH)                                                        \
static ATTR float NAME(const uint8_t *row, int64_t nb, const float *xs, const int8_t *xq, const int32_t *xsum) { \
    enum { B = LQ_BYTES(T) };                                                                         \
    const __m256i idx = _mm256_setr_epi32(0, B, 2 * B, 3 * B, 4 * B, 5 * B, 6 * B, 7 * B);              \
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, corr = a0;                             \
    int64_t b = 0;                                                                                     \
    for (; b + 8 <= nb; b += 8) {                                                                      \
        const uint8_t *base = row + b * B;                                                             \
        const int8_t *x = xq + b * QK;                                                                 \
        _mm_prefetch((const char *)(base + 8 * B * 12), _MM_HINT_T0);                                   \
        _mm_prefetch((const char *)(base + 8 * B * 12 + 64), _MM_HINT_T0);                              \
        _mm_prefetch((const char *)(base + 8 * B * 12 + 128), _MM_HINT_T0);                             \
        __m256i raw = _mm256_i32gather_epi32((const int *)base, idx, 1);                               \
        __m256 d = LQ_HALVES(raw, 0), dx = _mm256_loadu_ps(xs + b);                                    \
        __m256 c = (T) == T_Q5_0 ? _mm256_mul_ps(d, _mm256_set1_ps(-16.0f)) : LQ_HALVES(raw, 16);      \
        __m256 s = _mm256_mul_ps(d, dx);                                                               \
        corr = _mm256_fmadd_ps(_mm256_mul_ps(c, dx),                                                   \
                               _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i *)(xsum + b))), corr); \
        __m256 p0, p1, p2, p3;                                                                         \
        p0 = _mm256_cvtepi32_ps(UDOT(LQ_QUANTS(T, HIGH, base), _mm256_loadu_si256((const __m256i *)x)));          \
        p1 = _mm256_cvtepi32_ps(UDOT(LQ_QUANTS(T, HIGH, base + B), _mm256_loadu_si256((const __m256i *)(x + 32)))); \
        p2 = _mm256_cvtepi32_ps(UDOT(LQ_QUANTS(T, HIGH, base + 2 * B), _mm256_loadu_si256((const __m256i *)(x + 64)))); \
        p3 = _mm256_cvtepi32_ps(UDOT(LQ_QUANTS(T, HIGH, base + 3 * B), _mm256_loadu_si256((const __m256i *)(x + 96)))); \
        a0 = _mm256_fmadd_ps(p0, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(0)), a0);               \
        a1 = _mm256_fmadd_ps(p1, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(1)), a1);               \
        a2 = _mm256_fmadd_ps(p2, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(2)), a2);               \
        a3 = _mm256_fmadd_ps(p3, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(3)), a3);               \
        p0 = _mm256_cvtepi32_ps(UDOT(LQ_QUANTS(T, HIGH, base + 4 * B), _mm256_loadu_si256((const __m256i *)(x + 128)))); \
        p1 = _mm256_cvtepi32_ps(UDOT(LQ_QUANTS(T, HIGH, base + 5 * B), _mm256_loadu_si256((const __m256i *)(x + 160)))); \
        p2 = _mm256_cvtepi32_ps(UDOT(LQ_QUANTS(T, HIGH, base + 6 * B), _mm256_loadu_si256((const __m256i *)(x + 192)))); \
        p3 = _mm256_cvtepi32_ps(UDOT(LQ_QUANTS(T, HIGH, base + 7 * B), _mm256_loadu_si256((const __m256i *)(x + 224)))); \
        a0 = _mm256_fmadd_ps(p0, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(4)), a0);               \
        a1 = _mm256_fmadd_ps(p1, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(5)), a1);               \
        a2 = _mm256_fmadd_ps(p2, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(6)), a2);               \
        a3 = _mm256_fmadd_ps(p3, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(7)), a3);               \
    }                                                                                                  \
    float rest = 0.0f;                                                                                 \
    for (; b < nb; b++) {                                                                              \
        const uint8_t *blk = row + b * B;                                                              \
        float d = _cvtsh_ss(lq_u16(blk)), c = (T) == T_Q5_0 ? -16.0f * d : _cvtsh_ss(lq_u16(blk + 2));  \
        __m256i p = UDOT(LQ_QUANTS(T, HIGH, blk), _mm256_loadu_si256((const __m256i *)(xq + b * QK)));  \
        rest += xs[b] * (d * lq_hsum8(_mm256_cvtepi32_ps(p)) + c * (float)xsum[b]);                    \
    }                                                                                                  \
    return lq_hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3))) + lq_hsum8(corr) + rest; \
}

// GEMM micro-kernel: 2 weight rows x 4 tokens per step, each row's unpacked blocks reused across the tokens.
#define DEFINE_LQ_GEMM(NAME, ATTR, T, UDOT, HIGH, DOTROW)                                               \
static ATTR void NAME(const uint8_t *w, int64_t rows, int64_t nb, int64_t t0, int64_t t1, const float *xs, \
                      const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy) {                  \
    enum { B = LQ_BYTES(T) };                                                                         \
    const int64_t rb = nb * B;                                                                         \
    int64_t r = 0;                                                                                     \
    for (; r + 1 < rows; r += 2) {                                                                     \
        const uint8_t *wa = w + r * rb, *wb = wa + rb;                                                 \
        int64_t t = t0;                                                                                \
        for (; t + 3 < t1; t += 4) {                                                                   \
            __m256 a[2][4]; float c[2][4] = {{0}};                                                     \
            for (int i = 0; i < 4; i++) { a[0][i] = _mm256_setzero_ps(); a[1][i] = _mm256_setzero_ps(); } \
            for (int64_t b = 0; b < nb; b++) {                                                         \
                const uint8_t *ba = wa + b * B, *bb = wb + b * B;                                      \
                __m256i q0 = LQ_QUANTS(T, HIGH, ba), q1 = LQ_QUANTS(T, HIGH, bb);                     \
                float d0 = _cvtsh_ss(lq_u16(ba)), d1 = _cvtsh_ss(lq_u16(bb));                          \
                float m0 = (T) == T_Q5_0 ? -16.0f * d0 : _cvtsh_ss(lq_u16(ba + 2));                     \
                float m1 = (T) == T_Q5_0 ? -16.0f * d1 : _cvtsh_ss(lq_u16(bb + 2));                     \
                for (int i = 0; i < 4; i++) {                                                          \
                    const int64_t ti = t + i;                                                          \
                    __m256i x = _mm256_loadu_si256((const __m256i *)(xq + (ti * nb + b) * QK));         \
                    float dx = xs[ti * nb + b], sx = dx * (float)xsum[ti * nb + b];                    \
                    a[0][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(UDOT(q0, x)), _mm256_set1_ps(d0 * dx), a[0][i]); \
                    a[1][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(UDOT(q1, x)), _mm256_set1_ps(d1 * dx), a[1][i]); \
                    c[0][i] += m0 * sx; c[1][i] += m1 * sx;                                            \
                }                                                                                      \
            }                                                                                          \
            for (int i = 0; i < 4; i++) {                                                              \
                y[(t + i) * ldy + r] = lq_hsum8(a[0][i]) + c[0][i];                                    \
                y[(t + i) * ldy + r + 1] = lq_hsum8(a[1][i]) + c[1][i];                                \
            }                                                                                          \
        }                                                                                              \
        for (; t < t1; t++) {                                                                          \
            y[t * ldy + r] = DOTROW(wa, nb, xs + t * nb, xq + t * nb * QK, xsum + t * nb);              \
            y[t * ldy + r + 1] = DOTROW(wb, nb, xs + t * nb, xq + t * nb * QK, xsum + t * nb);          \
        }                                                                                              \
    }                                                                                                  \
    for (; r < rows; r++)                                                                              \
        for (int64_t t = t0; t < t1; t++)                                                              \
            y[t * ldy + r] = DOTROW(w + r * rb, nb, xs + t * nb, xq + t * nb * QK, xsum + t * nb);      \
}

#define DEFINE_LQ_TYPE(SUFFIX, T)                                                                      \
DEFINE_LQ_DOT(dot_##SUFFIX##_avx2, LQ_AVX2, T, lq_udot_avx2, lq_high_avx2)                           \
DEFINE_LQ_DOT(dot_##SUFFIX##_vnni, LQ_VNNI, T, lq_udot_vnni, lq_high_vnni)                           \
DEFINE_LQ_GEMM(gemm_##SUFFIX##_avx2, LQ_AVX2, T, lq_udot_avx2, lq_high_avx2, dot_##SUFFIX##_avx2)     \
DEFINE_LQ_GEMM(gemm_##SUFFIX##_vnni, LQ_VNNI, T, lq_udot_vnni, lq_high_vnni, dot_##SUFFIX##_vnni)

DEFINE_LQ_TYPE(q4_1, T_Q4_1)
DEFINE_LQ_TYPE(q5_0, T_Q5_0)
DEFINE_LQ_TYPE(q5_1, T_Q5_1)

// F16 / BF16 rows widened to fp32 in registers (F16C's VCVTPH2PS; bf16 is a 16-bit shift) and multiplied
// with fp32 activations: exact weights, no activation rounding.
static inline LQ_AVX2 __m256 lq_load8_avx2(int type, const uint8_t *p) {
    __m128i h = _mm_loadu_si128((const __m128i *)p);
    return type == T_F16 ? _mm256_cvtph_ps(h) : _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}
static inline LQ_AVX512 __m512 lq_load16_avx512(int type, const uint8_t *p) {
    __m256i h = _mm256_loadu_si256((const __m256i *)p);
    return type == T_F16 ? _mm512_cvtph_ps(h) : _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

#define DEFINE_HALF_DOT(NAME, T)                                                                        \
static LQ_AVX2 float NAME##_avx2(const uint8_t *row, int64_t n, const float *x) {                      \
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;                                         \
    int64_t i = 0;                                                                                      \
    for (; i + 32 <= n; i += 32) {                                                                      \
        a0 = _mm256_fmadd_ps(lq_load8_avx2(T, row + 2 * i), _mm256_loadu_ps(x + i), a0);                \
        a1 = _mm256_fmadd_ps(lq_load8_avx2(T, row + 2 * i + 16), _mm256_loadu_ps(x + i + 8), a1);       \
        a2 = _mm256_fmadd_ps(lq_load8_avx2(T, row + 2 * i + 32), _mm256_loadu_ps(x + i + 16), a2);      \
        a3 = _mm256_fmadd_ps(lq_load8_avx2(T, row + 2 * i + 48), _mm256_loadu_ps(x + i + 24), a3);      \
    }                                                                                                   \
    return lq_hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3))) + dot_half_c(T, row + 2 * i, n - i, x + i); \
}                                                                                                       \
static LQ_VNNI float NAME##_avx512(const uint8_t *row, int64_t n, const float *x) {                    \
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;                                         \
    int64_t i = 0;                                                                                      \
    for (; i + 64 <= n; i += 64) {                                                                      \
        a0 = _mm512_fmadd_ps(lq_load16_avx512(T, row + 2 * i), _mm512_loadu_ps(x + i), a0);             \
        a1 = _mm512_fmadd_ps(lq_load16_avx512(T, row + 2 * i + 32), _mm512_loadu_ps(x + i + 16), a1);   \
        a2 = _mm512_fmadd_ps(lq_load16_avx512(T, row + 2 * i + 64), _mm512_loadu_ps(x + i + 32), a2);   \
        a3 = _mm512_fmadd_ps(lq_load16_avx512(T, row + 2 * i + 96), _mm512_loadu_ps(x + i + 48), a3);   \
    }                                                                                                   \
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)))           \
        + dot_half_c(T, row + 2 * i, n - i, x + i);                                                     \
}
DEFINE_HALF_DOT(dot_f16, T_F16)
DEFINE_HALF_DOT(dot_bf16, T_BF16)
#endif

// ---------------------------------------------------------------- public entry points

#if LQ_X86
#define LQ_MATVEC(SUFFIX, T)                                                                            \
void quill_matvec_##SUFFIX(const uint8_t *w, int64_t rows, int64_t cols,                                \
                           const float *xs, const int8_t *xq, const int32_t *xsum, float *y) {          \
    const int64_t nb = cols / QK, rb = nb * LQ_BYTES(T);                                                \
    int level = quill_kernel_level();                                                                   \
    if (level == 2) { for (int64_t r = 0; r < rows; r++) y[r] = dot_##SUFFIX##_vnni(w + r * rb, nb, xs, xq, xsum); return; } \
    if (level == 1) { for (int64_t r = 0; r < rows; r++) y[r] = dot_##SUFFIX##_avx2(w + r * rb, nb, xs, xq, xsum); return; } \
    matvec_lq_c(T, w, rows, nb, xs, xq, xsum, y);                                                      \
}
#else
#define LQ_MATVEC(SUFFIX, T)                                                                            \
void quill_matvec_##SUFFIX(const uint8_t *w, int64_t rows, int64_t cols,                                \
                           const float *xs, const int8_t *xq, const int32_t *xsum, float *y) {          \
    matvec_lq_c(T, w, rows, cols / QK, xs, xq, xsum, y);                                               \
}
#endif
LQ_MATVEC(q4_1, T_Q4_1)
LQ_MATVEC(q5_0, T_Q5_0)
LQ_MATVEC(q5_1, T_Q5_1)

// Token tiles keep a slice of activations in cache while the stripe of weight rows streams past it.
enum { LQ_TOKEN_TILE = 64 };

#if LQ_X86
#define LQ_GEMM(SUFFIX, T)                                                                              \
void quill_gemm_##SUFFIX(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,                    \
                         const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy) { \
    const int64_t nb = cols / QK;                                                                       \
    int level = quill_kernel_level();                                                                   \
    if (level == 0) { gemm_lq_c(T, w, rows, nb, ntok, xs, xq, xsum, y, ldy); return; }                  \
    for (int64_t t0 = 0; t0 < ntok; t0 += LQ_TOKEN_TILE) {                                              \
        int64_t t1 = t0 + LQ_TOKEN_TILE < ntok ? t0 + LQ_TOKEN_TILE : ntok;                             \
        if (level == 2) gemm_##SUFFIX##_vnni(w, rows, nb, t0, t1, xs, xq, xsum, y, ldy);                \
        else gemm_##SUFFIX##_avx2(w, rows, nb, t0, t1, xs, xq, xsum, y, ldy);                           \
    }                                                                                                   \
}
#else
#define LQ_GEMM(SUFFIX, T)                                                                              \
void quill_gemm_##SUFFIX(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,                    \
                         const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy) { \
    gemm_lq_c(T, w, rows, cols / QK, ntok, xs, xq, xsum, y, ldy);                                       \
}
#endif
LQ_GEMM(q4_1, T_Q4_1)
LQ_GEMM(q5_0, T_Q5_0)
LQ_GEMM(q5_1, T_Q5_1)

static void matvec_half(int type, const uint8_t *w, int64_t rows, int64_t cols, const float *x, float *y) {
#if LQ_X86
    int level = quill_kernel_level();
    if (level == 2) {
        for (int64_t r = 0; r < rows; r++)
            y[r] = type == T_F16 ? dot_f16_avx512(w + r * cols * 2, cols, x) : dot_bf16_avx512(w + r * cols * 2, cols, x);
        return;
    }
    if (level == 1) {
        for (int64_t r = 0; r < rows; r++)
            y[r] = type == T_F16 ? dot_f16_avx2(w + r * cols * 2, cols, x) : dot_bf16_avx2(w + r * cols * 2, cols, x);
        return;
    }
#endif
    for (int64_t r = 0; r < rows; r++) y[r] = dot_half_c(type, w + r * cols * 2, cols, x);
}

void quill_matvec_f16(const uint8_t *w, int64_t rows, int64_t cols, const float *x, float *y) {
    matvec_half(T_F16, w, rows, cols, x, y);
}
void quill_matvec_bf16(const uint8_t *w, int64_t rows, int64_t cols, const float *x, float *y) {
    matvec_half(T_BF16, w, rows, cols, x, y);
}

#if LQ_X86
static LQ_AVX2 void half_to_f32_avx2(const uint8_t *w, int type, int64_t n, float *out) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, lq_load8_avx2(type, w + 2 * i));
    for (; i < n; i++) out[i] = type == T_F16 ? _cvtsh_ss(lq_u16(w + 2 * i)) : lq_bf16_to_f32(lq_u16(w + 2 * i));
}
#endif

void quill_half_to_f32(const uint8_t *w, int type, int64_t n, float *out) {
#if LQ_X86
    if (quill_kernel_level() >= 1) { half_to_f32_avx2(w, type, n, out); return; }
#endif
    for (int64_t i = 0; i < n; i++) {
        uint16_t h = lq_u16(w + 2 * i);
        out[i] = type == T_F16 ? quill_f16_to_f32(h) : lq_bf16_to_f32(h);
    }
}

// ---------------------------------------------------------------- expansion to bf16 for the batched path

// Each value as Swift's BlockQuantization computes it (d * q + m, or d * (q - 16) for Q5_0), rounded to bf16.
static void dequantize_rows_bf16_c(const uint8_t *w, int type, int64_t rows, int64_t cols, uint16_t *out) {
    if (type == T_F16 || type == T_BF16) {
        for (int64_t i = 0; i < rows * cols; i++) {
            uint16_t h = lq_u16(w + 2 * i);
            out[i] = type == T_BF16 ? h : lq_f32_to_bf16(quill_f16_to_f32(h));
        }
        return;
    }
    const int64_t nb = cols / QK;
    for (int64_t blkIndex = 0; blkIndex < rows * nb; blkIndex++) {
        const uint8_t *blk = w + blkIndex * LQ_BYTES(type);
        float d = lq_scale(blk);
        for (int j = 0; j < QK; j++) {
            int q = lq_quant(type, blk, j);
            float v;
            if (type == T_Q5_0) { v = d * (float)(q - 16); }
            else { float dq = d * (float)q; v = dq + quill_f16_to_f32(lq_u16(blk + 2)); }
            out[blkIndex * QK + j] = lq_f32_to_bf16(v);
        }
    }
}

#if LQ_X86
#define DEFINE_LQ_BF16_ROWS(NAME, T)                                                                    \
static LQ_BF16 void NAME(const uint8_t *w, int64_t nblocks, uint16_t *out) {                           \
    for (int64_t i = 0; i < nblocks; i++) {                                                             \
        const uint8_t *blk = w + i * LQ_BYTES(T);                                                       \
        __m256i q = LQ_QUANTS(T, lq_high_vnni, blk);                                                    \
        __m512i lo = _mm512_cvtepu8_epi32(_mm256_castsi256_si128(q));                                   \
        __m512i hi = _mm512_cvtepu8_epi32(_mm256_extracti128_si256(q, 1));                              \
        __m512 vd = _mm512_set1_ps(_cvtsh_ss(lq_u16(blk))), f0, f1;                                     \
        if ((T) == T_Q5_0) {                                                                            \
            const __m512i sixteen = _mm512_set1_epi32(16);                                              \
            f0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(lo, sixteen)), vd);                  \
            f1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(hi, sixteen)), vd);                  \
        } else {                                                                                        \
            __m512 vm = _mm512_set1_ps(_cvtsh_ss(lq_u16(blk + 2)));                                     \
            f0 = _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(lo), vd), vm);                          \
            f1 = _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(hi), vd), vm);                          \
        }                                                                                               \
        _mm512_storeu_si512(out + i * QK, (__m512i)_mm512_cvtne2ps_pbh(f1, f0));                        \
    }                                                                                                   \
}
DEFINE_LQ_BF16_ROWS(q4_1_to_bf16, T_Q4_1)
DEFINE_LQ_BF16_ROWS(q5_0_to_bf16, T_Q5_0)
DEFINE_LQ_BF16_ROWS(q5_1_to_bf16, T_Q5_1)

static LQ_BF16 void f16_to_bf16(const uint8_t *w, int64_t n, uint16_t *out) {
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 f0 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(w + 2 * i)));
        __m512 f1 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(w + 2 * i + 32)));
        _mm512_storeu_si512(out + i, (__m512i)_mm512_cvtne2ps_pbh(f1, f0));
    }
    for (; i < n; i++) out[i] = lq_f32_to_bf16(_cvtsh_ss(lq_u16(w + 2 * i)));
}
#endif

int quill_dequantize_rows_bf16_legacy(const uint8_t *w, int type, int64_t rows, int64_t cols, uint16_t *out) {
    if (type != T_Q4_1 && type != T_Q5_0 && type != T_Q5_1 && type != T_F16 && type != T_BF16) return 0;
#if LQ_X86
    if (quill_has_bf16_dot()) {
        const int64_t n = rows * cols;
        switch (type) {
        case T_Q4_1: q4_1_to_bf16(w, n / QK, out); return 1;
        case T_Q5_0: q5_0_to_bf16(w, n / QK, out); return 1;
        case T_Q5_1: q5_1_to_bf16(w, n / QK, out); return 1;
        case T_F16: f16_to_bf16(w, n, out); return 1;
        default: memcpy(out, w, (size_t)n * 2); return 1;
        }
    }
#endif
    dequantize_rows_bf16_c(w, type, rows, cols, out);
    return 1;
}
