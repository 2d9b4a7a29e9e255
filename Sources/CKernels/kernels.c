// Quantized mat-vec and GEMM kernels with a runtime choice of SIMD path.
// Why C: Swift's SIMD types cannot express the int8 dot-product instructions (VPDPBUSD, VPMADDUBSW)
// that make a Q8_0 row dot bandwidth-bound instead of compute-bound. Plain Swift twins live in
// Tensors/QuantKernelsReference.swift and the tests hold these equal to them.
#include "CKernels.h"
#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define QUILL_X86 1
#endif

enum { QK = 32, Q8_BYTES = 34, Q4_BYTES = 18 };

// ---------------------------------------------------------------- fp16

float quill_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0) {
        if (man == 0) { bits = sign; }
        else {  // subnormal: renormalise
            exp = 127 - 15 + 1;
            while ((man & 0x400) == 0) { man <<= 1; exp--; }
            man &= 0x3ff;
            bits = sign | (exp << 23) | (man << 13);
        }
    } else if (exp == 31) { bits = sign | 0x7f800000u | (man << 13); }
    else { bits = sign | ((exp + 127 - 15) << 23) | (man << 13); }
    float f; memcpy(&f, &bits, 4); return f;
}

uint16_t quill_f32_to_f16(float f) {
    uint32_t x; memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000, mant = x & 0x7fffff; int32_t exp = (int32_t)((x >> 23) & 0xff);
    if (exp == 255) return (uint16_t)(sign | 0x7c00 | (mant ? 0x200 : 0));
    int32_t e = exp - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7c00);
    if (e <= 0) {
        if (e < -10) return (uint16_t)sign;
        mant |= 0x800000;
        uint32_t shift = (uint32_t)(14 - e), half = 1u << (shift - 1), rest = mant & ((1u << shift) - 1);
        uint32_t m = mant >> shift;
        if (rest > half || (rest == half && (m & 1))) m++;
        return (uint16_t)(sign | m);
    }
    uint32_t m = mant >> 13, rest = mant & 0x1fff;
    uint32_t out = sign | ((uint32_t)e << 10) | m;
    if (rest > 0x1000 || (rest == 0x1000 && (m & 1))) out++;  // carries into the exponent correctly
    return (uint16_t)out;
}

static inline uint16_t load_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

// ---------------------------------------------------------------- dispatch

static int detected_level = -1, forced_level = 99;

static int detect_level(void) {
#if QUILL_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("f16c") && __builtin_cpu_supports("fma"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c"))
        return 1;
#endif
    return 0;
}

int quill_kernel_level(void) {
    if (detected_level < 0) detected_level = detect_level();
    return detected_level < forced_level ? detected_level : forced_level;
}

int quill_set_kernel_level(int level) { forced_level = level; return quill_kernel_level(); }

// ---------------------------------------------------------------- activation quantization

void quill_quantize_act_q8(const float *x, int64_t n, float *scales, int8_t *qs, int32_t *sums) {
    for (int64_t b = 0; b < n / QK; b++) {
        const float *xb = x + b * QK;
        float amax = 0.0f;
        for (int j = 0; j < QK; j++) { float a = fabsf(xb[j]); if (a > amax) amax = a; }
        float d = amax / 127.0f, id = d > 0.0f ? 1.0f / d : 0.0f;
        int32_t s = 0;
        for (int j = 0; j < QK; j++) {
            int32_t q = (int32_t)lrintf(xb[j] * id);  // round half to even, like Swift's .rounded(.toNearestOrEven)
            qs[b * QK + j] = (int8_t)q; s += q;
        }
        scales[b] = d; sums[b] = s;
    }
}

// ---------------------------------------------------------------- portable C

static float dot_q8_0_c(const uint8_t *row, int64_t nb, const float *xs, const int8_t *xq) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = row + b * Q8_BYTES; const int8_t *wq = (const int8_t *)(blk + 2);
        int32_t s = 0;
        for (int j = 0; j < QK; j++) s += (int32_t)wq[j] * xq[b * QK + j];
        acc += quill_f16_to_f32(load_u16(blk)) * xs[b] * (float)s;
    }
    return acc;
}

