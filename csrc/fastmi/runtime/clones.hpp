// FASTMI_CLONES: a function compiled twice on x86-64 ELF targets (GCC,
// Clang), for AVX2 (four doubles per instruction) and for the baseline, the
// one to run chosen once when the module loads (target_clones), so that the
// build needs no machine-specific flag. Both compute the same operations on
// the same values, in the same order: the same bits (AVX2 brings no fused
// multiply-add, and -ffp-contract=off forbids contraction anyway).
// FASTMI_NO_CLONES turns it off.
#pragma once

#if defined(__x86_64__) && defined(__ELF__) && (defined(__GNUC__) || defined(__clang__)) && !defined(FASTMI_NO_CLONES)
#define FASTMI_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FASTMI_CLONES
#endif
