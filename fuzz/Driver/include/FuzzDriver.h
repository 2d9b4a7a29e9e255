#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, linked by `-sanitize=fuzzer`).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
/// Defined by the fuzz target, in Swift.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
