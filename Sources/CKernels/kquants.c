// K-quant (Q4_K, Q5_K, Q6_K) mat-vec, GEMM and bf16 expansion; layouts in include/KQuantKernels.h.
// The activations are the int8 32-value blocks of quill_quantize_act_q8. A Q4_K/Q5_K sub-block covers one
// activation block, so each block adds xs * (d*sc * Σ q·x − dmin*m * Σ x): the integer dot and the block sum.
// Q6_K's values are stored unsigned (q + 32); the kernels dot the unsigned values (so VPDPBUSD/VPMADDUBSW
// apply) and take 32 · sc · (sum of the 16 activations) back once per super-block, from half-block sums of x
// computed once per call and shared by every row.
#include "CKernels.h"
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define QUILL_X86 1
#endif

// Dequantization must round exactly as the Swift twin (d*sc, then *q, then − dmin*m), not fused.
#pragma STDC FP_CONTRACT OFF

enum { QK = 32, QK_K = 256, Q4K_BYTES = 144, Q5K_BYTES = 176, Q6K_BYTES = 210 };

static inline uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

// The 12 packed bytes of Q4_K/Q5_K scales to out[0..7] = 6-bit scales, out[8..15] = 6-bit mins (ggml's
// get_scale_min_k4 for all eight at once, four bytes at a time).
static inline void unpack_scales(const uint8_t *s, uint8_t out[16]) {
    uint32_t u[4];
    memcpy(u, s, 12);
    const uint32_t six = 0x3f3f3f3f, four = 0x0f0f0f0f, two = 0x03030303;
    u[3] = ((u[2] >> 4) & four) | (((u[1] >> 6) & two) << 4);
    const uint32_t mins_lo = u[1] & six;
    u[1] = (u[2] & four) | (((u[0] >> 6) & two) << 4);
    u[2] = mins_lo;
    u[0] &= six;
    memcpy(out, u, 16);
}

// Sums of each 16 activations (Q6_K's sub-block size): hs[i] = Σ xq[16i ..< 16i+16].
static void half_sums(const int8_t *xq, int64_t n, int16_t *hs) {
    for (int64_t i = 0; i < n / 16; i++) {
        int s = 0;
        for (int l = 0; l < 16; l++) s += xq[16 * i + l];
        hs[i] = (int16_t)s;
    }
}

// ---------------------------------------------------------------- portable C (the twins' arithmetic)

static float dot_q4_K_c(const uint8_t *row, int64_t nsb, const float *xs, const int8_t *xq, const int32_t *xsum) {
    float acc = 0.0f;
    for (int64_t sb = 0; sb < nsb; sb++) {
        const uint8_t *blk = row + sb * Q4K_BYTES, *qs = blk + 16;
        const float d = quill_f16_to_f32(ld16(blk)), dmin = quill_f16_to_f32(ld16(blk + 2));
        uint8_t u[16]; unpack_scales(blk + 4, u);
        for (int j = 0; j < 8; j++) {
            const int64_t b = sb * 8 + j; const int8_t *x = xq + b * QK; const uint8_t *q = qs + (j / 2) * 32;
            const int shift = (j & 1) * 4;
            int32_t s = 0;
            for (int l = 0; l < 32; l++) s += ((q[l] >> shift) & 15) * x[l];
            acc += xs[b] * (d * (float)u[j] * (float)s - dmin * (float)u[8 + j] * (float)xsum[b]);
        }
    }
    return acc;
}

static float dot_q5_K_c(const uint8_t *row, int64_t nsb, const float *xs, const int8_t *xq, const int32_t *xsum) {
    float acc = 0.0f;
    for (int64_t sb = 0; sb < nsb; sb++) {
        const uint8_t *blk = row + sb * Q5K_BYTES, *qh = blk + 16, *qs = blk + 48;
        const float d = quill_f16_to_f32(ld16(blk)), dmin = quill_f16_to_f32(ld16(blk + 2));
        uint8_t u[16]; unpack_scales(blk + 4, u);
        for (int j = 0; j < 8; j++) {
            const int64_t b = sb * 8 + j; const int8_t *x = xq + b * QK; const uint8_t *q = qs + (j / 2) * 32;
            const int shift = (j & 1) * 4;
            int32_t s = 0;
            for (int l = 0; l < 32; l++) s += (((q[l] >> shift) & 15) | (((qh[l] >> j) & 1) << 4)) * x[l];
            acc += xs[b] * (d * (float)u[j] * (float)s - dmin * (float)u[8 + j] * (float)xsum[b]);
        }
    }
    return acc;
}