static float dot_q4_0_c(const uint8_t *row, int64_t nb, const float *xs, const int8_t *xq, const int32_t *xsum) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = row + b * Q4_BYTES, *wq = blk + 2; const int8_t *x = xq + b * QK;
        int32_t s = 0;
        for (int j = 0; j < 16; j++) s += (int32_t)(wq[j] & 15) * x[j] + (int32_t)(wq[j] >> 4) * x[j + 16];
        acc += quill_f16_to_f32(load_u16(blk)) * xs[b] * (float)(s - 8 * xsum[b]);
    }
    return acc;
}

#if QUILL_X86
// ---------------------------------------------------------------- AVX2 / AVX-512 VNNI

#define AVX2_ATTR __attribute__((target("avx2,fma,f16c")))
#define VNNI_ATTR __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni")))

static inline AVX2_ATTR float hsum8(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

// Signed int8 x signed int8 block dot as 8 int32 lanes, via |w| * sign(x, w) (|w| <= 128 fits u8).
static inline AVX2_ATTR __m256i dot8_avx2(__m256i w, __m256i x) {
    __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
    return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}
static inline VNNI_ATTR __m256i dot8_vnni(__m256i w, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
}
// Unsigned 4-bit x signed int8 (no sign trick needed: nibbles are already unsigned).
static inline AVX2_ATTR __m256i udot8_avx2(__m256i q, __m256i x) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(q, x), _mm256_set1_epi16(1));
}
static inline VNNI_ATTR __m256i udot8_vnni(__m256i q, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), q, x);
}
static inline AVX2_ATTR __m256i unpack_q4(const uint8_t *qs) {
    __m128i b = _mm_loadu_si128((const __m128i *)qs), m = _mm_set1_epi8(15);
    __m128i lo = _mm_and_si128(b, m), hi = _mm_and_si128(_mm_srli_epi16(b, 4), m);
    return _mm256_set_m128i(hi, lo);
}

// One row-dot per path; the body is shared through a macro so the two paths cannot drift apart.
#define DEFINE_DOT_Q8(NAME, ATTR, DOT)                                                              \
static ATTR float NAME(const uint8_t *row, int64_t nb, const float *xs, const int8_t *xq) {         \
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                  \
    int64_t b = 0;                                                                                  \
    for (; b + 1 < nb; b += 2) {                                                                    \
        const uint8_t *b0 = row + b * Q8_BYTES, *b1 = b0 + Q8_BYTES;                                \
        __m256i p0 = DOT(_mm256_loadu_si256((const __m256i *)(b0 + 2)),                             \
                         _mm256_loadu_si256((const __m256i *)(xq + b * QK)));                        \
        __m256i p1 = DOT(_mm256_loadu_si256((const __m256i *)(b1 + 2)),                             \
                         _mm256_loadu_si256((const __m256i *)(xq + (b + 1) * QK)));                  \
        acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p0), _mm256_set1_ps(_cvtsh_ss(load_u16(b0)) * xs[b]), acc0);     \
        acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p1), _mm256_set1_ps(_cvtsh_ss(load_u16(b1)) * xs[b + 1]), acc1); \
    }                                                                                               \
    for (; b < nb; b++) {                                                                           \
        const uint8_t *b0 = row + b * Q8_BYTES;                                                     \
        __m256i p0 = DOT(_mm256_loadu_si256((const __m256i *)(b0 + 2)),                             \
                         _mm256_loadu_si256((const __m256i *)(xq + b * QK)));                        \
        acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p0), _mm256_set1_ps(_cvtsh_ss(load_u16(b0)) * xs[b]), acc0);     \
    }                                                                                               \
    return hsum8(_mm256_add_ps(acc0, acc1));                                                        \
}

