// OpenBLAS's CBLAS interface (Debian: libopenblas-dev puts cblas.h on the include path).
#include <cblas.h>
// OpenBLAS extension: lets the engine hand BLAS the same thread budget as its own kernels.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