static float dot_q6_K_c(const uint8_t *row, int64_t nsb, const float *xs, const int8_t *xq) {
    float acc = 0.0f;
    for (int64_t sb = 0; sb < nsb; sb++) {
        const uint8_t *blk = row + sb * Q6K_BYTES;
        const int8_t *sc = (const int8_t *)(blk + 192);
        const float d = quill_f16_to_f32(ld16(blk + 208));
        for (int j = 0; j < 8; j++) {
            const int64_t b = sb * 8 + j; const int8_t *x = xq + b * QK;
            const int half = j / 4, k = j % 4;
            const uint8_t *ql = blk + half * 64 + (k & 1) * 32, *qh = blk + 128 + half * 32;
            const int lshift = k < 2 ? 0 : 4, hshift = 2 * k;
            int32_t s[2] = {0, 0};
            for (int l = 0; l < 32; l++)
                s[l / 16] += ((((ql[l] >> lshift) & 15) | (((qh[l] >> hshift) & 3) << 4)) - 32) * x[l];
            acc += xs[b] * (d * (float)(sc[2 * j] * s[0] + sc[2 * j + 1] * s[1]));
        }
    }
    return acc;
}

#if QUILL_X86
// ---------------------------------------------------------------- AVX2 / AVX-512 VNNI (256-bit)

#define KQ_AVX2_ATTR __attribute__((target("avx2,fma,f16c")))
#define KQ_VNNI_ATTR __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni")))

static inline KQ_AVX2_ATTR float kq_hsum8(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}
// Unsigned weights (< 64) x signed int8 activations, summed in groups of four into 8 int32 lanes
// (lanes 0-3 hold the first 16 values, 4-7 the last 16: Q6_K's two sub-blocks).
static inline KQ_AVX2_ATTR __m256i kq_udot_avx2(__m256i q, __m256i x) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(q, x), _mm256_set1_epi16(1));
}
static inline KQ_VNNI_ATTR __m256i kq_udot_vnni(__m256i q, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), q, x);
}
#define BCAST(v, i) _mm256_permutevar8x32_ps((v), _mm256_set1_epi32(i))
#define LOADX(b) _mm256_loadu_si256((const __m256i *)(xq + (b) * QK))