#define DEFINE_DOT_Q4(NAME, ATTR, UDOT)                                                             \
static ATTR float NAME(const uint8_t *row, int64_t nb, const float *xs, const int8_t *xq,          \
                       const int32_t *xsum) {                                                       \
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                  \
    float corr = 0.0f;                                                                              \
    int64_t b = 0;                                                                                  \
    for (; b + 1 < nb; b += 2) {                                                                    \
        const uint8_t *b0 = row + b * Q4_BYTES, *b1 = b0 + Q4_BYTES;                                \
        float s0 = _cvtsh_ss(load_u16(b0)) * xs[b], s1 = _cvtsh_ss(load_u16(b1)) * xs[b + 1];        \
        __m256i p0 = UDOT(unpack_q4(b0 + 2), _mm256_loadu_si256((const __m256i *)(xq + b * QK)));    \
        __m256i p1 = UDOT(unpack_q4(b1 + 2), _mm256_loadu_si256((const __m256i *)(xq + (b + 1) * QK))); \
        acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p0), _mm256_set1_ps(s0), acc0);                    \
        acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p1), _mm256_set1_ps(s1), acc1);                    \
        corr += s0 * (float)(8 * xsum[b]) + s1 * (float)(8 * xsum[b + 1]);                          \
    }                                                                                               \
    for (; b < nb; b++) {                                                                           \
        const uint8_t *b0 = row + b * Q4_BYTES;                                                     \
        float s0 = _cvtsh_ss(load_u16(b0)) * xs[b];                                                 \
        __m256i p0 = UDOT(unpack_q4(b0 + 2), _mm256_loadu_si256((const __m256i *)(xq + b * QK)));    \
        acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p0), _mm256_set1_ps(s0), acc0);                    \
        corr += s0 * (float)(8 * xsum[b]);                                                          \
    }                                                                                               \
    return hsum8(_mm256_add_ps(acc0, acc1)) - corr;                                                 \
}

DEFINE_DOT_Q8(dot_q8_0_avx2, AVX2_ATTR, dot8_avx2)
DEFINE_DOT_Q8(dot_q8_0_vnni, VNNI_ATTR, dot8_vnni)
DEFINE_DOT_Q4(dot_q4_0_avx2, AVX2_ATTR, udot8_avx2)
DEFINE_DOT_Q4(dot_q4_0_vnni, VNNI_ATTR, udot8_vnni)


// Eight blocks per step: their eight fp16 scales are gathered and converted in one go (instead of one scalar
// conversion per block), and four accumulators keep the multiply-add chains independent. Rows are prefetched
// twelve steps (about 3 KiB for Q8_0) ahead: one core alone cannot keep enough DRAM reads in flight without it
// (measured on the 1.5B shape, 2 threads: decode 14 tok/s with a 1 KiB distance, 19 with 3 KiB, no better at 6).
#define DEFINE_DOT8_Q8(NAME, ATTR, DOT, TAIL)                                                         \
static ATTR float NAME(const uint8_t *row, int64_t nb, const float *xs, const int8_t *xq) {          \
    const __m256i idx = _mm256_setr_epi32(0, 34, 68, 102, 136, 170, 204, 238);                       \
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;                                      \
    int64_t b = 0;                                                                                   \
    for (; b + 8 <= nb; b += 8) {                                                                    \
        const uint8_t *base = row + b * Q8_BYTES;                                                    \
        __m256i raw = _mm256_i32gather_epi32((const int *)base, idx, 1);                             \
        __m256i d16 = _mm256_packus_epi32(_mm256_and_si256(raw, _mm256_set1_epi32(0xFFFF)), _mm256_setzero_si256()); \
        d16 = _mm256_permute4x64_epi64(d16, 0x08);                                                   \
        __m256 s = _mm256_mul_ps(_mm256_cvtph_ps(_mm256_castsi256_si128(d16)), _mm256_loadu_ps(xs + b)); \
        const int8_t *x = xq + b * QK;                                                               \
        _mm_prefetch((const char *)(base + 8 * Q8_BYTES * 12), _MM_HINT_T0);                          \
        _mm_prefetch((const char *)(base + 8 * Q8_BYTES * 12 + 64), _MM_HINT_T0);                     \
        _mm_prefetch((const char *)(base + 8 * Q8_BYTES * 12 + 128), _MM_HINT_T0);                    \
        _mm_prefetch((const char *)(base + 8 * Q8_BYTES * 12 + 192), _MM_HINT_T0);                    \
        _mm_prefetch((const char *)(base + 8 * Q8_BYTES * 12 + 256), _MM_HINT_T0);                    \
        __m256 p0, p1, p2, p3;                                                                       \
        p0 = _mm256_cvtepi32_ps(DOT(_mm256_loadu_si256((const __m256i *)(base + 2)), _mm256_loadu_si256((const __m256i *)(x)))); \
        p1 = _mm256_cvtepi32_ps(DOT(_mm256_loadu_si256((const __m256i *)(base + 36)), _mm256_loadu_si256((const __m256i *)(x + 32)))); \
        p2 = _mm256_cvtepi32_ps(DOT(_mm256_loadu_si256((const __m256i *)(base + 70)), _mm256_loadu_si256((const __m256i *)(x + 64)))); \
        p3 = _mm256_cvtepi32_ps(DOT(_mm256_loadu_si256((const __m256i *)(base + 104)), _mm256_loadu_si256((const __m256i *)(x + 96)))); \
        a0 = _mm256_fmadd_ps(p0, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(0)), a0);             \
        a1 = _mm256_fmadd_ps(p1, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(1)), a1);             \
        a2 = _mm256_fmadd_ps(p2, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(2)), a2);             \
        a3 = _mm256_fmadd_ps(p3, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(3)), a3);             \
        p0 = _mm256_cvtepi32_ps(DOT(_mm256_loadu_si256((const __m256i *)(base + 138)), _mm256_loadu_si256((const __m256i *)(x + 128)))); \
        p1 = _mm256_cvtepi32_ps(DOT(_mm256_loadu_si256((const __m256i *)(base + 172)), _mm256_loadu_si256((const __m256i *)(x + 160)))); \
        p2 = _mm256_cvtepi32_ps(DOT(_mm256_loadu_si256((const __m256i *)(base + 206)), _mm256_loadu_si256((const __m256i *)(x + 192)))); \
        p3 = _mm256_cvtepi32_ps(DOT(_mm256_loadu_si256((const __m256i *)(base + 240)), _mm256_loadu_si256((const __m256i *)(x + 224)))); \
        a0 = _mm256_fmadd_ps(p0, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(4)), a0);             \
        a1 = _mm256_fmadd_ps(p1, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(5)), a1);             \
        a2 = _mm256_fmadd_ps(p2, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(6)), a2);             \
        a3 = _mm256_fmadd_ps(p3, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(7)), a3);             \
    }                                                                                                \
    float rest = b < nb ? TAIL(row + b * Q8_BYTES, nb - b, xs + b, xq + b * QK) : 0.0f;              \
    return hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3))) + rest;                \
}
DEFINE_DOT8_Q8(dot8_q8_0_avx2, AVX2_ATTR, dot8_avx2, dot_q8_0_avx2)
DEFINE_DOT8_Q8(dot8_q8_0_vnni, VNNI_ATTR, dot8_vnni, dot_q8_0_vnni)

