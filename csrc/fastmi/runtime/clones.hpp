// FASTMI_CLONES: a function compiled twice on x86-64 ELF targets (GCC,
// Clang), for AVX2 (four doubles per instruction) and for the baseline, the
// one to run chosen once when the module loads (target_clones), so that the
// build needs no machine-specific flag. Both compute the same operations on
// the same values, in the same order: the same bits (AVX2 brings no fused
// multiply-add, and -ffp-contract=off forbids contraction anyway).
// FASTMI_NO_CLONES turns it off. A cloned function must not throw: GCC
// takes a call of a target_clones function for nothrow, so an exception
// leaving one (an interrupt poll, an allocation) ends the process; poll and
// allocate in its caller.
#pragma once

#include <cstdlib>

#if defined(__x86_64__) && defined(__ELF__) && (defined(__GNUC__) || defined(__clang__)) && !defined(FASTMI_NO_CLONES)
#define FASTMI_CLONES __attribute__((target_clones("avx2", "default")))
#define FASTMI_HAVE_AVX2_KERNELS 1
#define FASTMI_AVX2 __attribute__((target("avx2,popcnt")))
#else
#define FASTMI_CLONES
#define FASTMI_HAVE_AVX2_KERNELS 0
#endif

// FASTMI_AVX2: the functions of a hand-written AVX2 kernel (intrinsics),
// compiled for AVX2 whatever the build's flags, and run only where
// has_avx2() (checked once); every such kernel keeps a baseline twin that
// computes the same values. Defined on the targets of FASTMI_CLONES. The
// environment variable FASTMI_NO_AVX2 (non-empty, read once) runs the twins,
// which lets the tests compare the two on one machine.
namespace fastmi {
inline bool has_avx2() {
#if FASTMI_HAVE_AVX2_KERNELS
    static const bool yes = [] {
        const char* off = std::getenv("FASTMI_NO_AVX2");
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") && (off == nullptr || off[0] == '\0');
    }();
    return yes;
#else
    return false;
#endif
}
}  // namespace fastmi
