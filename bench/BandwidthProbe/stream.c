// The benchmark's memory-bandwidth probe: a read-only stream through a buffer much larger than the caches.
#include "BandwidthProbe.h"
#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2")))
static float stream_sum_avx2(const float *x, int64_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
        a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + i + 8));
        a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x + i + 16));
        a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x + i + 24));
    }
    float out[8]; _mm256_storeu_ps(out, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    float s = 0; for (int j = 0; j < 8; j++) s += out[j];
    for (; i < n; i++) s += x[i];
    return s;
}
#endif
float quill_stream_sum(const float *x, int64_t n) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) return stream_sum_avx2(x, n);
#endif
    float s = 0; for (int64_t i = 0; i < n; i++) s += x[i];
    return s;
}
