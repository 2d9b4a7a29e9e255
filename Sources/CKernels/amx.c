// bf16 matrix products on Intel AMX tiles (TDPBF16PS: a 16x32 bf16 tile times a 32x16 bf16 tile into a 16x16
// fp32 tile), for the frozen-weight products of LoRA training. Operands are padded and packed once by the
// caller: A row-major [mp, kp] (mp a multiple of 32, kp of 32), B in "VNNI" tiles (each 16 rows of 16 bf16
// pairs: row r holds B[k0+2r][n], B[k0+2r+1][n] for n = n0..n0+15), C fp32 [mp, np] (np a multiple of 32).
// A portable C twin computes the same products (fp32 sums of bf16 products) where AMX is absent.
#include <stdint.h>
#include <string.h>
#include "include/CKernels.h"

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>
#define QUILL_AMX 1
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18
#endif

static inline uint16_t to_bf16(float f) {
    uint32_t u; memcpy(&u, &f, 4);
    if ((u & 0x7fffffff) > 0x7f800000) return (uint16_t)((u >> 16) | 0x40);  // NaN stays NaN
    u += 0x7fff + ((u >> 16) & 1);
    return (uint16_t)(u >> 16);
}
static inline float from_bf16(uint16_t h) { uint32_t u = (uint32_t)h << 16; float f; memcpy(&f, &u, 4); return f; }

static int amx_state = -1;

int quill_has_amx_bf16(void) {
#ifdef QUILL_AMX
    if (amx_state >= 0) return amx_state && quill_kernel_level() >= 2;
    unsigned a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    int tile = (d >> 24) & 1, bf16 = (d >> 22) & 1;
    // The kernel hands out tile state only to a process that asks (Linux 5.16+).
    amx_state = tile && bf16 && syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
    return amx_state && quill_kernel_level() >= 2;
#else
    return 0;
#endif
}

void quill_bf16_pack_a(const float *x, int64_t m, int64_t k, int64_t ldx, int64_t mp, int64_t kp, uint16_t *out) {
    for (int64_t i = 0; i < mp; i++) {
        uint16_t *o = out + i * kp;
        if (i < m) {
            for (int64_t j = 0; j < k; j++) o[j] = to_bf16(x[i * ldx + j]);
            for (int64_t j = k; j < kp; j++) o[j] = 0;
        } else {
            memset(o, 0, (size_t)kp * 2);
        }
    }
}

// Aᵀ: x holds [k, m] (row stride ldx) and the packed A [mp, kp] is its transpose.
void quill_bf16_pack_a_transposed(const float *x, int64_t m, int64_t k, int64_t ldx, int64_t mp, int64_t kp, uint16_t *out) {
    memset(out, 0, (size_t)(mp * kp) * 2);
    for (int64_t j = 0; j < k; j++) {
        const float *row = x + j * ldx;
        for (int64_t i = 0; i < m; i++) out[i * kp + j] = to_bf16(row[i]);
    }
}

// B = Wᵀ for W [n, k] row-major (the forward product X·Wᵀ), or B = W for W [k, n] (the input gradient dY·W).
void quill_bf16_pack_b(const float *w, int64_t ldw, int64_t k, int64_t n, int transposed, int64_t kp, int64_t np,
                       int64_t nt0, int64_t nt1, uint16_t *out) {
    const int64_t kb = kp / 32;
    (void)np;
    for (int64_t nt = nt0; nt < nt1; nt++) {
        for (int64_t t = 0; t < kb; t++) {
            uint16_t *tile = out + (nt * kb + t) * 512;
            for (int64_t r = 0; r < 16; r++) {
                for (int64_t cidx = 0; cidx < 16; cidx++) {
                    int64_t col = nt * 16 + cidx;
                    for (int64_t j = 0; j < 2; j++) {
                        int64_t row = t * 32 + 2 * r + j;
                        float v = 0;
                        if (row < k && col < n) v = transposed ? w[col * ldw + row] : w[row * ldw + col];
                        tile[r * 32 + 2 * cidx + j] = to_bf16(v);
                    }
                }
            }
        }
    }
}