// Per super-block: s[j] = d*sc[j]*xs[b+j] scales sub-block j's integer dot; the mins go to `corr` through the
// activation sums. Two 32-value sub-blocks per 32 bytes of qs (low nibbles, then high nibbles).
#define DEFINE_DOT_Q4K_Q5K(NAME, ATTR, UDOT, BYTES, HAS_QH)                                          \
static ATTR float NAME(const uint8_t *row, int64_t nsb, const float *xs, const int8_t *xq,           \
                       const int32_t *xsum) {                                                        \
    const __m256i m4 = _mm256_set1_epi8(15), one = _mm256_set1_epi8(1);                             \
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, corr = a0;                           \
    for (int64_t sb = 0; sb < nsb; sb++) {                                                           \
        const uint8_t *blk = row + sb * BYTES;                                                       \
        _mm_prefetch((const char *)(blk + 16 * BYTES), _MM_HINT_T0);                                  \
        _mm_prefetch((const char *)(blk + 16 * BYTES + 64), _MM_HINT_T0);                             \
        _mm_prefetch((const char *)(blk + 16 * BYTES + 128), _MM_HINT_T0);                            \
        const int64_t b = sb * 8;                                                                    \
        uint8_t u[16]; unpack_scales(blk + 4, u);                                                    \
        const __m256 xsv = _mm256_loadu_ps(xs + b);                                                  \
        const __m256 scf = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)u)));     \
        const __m256 mnf = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(u + 8)))); \
        const __m256 s = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(_cvtsh_ss(ld16(blk))), scf), xsv); \
        const __m256 xsum_f = _mm256_mul_ps(xsv, _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i *)(xsum + b)))); \
        corr = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(_cvtsh_ss(ld16(blk + 2))), mnf), xsum_f, corr); \
        const uint8_t *qs = blk + (HAS_QH ? 48 : 16);                                                \
        __m256i qh = HAS_QH ? _mm256_loadu_si256((const __m256i *)(blk + 16)) : _mm256_setzero_si256(); \
        for (int c = 0; c < 4; c++) {                                                                \
            const __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * c));                      \
            __m256i lo = _mm256_and_si256(q, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4); \
            if (HAS_QH) {                                                                            \
                lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(qh, one), 4));           \
                hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 1), one), 4)); \
                qh = _mm256_srli_epi16(qh, 2);                                                       \
            }                                                                                        \
            const __m256 p0 = _mm256_cvtepi32_ps(UDOT(lo, LOADX(b + 2 * c)));                        \
            const __m256 p1 = _mm256_cvtepi32_ps(UDOT(hi, LOADX(b + 2 * c + 1)));                    \
            if (c & 1) { a2 = _mm256_fmadd_ps(p0, BCAST(s, 2 * c), a2); a3 = _mm256_fmadd_ps(p1, BCAST(s, 2 * c + 1), a3); } \
            else { a0 = _mm256_fmadd_ps(p0, BCAST(s, 2 * c), a0); a1 = _mm256_fmadd_ps(p1, BCAST(s, 2 * c + 1), a1); } \
        }                                                                                            \
    }                                                                                                \
    return kq_hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3))) - kq_hsum8(corr);   \
}
DEFINE_DOT_Q4K_Q5K(dot_q4_K_avx2, KQ_AVX2_ATTR, kq_udot_avx2, Q4K_BYTES, 0)
DEFINE_DOT_Q4K_Q5K(dot_q4_K_vnni, KQ_VNNI_ATTR, kq_udot_vnni, Q4K_BYTES, 0)
DEFINE_DOT_Q4K_Q5K(dot_q5_K_avx2, KQ_AVX2_ATTR, kq_udot_avx2, Q5K_BYTES, 1)
DEFINE_DOT_Q4K_Q5K(dot_q5_K_vnni, KQ_VNNI_ATTR, kq_udot_vnni, Q5K_BYTES, 1)

