#include <cblas.h>
// Exported by OpenBLAS but not declared in cblas.h on every version.
char *openblas_get_corename(void);
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