static void gemm_c(const uint16_t *a, int64_t mp, int64_t kp, const uint16_t *b, int64_t n0, int64_t n1, float *c, int64_t np) {
    const int64_t kb = kp / 32;
    for (int64_t i = 0; i < mp; i++) {
        for (int64_t col = n0 * 32; col < n1 * 32; col++) {
            int64_t nt = col / 16, cidx = col % 16;
            float sum = 0;
            for (int64_t t = 0; t < kb; t++) {
                const uint16_t *tile = b + (nt * kb + t) * 512;
                for (int64_t r = 0; r < 16; r++) {
                    for (int64_t j = 0; j < 2; j++) {
                        sum += from_bf16(a[i * kp + t * 32 + 2 * r + j]) * from_bf16(tile[r * 32 + 2 * cidx + j]);
                    }
                }
            }
            c[i * np + col] = sum;
        }
    }
}

#ifdef QUILL_AMX
typedef struct { uint8_t palette; uint8_t start_row; uint8_t reserved[14]; uint16_t colsb[16]; uint8_t rows[16]; } tile_config;

__attribute__((target("amx-tile,amx-bf16")))
static void gemm_amx(const uint16_t *a, int64_t mp, int64_t kp, const uint16_t *b, int64_t n0, int64_t n1, float *c, int64_t np) {
    tile_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette = 1;
    for (int i = 0; i < 8; i++) { cfg.rows[i] = 16; cfg.colsb[i] = 64; }
    _tile_loadconfig(&cfg);
    const int64_t kb = kp / 32;
    for (int64_t nb = n0; nb < n1; nb++) {
        const uint16_t *b0 = b + (2 * nb) * kb * 512, *b1 = b + (2 * nb + 1) * kb * 512;
        for (int64_t mb = 0; mb < mp / 32; mb++) {
            const uint16_t *a0 = a + mb * 32 * kp, *a1 = a0 + 16 * kp;
            _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
            for (int64_t t = 0; t < kb; t++) {
                _tile_loadd(4, a0 + t * 32, kp * 2);
                _tile_loadd(5, a1 + t * 32, kp * 2);
                _tile_loadd(6, b0 + t * 512, 64);
                _tile_loadd(7, b1 + t * 512, 64);
                _tile_dpbf16ps(0, 4, 6);
                _tile_dpbf16ps(1, 4, 7);
                _tile_dpbf16ps(2, 5, 6);
                _tile_dpbf16ps(3, 5, 7);
            }
            float *c0 = c + mb * 32 * np + nb * 32;
            _tile_stored(0, c0, np * 4);
            _tile_stored(1, c0 + 16, np * 4);
            _tile_stored(2, c0 + 16 * np, np * 4);
            _tile_stored(3, c0 + 16 * np + 16, np * 4);
        }
    }
    _tile_release();
}
#endif

void quill_bf16_gemm_packed(const uint16_t *a, int64_t mp, int64_t kp, const uint16_t *b, int64_t n0, int64_t n1,
                            float *c, int64_t np, int use_amx) {
#ifdef QUILL_AMX
    if (use_amx && quill_has_amx_bf16()) { gemm_amx(a, mp, kp, b, n0, n1, c, np); return; }
#endif
    gemm_c(a, mp, kp, b, n0, n1, c, np);
}