// Q6_K: per 32-value block j the float scale is d*xs[b+j] times {sc[2j] in lanes 0-3, sc[2j+1] in lanes 4-7};
// the "− 32" comes back as 32 * Σ sc * (half-block sum of x), once per super-block.
#define DEFINE_DOT_Q6K(NAME, ATTR, UDOT)                                                             \
static ATTR float NAME(const uint8_t *row, int64_t nsb, const float *xs, const int8_t *xq,           \
                       const int16_t *hs) {                                                          \
    const __m256i m4 = _mm256_set1_epi8(15), m2 = _mm256_set1_epi8(3);                               \
    const __m256i lo_pair = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);                               \
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, corr = a0;                           \
    for (int64_t sb = 0; sb < nsb; sb++) {                                                           \
        const uint8_t *blk = row + sb * Q6K_BYTES;                                                   \
        _mm_prefetch((const char *)(blk + 12 * Q6K_BYTES), _MM_HINT_T0);                              \
        _mm_prefetch((const char *)(blk + 12 * Q6K_BYTES + 64), _MM_HINT_T0);                         \
        _mm_prefetch((const char *)(blk + 12 * Q6K_BYTES + 128), _MM_HINT_T0);                        \
        _mm_prefetch((const char *)(blk + 12 * Q6K_BYTES + 192), _MM_HINT_T0);                        \
        const int64_t b = sb * 8;                                                                    \
        const __m256 dxs = _mm256_mul_ps(_mm256_set1_ps(_cvtsh_ss(ld16(blk + 208))), _mm256_loadu_ps(xs + b)); \
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)(blk + 192));                           \
        const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);                                              \
        const __m256 c32 = _mm256_cvtepi32_ps(_mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)(hs + b * 2)))); \
        corr = _mm256_fmadd_ps(dxs, c32, corr);                                                      \
        const __m256 scf_lo = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(sc8));                         \
        const __m256 scf_hi = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(sc8, 8)));      \
        for (int h = 0; h < 2; h++) {                                                                \
            const uint8_t *ql = blk + 64 * h;                                                        \
            const __m256i ql0 = _mm256_loadu_si256((const __m256i *)ql);                              \
            const __m256i ql1 = _mm256_loadu_si256((const __m256i *)(ql + 32));                       \
            const __m256i qh = _mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h));             \
            const __m256i q0 = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m2), 4)); \
            const __m256i q1 = _mm256_or_si256(_mm256_and_si256(ql1, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m2), 4)); \
            const __m256i q2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), m2), 4)); \
            const __m256i q3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), m2), 4)); \
            const __m256 scf = h ? scf_hi : scf_lo;                                                  \
            const int64_t bh = b + 4 * h;                                                            \
            /* block k of this half: scales sc[8h + 2k], sc[8h + 2k + 1]; its activation scale d*xs[bh + k] */ \
            a0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(UDOT(q0, LOADX(bh))),                            \
                 _mm256_mul_ps(_mm256_permutevar8x32_ps(scf, _mm256_add_epi32(lo_pair, _mm256_set1_epi32(0))), BCAST(dxs, 4 * h)), a0); \
            a1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(UDOT(q1, LOADX(bh + 1))),                        \
                 _mm256_mul_ps(_mm256_permutevar8x32_ps(scf, _mm256_add_epi32(lo_pair, _mm256_set1_epi32(2))), BCAST(dxs, 4 * h + 1)), a1); \
            a2 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(UDOT(q2, LOADX(bh + 2))),                        \
                 _mm256_mul_ps(_mm256_permutevar8x32_ps(scf, _mm256_add_epi32(lo_pair, _mm256_set1_epi32(4))), BCAST(dxs, 4 * h + 2)), a2); \
            a3 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(UDOT(q3, LOADX(bh + 3))),                        \
                 _mm256_mul_ps(_mm256_permutevar8x32_ps(scf, _mm256_add_epi32(lo_pair, _mm256_set1_epi32(6))), BCAST(dxs, 4 * h + 3)), a3); \
        }                                                                                            \
    }                                                                                                \
    return kq_hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3))) - 32.0f * kq_hsum8(corr); \
}
DEFINE_DOT_Q6K(dot_q6_K_avx2, KQ_AVX2_ATTR, kq_udot_avx2)
DEFINE_DOT_Q6K(dot_q6_K_vnni, KQ_VNNI_ATTR, kq_udot_vnni)

// ---------------------------------------------------------------- AVX-512 VNNI, 512-bit
// Two 32-value blocks per instruction: 32 bytes of qs give a block of low nibbles and the next block of high
// nibbles, which sit side by side in one zmm against 64 contiguous activation bytes.

#define KQ_ZMM_ATTR __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512dq,avx512vnni")))

