// GSL headers used by calo-bnn, plus OpenBLAS's threading controls declared by hand
// (OpenBLAS's own cblas.h cannot be included next to GSL's gsl_cblas.h).
#ifndef CALO_BNN_CNUMERICS_H
#define CALO_BNN_CNUMERICS_H
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_cblas.h>

/* glibc declares dladdr only under _GNU_SOURCE, which would change other system headers for
   every module that imports this one; declare it (and its Dl_info layout) ourselves. */
typedef struct { const char *dli_fname; void *dli_fbase; const char *dli_sname; void *dli_saddr; } calo_dl_info;
int dladdr(const void *addr, calo_dl_info *info);

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

/// The shared object that provides the `cblas_sgemm` this process calls (NULL if unknown).
static inline const char *calo_bnn_sgemm_provider(void) {
    calo_dl_info info;
    if (dladdr((void *)&cblas_sgemm, &info) && info.dli_fname) return info.dli_fname;
    return 0;
}
#endif