#define DEFINE_DOT8_Q4(NAME, ATTR, UDOT, TAIL)                                                        \
static ATTR float NAME(const uint8_t *row, int64_t nb, const float *xs, const int8_t *xq, const int32_t *xsum) { \
    const __m256i idx = _mm256_setr_epi32(0, 18, 36, 54, 72, 90, 108, 126);                          \
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, corr = a0;                           \
    int64_t b = 0;                                                                                   \
    for (; b + 8 <= nb; b += 8) {                                                                    \
        const uint8_t *base = row + b * Q4_BYTES;                                                    \
        __m256i raw = _mm256_i32gather_epi32((const int *)base, idx, 1);                             \
        __m256i d16 = _mm256_packus_epi32(_mm256_and_si256(raw, _mm256_set1_epi32(0xFFFF)), _mm256_setzero_si256()); \
        d16 = _mm256_permute4x64_epi64(d16, 0x08);                                                   \
        __m256 s = _mm256_mul_ps(_mm256_cvtph_ps(_mm256_castsi256_si128(d16)), _mm256_loadu_ps(xs + b)); \
        corr = _mm256_fmadd_ps(s, _mm256_cvtepi32_ps(_mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)(xsum + b)), 3)), corr); \
        const int8_t *x = xq + b * QK;                                                               \
        _mm_prefetch((const char *)(base + 8 * Q4_BYTES * 12), _MM_HINT_T0);                          \
        _mm_prefetch((const char *)(base + 8 * Q4_BYTES * 12 + 64), _MM_HINT_T0);                     \
        _mm_prefetch((const char *)(base + 8 * Q4_BYTES * 12 + 128), _MM_HINT_T0);                    \
        __m256 p0, p1, p2, p3;                                                                       \
        p0 = _mm256_cvtepi32_ps(UDOT(unpack_q4(base + 2), _mm256_loadu_si256((const __m256i *)(x)))); \
        p1 = _mm256_cvtepi32_ps(UDOT(unpack_q4(base + 20), _mm256_loadu_si256((const __m256i *)(x + 32)))); \
        p2 = _mm256_cvtepi32_ps(UDOT(unpack_q4(base + 38), _mm256_loadu_si256((const __m256i *)(x + 64)))); \
        p3 = _mm256_cvtepi32_ps(UDOT(unpack_q4(base + 56), _mm256_loadu_si256((const __m256i *)(x + 96)))); \
        a0 = _mm256_fmadd_ps(p0, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(0)), a0);             \
        a1 = _mm256_fmadd_ps(p1, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(1)), a1);             \
        a2 = _mm256_fmadd_ps(p2, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(2)), a2);             \
        a3 = _mm256_fmadd_ps(p3, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(3)), a3);             \
        p0 = _mm256_cvtepi32_ps(UDOT(unpack_q4(base + 74), _mm256_loadu_si256((const __m256i *)(x + 128)))); \
        p1 = _mm256_cvtepi32_ps(UDOT(unpack_q4(base + 92), _mm256_loadu_si256((const __m256i *)(x + 160)))); \
        p2 = _mm256_cvtepi32_ps(UDOT(unpack_q4(base + 110), _mm256_loadu_si256((const __m256i *)(x + 192)))); \
        p3 = _mm256_cvtepi32_ps(UDOT(unpack_q4(base + 128), _mm256_loadu_si256((const __m256i *)(x + 224)))); \
        a0 = _mm256_fmadd_ps(p0, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(4)), a0);             \
        a1 = _mm256_fmadd_ps(p1, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(5)), a1);             \
        a2 = _mm256_fmadd_ps(p2, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(6)), a2);             \
        a3 = _mm256_fmadd_ps(p3, _mm256_permutevar8x32_ps(s, _mm256_set1_epi32(7)), a3);             \
    }                                                                                                \
    float rest = b < nb ? TAIL(row + b * Q4_BYTES, nb - b, xs + b, xq + b * QK, xsum + b) : 0.0f;   \
    return hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3))) - hsum8(corr) + rest;  \
}
DEFINE_DOT8_Q4(dot8_q4_0_avx2, AVX2_ATTR, udot8_avx2, dot_q4_0_avx2)
DEFINE_DOT8_Q4(dot8_q4_0_vnni, VNNI_ATTR, udot8_vnni, dot_q4_0_vnni)