#define DEFINE_DOT_Q4K_Q5K_ZMM(NAME, BYTES, HAS_QH)                                                 \
static KQ_ZMM_ATTR float NAME(const uint8_t *row, int64_t nsb, const float *xs, const int8_t *xq,   \
                              const int32_t *xsum) {                                                 \
    const __m512i m4 = _mm512_set1_epi8(15), one = _mm512_set1_epi8(1);                              \
    /* per-half shifts: nibble 0 / bit 2c in the low 256 bits, nibble 1 / bit 2c+1 in the high */   \
    const __m512i nib_shift = _mm512_setr_epi64(0, 0, 0, 0, 4, 4, 4, 4);                             \
    const __m512i bit_shift = _mm512_setr_epi64(0, 0, 0, 0, 1, 1, 1, 1);                             \
    __m512 a0 = _mm512_setzero_ps(), a1 = a0;                                                        \
    __m256 corr = _mm256_setzero_ps();                                                               \
    for (int64_t sb = 0; sb < nsb; sb++) {                                                           \
        const uint8_t *blk = row + sb * BYTES;                                                       \
        _mm_prefetch((const char *)(blk + 16 * BYTES), _MM_HINT_T0);                                  \
        _mm_prefetch((const char *)(blk + 16 * BYTES + 64), _MM_HINT_T0);                             \
        _mm_prefetch((const char *)(blk + 16 * BYTES + 128), _MM_HINT_T0);                            \
        const int64_t b = sb * 8;                                                                    \
        uint8_t u[16]; unpack_scales(blk + 4, u);                                                    \
        const __m256 xsv = _mm256_loadu_ps(xs + b);                                                  \
        const __m256 scf = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)u)));     \
        const __m256 mnf = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(u + 8)))); \
        const __m512 s = _mm512_castps256_ps512(_mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(_cvtsh_ss(ld16(blk))), scf), xsv)); \
        const __m256 xsum_f = _mm256_mul_ps(xsv, _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i *)(xsum + b)))); \
        corr = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(_cvtsh_ss(ld16(blk + 2))), mnf), xsum_f, corr); \
        const uint8_t *qs = blk + (HAS_QH ? 48 : 16);                                                \
        __m512i qh = HAS_QH ? _mm512_srlv_epi64(_mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(blk + 16))), bit_shift) \
                            : _mm512_setzero_si512();                                                \
        for (int c = 0; c < 4; c++) {                                                                \
            const __m512i q2 = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(qs + 32 * c))); \
            __m512i q = _mm512_and_si512(_mm512_srlv_epi64(q2, nib_shift), m4);                      \
            if (HAS_QH) {                                                                            \
                q = _mm512_or_si512(q, _mm512_slli_epi16(_mm512_and_si512(qh, one), 4));             \
                qh = _mm512_srli_epi16(qh, 2);                                                       \
            }                                                                                        \
            const __m512 p = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), q,       \
                                                _mm512_loadu_si512((const void *)(xq + (b + 2 * c) * QK)))); \
            const __m512i idx = _mm512_setr_epi32(2 * c, 2 * c, 2 * c, 2 * c, 2 * c, 2 * c, 2 * c, 2 * c, \
                2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1);  \
            if (c & 1) a1 = _mm512_fmadd_ps(p, _mm512_permutexvar_ps(idx, s), a1);                   \
            else a0 = _mm512_fmadd_ps(p, _mm512_permutexvar_ps(idx, s), a0);                          \
        }                                                                                            \
    }                                                                                                \
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1)) - kq_hsum8(corr);                             \
}
DEFINE_DOT_Q4K_Q5K_ZMM(dot_q4_K_zmm, Q4K_BYTES, 0)
DEFINE_DOT_Q4K_Q5K_ZMM(dot_q5_K_zmm, Q5K_BYTES, 1)

static KQ_ZMM_ATTR float dot_q6_K_zmm(const uint8_t *row, int64_t nsb, const float *xs, const int8_t *xq,
                                      const int16_t *hs) {
    const __m512i m4 = _mm512_set1_epi8(15), m2 = _mm512_set1_epi8(3);
    const __m512i qh_shift = _mm512_setr_epi64(0, 0, 0, 0, 2, 2, 2, 2);
    __m512 a0 = _mm512_setzero_ps(), a1 = a0;
    __m256 corr = _mm256_setzero_ps();
    for (int64_t sb = 0; sb < nsb; sb++) {
        const uint8_t *blk = row + sb * Q6K_BYTES;
        _mm_prefetch((const char *)(blk + 12 * Q6K_BYTES), _MM_HINT_T0);
        _mm_prefetch((const char *)(blk + 12 * Q6K_BYTES + 64), _MM_HINT_T0);
        _mm_prefetch((const char *)(blk + 12 * Q6K_BYTES + 128), _MM_HINT_T0);
        _mm_prefetch((const char *)(blk + 12 * Q6K_BYTES + 192), _MM_HINT_T0);
        const int64_t b = sb * 8;
        const __m256 dxs = _mm256_mul_ps(_mm256_set1_ps(_cvtsh_ss(ld16(blk + 208))), _mm256_loadu_ps(xs + b));
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)(blk + 192));
        corr = _mm256_fmadd_ps(dxs, _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_cvtepi8_epi16(sc8),
                                   _mm256_loadu_si256((const __m256i *)(hs + b * 2)))), corr);
        const __m512 scf = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(sc8));
        const __m512 dxz = _mm512_castps256_ps512(dxs);
        for (int h = 0; h < 2; h++) {
            // ql's 64 bytes: low nibbles are blocks 0 and 1 of this half, high nibbles blocks 2 and 3.
            const __m512i ql = _mm512_loadu_si512((const void *)(blk + 64 * h));
            const __m512i qh = _mm512_srlv_epi64(_mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h))), qh_shift);
            const __m512i qa = _mm512_or_si512(_mm512_and_si512(ql, m4), _mm512_slli_epi16(_mm512_and_si512(qh, m2), 4));
            const __m512i qb = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m4),
                                               _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(qh, 4), m2), 4));
            const int bh = 4 * h, sh = 8 * h;
            // lane i of the block pair (m = 0: blocks 0,1; m = 1: blocks 2,3): scale sc[sh + 4m + i/4], d*xs[bh + 2m + i/8]
            const __m512i si0 = _mm512_setr_epi32(sh, sh, sh, sh, sh + 1, sh + 1, sh + 1, sh + 1,
                                                  sh + 2, sh + 2, sh + 2, sh + 2, sh + 3, sh + 3, sh + 3, sh + 3);
            const __m512i si1 = _mm512_add_epi32(si0, _mm512_set1_epi32(4));
            const __m512i di0 = _mm512_setr_epi32(bh, bh, bh, bh, bh, bh, bh, bh,
                                                  bh + 1, bh + 1, bh + 1, bh + 1, bh + 1, bh + 1, bh + 1, bh + 1);
            const __m512i di1 = _mm512_add_epi32(di0, _mm512_set1_epi32(2));
            const __m512 pa = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), qa,
                                                 _mm512_loadu_si512((const void *)(xq + (b + bh) * QK))));
            const __m512 pb = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), qb,
                                                 _mm512_loadu_si512((const void *)(xq + (b + bh + 2) * QK))));
            a0 = _mm512_fmadd_ps(pa, _mm512_mul_ps(_mm512_permutexvar_ps(si0, scf), _mm512_permutexvar_ps(di0, dxz)), a0);
            a1 = _mm512_fmadd_ps(pb, _mm512_mul_ps(_mm512_permutexvar_ps(si1, scf), _mm512_permutexvar_ps(di1, dxz)), a1);
        }
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1)) - 32.0f * kq_hsum8(corr);
}
#endif

