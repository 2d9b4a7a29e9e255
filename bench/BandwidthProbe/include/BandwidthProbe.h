// quill-bench's memory-bandwidth probe, kept out of the engine: nothing that ships reads memory this way.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
/// Sums n floats with wide loads: the benchmark's memory-bandwidth probe (reads every byte once).
float quill_stream_sum(const float *x, int64_t n);
#ifdef __cplusplus
}
#endif