// The same tiles from bf16 weights (quill_dequantize_rows_bf16's output), which needs no rounding: with
// `transposed` (W [n, k], B = Wᵀ) a tile row is one bf16 pair from each of 16 weight rows, i.e. a 16 x 16
// transpose of 32-bit pairs; otherwise (W [k, n], B = W) it interleaves two consecutive weight rows.
#ifdef QUILL_AMX
// A whole tile with AVX-512: the 16 x 16 transpose of 32-bit pairs in four rounds of unpacks and lane shuffles,
// or two 16-value rows interleaved by one permutation per tile row.
__attribute__((target("avx512f,avx512bw")))
static void pack_tile_avx512(const uint16_t *w, int64_t k, int64_t n, int transposed, int64_t nt, int64_t t, uint16_t *tile) {
    if (transposed) {
        __m512i r[16], u[16];
        for (int c = 0; c < 16; c++) r[c] = _mm512_loadu_si512((const void *)(w + (nt * 16 + c) * k + t * 32));
        for (int c = 0; c < 16; c += 2) {
            u[c] = _mm512_unpacklo_epi32(r[c], r[c + 1]);
            u[c + 1] = _mm512_unpackhi_epi32(r[c], r[c + 1]);
        }
        for (int c = 0; c < 16; c += 4) {
            r[c] = _mm512_unpacklo_epi64(u[c], u[c + 2]);
            r[c + 1] = _mm512_unpackhi_epi64(u[c], u[c + 2]);
            r[c + 2] = _mm512_unpacklo_epi64(u[c + 1], u[c + 3]);
            r[c + 3] = _mm512_unpackhi_epi64(u[c + 1], u[c + 3]);
        }
        for (int c = 0; c < 4; c++) {
            u[c] = _mm512_shuffle_i32x4(r[c], r[c + 4], 0x88);
            u[c + 4] = _mm512_shuffle_i32x4(r[c], r[c + 4], 0xdd);
            u[c + 8] = _mm512_shuffle_i32x4(r[c + 8], r[c + 12], 0x88);
            u[c + 12] = _mm512_shuffle_i32x4(r[c + 8], r[c + 12], 0xdd);
        }
        for (int c = 0; c < 8; c++) {
            r[c] = _mm512_shuffle_i32x4(u[c], u[c + 8], 0x88);
            r[c + 8] = _mm512_shuffle_i32x4(u[c], u[c + 8], 0xdd);
        }
        for (int j = 0; j < 16; j++) _mm512_storeu_si512((void *)(tile + j * 32), r[j]);
        return;
    }
    const __m512i idx = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                         23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    for (int64_t r = 0; r < 16; r++) {
        const uint16_t *r0 = w + (t * 32 + 2 * r) * n + nt * 16;
        __m256i a = _mm256_loadu_si256((const __m256i *)r0), b = _mm256_loadu_si256((const __m256i *)(r0 + n));
        __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(a), b, 1);
        _mm512_storeu_si512((void *)(tile + r * 32), _mm512_permutexvar_epi16(idx, both));
    }
}
#endif

void quill_bf16_pack_b_bf16(const uint16_t *w, int64_t k, int64_t n, int transposed, int64_t kp, int64_t np,
                            int64_t nt0, int64_t nt1, uint16_t *out) {
    const int64_t kb = kp / 32;
    (void)np;
#ifdef QUILL_AMX
    const int vector = quill_has_amx_bf16();
#endif
    for (int64_t nt = nt0; nt < nt1; nt++) {
        for (int64_t t = 0; t < kb; t++) {
            uint16_t *tile = out + (nt * kb + t) * 512;
            const int whole = nt * 16 + 16 <= n && t * 32 + 32 <= k;
#ifdef QUILL_AMX
            if (whole && vector) { pack_tile_avx512(w, k, n, transposed, nt, t, tile); continue; }
#endif
            if (whole && transposed) {
                uint32_t *dst = (uint32_t *)tile;
                for (int64_t c = 0; c < 16; c++) {
                    const uint16_t *row = w + (nt * 16 + c) * k + t * 32;
                    uint32_t pairs[16];
                    memcpy(pairs, row, 64);
                    for (int64_t r = 0; r < 16; r++) dst[r * 16 + c] = pairs[r];
                }
                continue;
            }
            if (whole) {
                for (int64_t r = 0; r < 16; r++) {
                    const uint16_t *r0 = w + (t * 32 + 2 * r) * n + nt * 16, *r1 = r0 + n;
                    uint16_t *o = tile + r * 32;
                    for (int64_t c = 0; c < 16; c++) { o[2 * c] = r0[c]; o[2 * c + 1] = r1[c]; }
                }
                continue;
            }
            for (int64_t r = 0; r < 16; r++) {
                for (int64_t c = 0; c < 16; c++) {
                    int64_t col = nt * 16 + c;
                    for (int64_t j = 0; j < 2; j++) {
                        int64_t row = t * 32 + 2 * r + j;
                        uint16_t v = 0;
                        if (row < k && col < n) v = transposed ? w[col * k + row] : w[row * n + col];
                        tile[r * 32 + 2 * c + j] = v;
                    }
                }
            }
        }
    }
}