// ---------------------------------------------------------------- entry points

typedef float (*dot_min_fn)(const uint8_t *, int64_t, const float *, const int8_t *, const int32_t *);
typedef float (*dot_q6_fn)(const uint8_t *, int64_t, const float *, const int8_t *, const int16_t *);

static float dot_q6_K_c_hs(const uint8_t *row, int64_t nsb, const float *xs, const int8_t *xq, const int16_t *hs) {
    (void)hs;
    return dot_q6_K_c(row, nsb, xs, xq);
}

static dot_min_fn pick_q4_K(void) {
    int level = quill_kernel_level(); (void)level;
#if QUILL_X86
    if (level == 2) return dot_q4_K_zmm;
    if (level == 1) return dot_q4_K_avx2;
#endif
    return dot_q4_K_c;
}
static dot_min_fn pick_q5_K(void) {
    int level = quill_kernel_level(); (void)level;
#if QUILL_X86
    if (level == 2) return dot_q5_K_zmm;
    if (level == 1) return dot_q5_K_avx2;
#endif
    return dot_q5_K_c;
}
static dot_q6_fn pick_q6_K(void) {
    int level = quill_kernel_level(); (void)level;
#if QUILL_X86
    if (level == 2) return dot_q6_K_zmm;
    if (level == 1) return dot_q6_K_avx2;
#endif
    return dot_q6_K_c_hs;
}

void quill_matvec_q4_K(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y) {
    const int64_t nsb = cols / QK_K, rb = nsb * Q4K_BYTES;
    dot_min_fn dot = pick_q4_K();
    for (int64_t r = 0; r < rows; r++) y[r] = dot(w + r * rb, nsb, xs, xq, xsum);
}

void quill_matvec_q5_K(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y) {
    const int64_t nsb = cols / QK_K, rb = nsb * Q5K_BYTES;
    dot_min_fn dot = pick_q5_K();
    for (int64_t r = 0; r < rows; r++) y[r] = dot(w + r * rb, nsb, xs, xq, xsum);
}

void quill_matvec_q6_K(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y) {
    (void)xsum;
    const int64_t nsb = cols / QK_K, rb = nsb * Q6K_BYTES;
    int16_t *hs = malloc((size_t)(cols / 16) * sizeof(int16_t) + 32);
    if (!hs) abort();
    half_sums(xq, cols, hs);
    dot_q6_fn dot = pick_q6_K();
    for (int64_t r = 0; r < rows; r++) y[r] = dot(w + r * rb, nsb, xs, xq, hs);
    free(hs);
}

