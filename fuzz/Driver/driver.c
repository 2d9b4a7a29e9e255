// SwiftPM links an executable target's entry point as `<module>_main` (so tests can link the executable), which
// leaves no place for libFuzzer's own `main`. These entry points hand the command line to libFuzzer instead;
// each fuzz target defines LLVMFuzzerTestOneInput in Swift.
#include "FuzzDriver.h"

static int run(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }

int fuzz_factcheck_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_pipeline_main(int argc, char **argv) { return run(argc, argv); }
