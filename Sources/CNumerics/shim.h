// GSL headers used by calo-bnn. (The networks use no BLAS: their kernels are the package's own,
// see BayesianNetworks/Kernels.swift; GSL's own CBLAS is linked only because libgsl needs one.)
#ifndef CALO_BNN_CNUMERICS_H
#define CALO_BNN_CNUMERICS_H
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_errno.h>

/* Whether this process may run the AVX2 build of the network kernels (and of the shower simulator's,
   ShowerKernels): the CPU has the x86-64-v3
   set (AVX, AVX2, FMA, BMI1, BMI2, F16C, LZCNT, MOVBE) and glibc considers it active — so a mask
   in GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,… (how `make check-portable` emulates an older CPU)
   selects the baseline build. Both builds give the same bits; this only chooses the speed. */
#if defined(__x86_64__) && defined(__GLIBC__) && __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
static inline int calo_cpu_avx2_kernels_usable(void) {
    return CPU_FEATURE_ACTIVE(AVX) && CPU_FEATURE_ACTIVE(AVX2) && CPU_FEATURE_ACTIVE(FMA)
        && CPU_FEATURE_ACTIVE(BMI1) && CPU_FEATURE_ACTIVE(BMI2) && CPU_FEATURE_ACTIVE(F16C)
        && CPU_FEATURE_ACTIVE(LZCNT) && CPU_FEATURE_ACTIVE(MOVBE);
}
#else
static inline int calo_cpu_avx2_kernels_usable(void) { return 0; }
#endif

/* Atomic word operations for StudyRandom's worker pool (`Parallel`): acquire loads, release
   stores and acquire-release additions on a machine word, and the CPU's spin-wait hint. Plain C
   builtins, so that the pool needs no Swift `Synchronization` (macOS 15+) on the platforms
   Package.swift declares. */
static inline long calo_atomic_load(const long *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void calo_atomic_store(long *p, long v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline long calo_atomic_add(long *p, long v) { return __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL); }
static inline void calo_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
#endif