// The batch: a weight row stays in L1 while a tile of tokens passes over it.
enum { KQ_TOKEN_TILE = 64 };

static void gemm_min(dot_min_fn dot, int64_t bytes, const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy) {
    const int64_t nsb = cols / QK_K, nb = cols / QK, rb = nsb * bytes;
    for (int64_t t0 = 0; t0 < ntok; t0 += KQ_TOKEN_TILE) {
        const int64_t t1 = t0 + KQ_TOKEN_TILE < ntok ? t0 + KQ_TOKEN_TILE : ntok;
        for (int64_t r = 0; r < rows; r++)
            for (int64_t t = t0; t < t1; t++)
                y[t * ldy + r] = dot(w + r * rb, nsb, xs + t * nb, xq + t * cols, xsum + t * nb);
    }
}

void quill_gemm_q4_K(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy) {
    gemm_min(pick_q4_K(), Q4K_BYTES, w, rows, cols, ntok, xs, xq, xsum, y, ldy);
}

void quill_gemm_q5_K(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy) {
    gemm_min(pick_q5_K(), Q5K_BYTES, w, rows, cols, ntok, xs, xq, xsum, y, ldy);
}

void quill_gemm_q6_K(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy) {
    (void)xsum;
    const int64_t nsb = cols / QK_K, nb = cols / QK, rb = nsb * Q6K_BYTES, nh = cols / 16;
    int16_t *hs = malloc((size_t)(ntok * nh) * sizeof(int16_t) + 32);
    if (!hs) abort();
    half_sums(xq, ntok * cols, hs);
    dot_q6_fn dot = pick_q6_K();
    for (int64_t t0 = 0; t0 < ntok; t0 += KQ_TOKEN_TILE) {
        const int64_t t1 = t0 + KQ_TOKEN_TILE < ntok ? t0 + KQ_TOKEN_TILE : ntok;
        for (int64_t r = 0; r < rows; r++)
            for (int64_t t = t0; t < t1; t++)
                y[t * ldy + r] = dot(w + r * rb, nsb, xs + t * nb, xq + t * cols, hs + t * nh);
    }
    free(hs);
}

// ---------------------------------------------------------------- bf16 expansion for the batched path

static void dequantize_superblock(const uint8_t *blk, int format, float *y) {
    if (format == 14) {
        const int8_t *sc = (const int8_t *)(blk + 192);
        const float d = quill_f16_to_f32(ld16(blk + 208));
        for (int i = 0; i < QK_K; i++) {
            const int half = i / 128, k = (i % 128) / 32, l = i % 32;
            const uint8_t ql = blk[half * 64 + (k & 1) * 32 + l];
            const int lo = k < 2 ? ql & 15 : ql >> 4, hi = (blk[128 + half * 32 + l] >> (2 * k)) & 3;
            const float dsc = d * (float)sc[i / 16];
            y[i] = dsc * (float)((lo | hi << 4) - 32);
        }
        return;
    }
    const int has_qh = format == 13;
    const uint8_t *qh = blk + 16, *qs = blk + (has_qh ? 48 : 16);
    const float d = quill_f16_to_f32(ld16(blk)), dmin = quill_f16_to_f32(ld16(blk + 2));
    uint8_t u[16]; unpack_scales(blk + 4, u);
    for (int j = 0; j < 8; j++) {
        const float d1 = d * (float)u[j], m1 = dmin * (float)u[8 + j];
        const uint8_t *q = qs + (j / 2) * 32;
        const int shift = (j & 1) * 4;
        for (int l = 0; l < 32; l++) {
            int v = (q[l] >> shift) & 15;
            if (has_qh) v |= ((qh[l] >> j) & 1) << 4;
            const float dq = d1 * (float)v;
            y[j * 32 + l] = dq - m1;
        }
    }
}

#if QUILL_X86
#define KQ_BF16_ATTR __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512dq,avx512bf16")))