// GEMM micro-kernel: 2 weight rows x 4 tokens per step, weights reused from registers across tokens.
#define DEFINE_GEMM_Q8(NAME, ATTR, DOT)                                                              \
static ATTR void NAME(const uint8_t *w, int64_t r0, int64_t r1, int64_t nb, int64_t t0, int64_t t1,  \
                      const float *xs, const int8_t *xq, float *y, int64_t ldy) {                   \
    const int64_t rb = nb * Q8_BYTES;                                                               \
    int64_t r = r0;                                                                                 \
    for (; r + 1 < r1; r += 2) {                                                                    \
        const uint8_t *wa = w + r * rb, *wb = wa + rb;                                              \
        int64_t t = t0;                                                                             \
        for (; t + 3 < t1; t += 4) {                                                                \
            __m256 a[2][4];                                                                         \
            for (int i = 0; i < 4; i++) { a[0][i] = _mm256_setzero_ps(); a[1][i] = _mm256_setzero_ps(); } \
            for (int64_t b = 0; b < nb; b++) {                                                      \
                __m256i w0 = _mm256_loadu_si256((const __m256i *)(wa + b * Q8_BYTES + 2));          \
                __m256i w1 = _mm256_loadu_si256((const __m256i *)(wb + b * Q8_BYTES + 2));          \
                __m256 d0 = _mm256_set1_ps(_cvtsh_ss(load_u16(wa + b * Q8_BYTES)));                 \
                __m256 d1 = _mm256_set1_ps(_cvtsh_ss(load_u16(wb + b * Q8_BYTES)));                 \
                for (int i = 0; i < 4; i++) {                                                       \
                    const int64_t ti = t + i;                                                       \
                    __m256i x = _mm256_loadu_si256((const __m256i *)(xq + (ti * nb + b) * QK));      \
                    __m256 dx = _mm256_set1_ps(xs[ti * nb + b]);                                    \
                    a[0][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(DOT(w0, x)), _mm256_mul_ps(d0, dx), a[0][i]); \
                    a[1][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(DOT(w1, x)), _mm256_mul_ps(d1, dx), a[1][i]); \
                }                                                                                   \
            }                                                                                       \
            for (int i = 0; i < 4; i++) {                                                           \
                y[(t + i) * ldy + r] = hsum8(a[0][i]); y[(t + i) * ldy + r + 1] = hsum8(a[1][i]);   \
            }                                                                                       \
        }                                                                                           \
        for (; t < t1; t++) {                                                                       \
            y[t * ldy + r] = DOTROW_##NAME(wa, nb, xs + t * nb, xq + t * nb * QK);                   \
            y[t * ldy + r + 1] = DOTROW_##NAME(wb, nb, xs + t * nb, xq + t * nb * QK);               \
        }                                                                                           \
    }                                                                                               \
    for (; r < r1; r++)                                                                             \
        for (int64_t t = t0; t < t1; t++)                                                           \
            y[t * ldy + r] = DOTROW_##NAME(w + r * rb, nb, xs + t * nb, xq + t * nb * QK);           \
}

#define DOTROW_gemm_q8_0_avx2 dot_q8_0_avx2
#define DOTROW_gemm_q8_0_vnni dot_q8_0_vnni
DEFINE_GEMM_Q8(gemm_q8_0_avx2, AVX2_ATTR, dot8_avx2)
DEFINE_GEMM_Q8(gemm_q8_0_vnni, VNNI_ATTR, dot8_vnni)

#define DEFINE_GEMM_Q4(NAME, ATTR, UDOT, DOTROW)                                                     \
static ATTR void NAME(const uint8_t *w, int64_t r0, int64_t r1, int64_t nb, int64_t t0, int64_t t1,  \
                      const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy) { \
    const int64_t rb = nb * Q4_BYTES;                                                               \
    int64_t r = r0;                                                                                 \
    for (; r + 1 < r1; r += 2) {                                                                    \
        const uint8_t *wa = w + r * rb, *wb = wa + rb;                                              \
        int64_t t = t0;                                                                             \
        for (; t + 3 < t1; t += 4) {                                                                \
            __m256 a[2][4]; float c[2][4] = {{0}};                                                  \
            for (int i = 0; i < 4; i++) { a[0][i] = _mm256_setzero_ps(); a[1][i] = _mm256_setzero_ps(); } \
            for (int64_t b = 0; b < nb; b++) {                                                      \
                __m256i w0 = unpack_q4(wa + b * Q4_BYTES + 2), w1 = unpack_q4(wb + b * Q4_BYTES + 2); \
                float d0 = _cvtsh_ss(load_u16(wa + b * Q4_BYTES)), d1 = _cvtsh_ss(load_u16(wb + b * Q4_BYTES)); \
                for (int i = 0; i < 4; i++) {                                                       \
                    const int64_t ti = t + i;                                                       \
                    __m256i x = _mm256_loadu_si256((const __m256i *)(xq + (ti * nb + b) * QK));      \
                    float dx = xs[ti * nb + b], cs = (float)(8 * xsum[ti * nb + b]);                \
                    a[0][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(UDOT(w0, x)), _mm256_set1_ps(d0 * dx), a[0][i]); \
                    a[1][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(UDOT(w1, x)), _mm256_set1_ps(d1 * dx), a[1][i]); \
                    c[0][i] += d0 * dx * cs; c[1][i] += d1 * dx * cs;                               \
                }                                                                                   \
            }                                                                                       \
            for (int i = 0; i < 4; i++) {                                                           \
                y[(t + i) * ldy + r] = hsum8(a[0][i]) - c[0][i];                                    \
                y[(t + i) * ldy + r + 1] = hsum8(a[1][i]) - c[1][i];                                \
            }                                                                                       \
        }                                                                                           \
        for (; t < t1; t++) {                                                                       \
            y[t * ldy + r] = DOTROW(wa, nb, xs + t * nb, xq + t * nb * QK, xsum + t * nb);           \
            y[t * ldy + r + 1] = DOTROW(wb, nb, xs + t * nb, xq + t * nb * QK, xsum + t * nb);       \
        }                                                                                           \
    }                                                                                               \
    for (; r < r1; r++)                                                                             \
        for (int64_t t = t0; t < t1; t++)                                                           \
            y[t * ldy + r] = DOTROW(w + r * rb, nb, xs + t * nb, xq + t * nb * QK, xsum + t * nb);   \
}
DEFINE_GEMM_Q4(gemm_q4_0_avx2, AVX2_ATTR, udot8_avx2, dot_q4_0_avx2)
DEFINE_GEMM_Q4(gemm_q4_0_vnni, VNNI_ATTR, udot8_vnni, dot_q4_0_vnni)
#endif