// The 256 unsigned values of a super-block as bytes, in order (Q4_K/Q5_K: 0..31; Q6_K: 0..63, not yet − 32).
static KQ_BF16_ATTR void unpack_values_avx2(const uint8_t *blk, int format, uint8_t *v) {
    const __m256i m4 = _mm256_set1_epi8(15), m2 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
    if (format == 14) {
        for (int h = 0; h < 2; h++) {
            const __m256i ql0 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h));
            const __m256i ql1 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h + 32));
            const __m256i qh = _mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h));
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m2), 4)),
                _mm256_or_si256(_mm256_and_si256(ql1, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m2), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), m2), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), m2), 4)),
            };
            for (int k = 0; k < 4; k++) _mm256_storeu_si256((__m256i *)(v + 128 * h + 32 * k), q[k]);
        }
        return;
    }
    const int has_qh = format == 13;
    const uint8_t *qs = blk + (has_qh ? 48 : 16);
    __m256i qh = has_qh ? _mm256_loadu_si256((const __m256i *)(blk + 16)) : _mm256_setzero_si256();
    for (int c = 0; c < 4; c++) {
        const __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * c));
        __m256i lo = _mm256_and_si256(q, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
        if (has_qh) {
            lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(qh, one), 4));
            hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 1), one), 4));
            qh = _mm256_srli_epi16(qh, 2);
        }
        _mm256_storeu_si256((__m256i *)(v + 64 * c), lo);
        _mm256_storeu_si256((__m256i *)(v + 64 * c + 32), hi);
    }
}

// Same arithmetic as dequantize_superblock (multiply, then subtract: no fused rounding), 16 values at a time.
static KQ_BF16_ATTR void dequantize_superblock_bf16_avx512(const uint8_t *blk, int format, uint16_t *o) {
    uint8_t v[QK_K];
    unpack_values_avx2(blk, format, v);
    if (format == 14) {
        const int8_t *sc = (const int8_t *)(blk + 192);
        const float d = _cvtsh_ss(ld16(blk + 208));
        const __m512i off = _mm512_set1_epi32(32);
        for (int i = 0; i < 16; i += 2) {
            const __m512 f0 = _mm512_mul_ps(_mm512_set1_ps(d * (float)sc[i]),
                _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(v + 16 * i))), off)));
            const __m512 f1 = _mm512_mul_ps(_mm512_set1_ps(d * (float)sc[i + 1]),
                _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(v + 16 * i + 16))), off)));
            _mm512_storeu_si512(o + 16 * i, (__m512i)_mm512_cvtne2ps_pbh(f1, f0));
        }
        return;
    }
    const float d = _cvtsh_ss(ld16(blk)), dmin = _cvtsh_ss(ld16(blk + 2));
    uint8_t u[16]; unpack_scales(blk + 4, u);
    for (int j = 0; j < 8; j++) {
        const __m512 d1 = _mm512_set1_ps(d * (float)u[j]), m1 = _mm512_set1_ps(dmin * (float)u[8 + j]);
        const __m512 f0 = _mm512_sub_ps(_mm512_mul_ps(d1, _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(v + 32 * j))))), m1);
        const __m512 f1 = _mm512_sub_ps(_mm512_mul_ps(d1, _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(v + 32 * j + 16))))), m1);
        _mm512_storeu_si512(o + 32 * j, (__m512i)_mm512_cvtne2ps_pbh(f1, f0));
    }
}
#endif

int quill_dequantize_rows_bf16_kquant(const uint8_t *w, int format, int64_t rows, int64_t cols, uint16_t *out) {
    const int64_t bytes = format == 12 ? Q4K_BYTES : format == 13 ? Q5K_BYTES : format == 14 ? Q6K_BYTES : 0;
    if (bytes == 0) return 0;
    const int64_t nsb = cols / QK_K;
#if QUILL_X86
    if (quill_has_bf16_dot()) {
        for (int64_t i = 0; i < rows * nsb; i++)
            dequantize_superblock_bf16_avx512(w + i * bytes, format, out + (i / nsb) * cols + (i % nsb) * QK_K);
        return 1;
    }
#endif
    float tmp[QK_K];
    for (int64_t r = 0; r < rows; r++)
        for (int64_t sb = 0; sb < nsb; sb++) {
            dequantize_superblock(w + (r * nsb + sb) * bytes, format, tmp);
            quill_f32_to_bf16(tmp, QK_K, out + r * cols + sb * QK_K);
        }
    return 1;
}