// ---------------------------------------------------------------- public entry points

void quill_matvec_q8_0(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y) {
    (void)xsum;
    const int64_t nb = cols / QK, rb = nb * Q8_BYTES;
    int level = quill_kernel_level();
#if QUILL_X86
    if (level == 2) { for (int64_t r = 0; r < rows; r++) y[r] = dot8_q8_0_vnni(w + r * rb, nb, xs, xq); return; }
    if (level == 1) { for (int64_t r = 0; r < rows; r++) y[r] = dot8_q8_0_avx2(w + r * rb, nb, xs, xq); return; }
#endif
    (void)level;
    for (int64_t r = 0; r < rows; r++) y[r] = dot_q8_0_c(w + r * rb, nb, xs, xq);
}

void quill_matvec_q4_0(const uint8_t *w, int64_t rows, int64_t cols,
                       const float *xs, const int8_t *xq, const int32_t *xsum, float *y) {
    const int64_t nb = cols / QK, rb = nb * Q4_BYTES;
    int level = quill_kernel_level();
#if QUILL_X86
    if (level == 2) { for (int64_t r = 0; r < rows; r++) y[r] = dot8_q4_0_vnni(w + r * rb, nb, xs, xq, xsum); return; }
    if (level == 1) { for (int64_t r = 0; r < rows; r++) y[r] = dot8_q4_0_avx2(w + r * rb, nb, xs, xq, xsum); return; }
#endif
    (void)level;
    for (int64_t r = 0; r < rows; r++) y[r] = dot_q4_0_c(w + r * rb, nb, xs, xq, xsum);
}

// Token tiles keep a slice of activations in L2 while a stripe of weight rows streams past it.
enum { TOKEN_TILE = 64 };

void quill_gemm_q8_0(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy) {
    (void)xsum;
    const int64_t nb = cols / QK;
    int level = quill_kernel_level();
    for (int64_t t0 = 0; t0 < ntok; t0 += TOKEN_TILE) {
        int64_t t1 = t0 + TOKEN_TILE < ntok ? t0 + TOKEN_TILE : ntok;
#if QUILL_X86
        if (level == 2) { gemm_q8_0_vnni(w, 0, rows, nb, t0, t1, xs, xq, y, ldy); continue; }
        if (level == 1) { gemm_q8_0_avx2(w, 0, rows, nb, t0, t1, xs, xq, y, ldy); continue; }
#endif
        for (int64_t r = 0; r < rows; r++)
            for (int64_t t = t0; t < t1; t++)
                y[t * ldy + r] = dot_q8_0_c(w + r * nb * Q8_BYTES, nb, xs + t * nb, xq + t * cols);
    }
}

void quill_gemm_q4_0(const uint8_t *w, int64_t rows, int64_t cols, int64_t ntok,
                     const float *xs, const int8_t *xq, const int32_t *xsum, float *y, int64_t ldy) {
    const int64_t nb = cols / QK;
    int level = quill_kernel_level();
    for (int64_t t0 = 0; t0 < ntok; t0 += TOKEN_TILE) {
        int64_t t1 = t0 + TOKEN_TILE < ntok ? t0 + TOKEN_TILE : ntok;
#if QUILL_X86
        if (level == 2) { gemm_q4_0_vnni(w, 0, rows, nb, t0, t1, xs, xq, xsum, y, ldy); continue; }
        if (level == 1) { gemm_q4_0_avx2(w, 0, rows, nb, t0, t1, xs, xq, xsum, y, ldy); continue; }
#endif
        for (int64_t r = 0; r < rows; r++)
            for (int64_t t = t0; t < t1; t++)
                y[t * ldy + r] = dot_q4_0_c(w + r * nb * Q4_BYTES, nb, xs + t * nb, xq + t * cols, xsum + t * nb);
    }
}
