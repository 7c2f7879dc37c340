# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# distutils: language = c++
"""Marshalling for the scikit-learn compatible estimators (csrc/fastmi/sklearn_api.hpp).

Nothing here validates or documents: fastmi._sklearn does that. Every kernel
runs without the GIL; C++ exceptions become ValueError, MemoryError, or the
KeyboardInterrupt raised by a Ctrl-C check.
"""
from libc.stdint cimport int64_t, uint32_t

include "_interrupt.pxi"

import numpy as np

cdef extern from "fastmi/sklearn_api.hpp" namespace "fastmi" nogil:
    void sklearn_mi(const double* xc, int64_t pc, const double* xd, int64_t pd, int64_t n,
                    const double* y, const int64_t* y_codes, int64_t y_labels, int k,
                    int n_threads, InterruptFn check, double* out_c, double* out_d) except +
    void add_legacy_noise(double* x, int64_t n, int64_t p, const double* c, uint32_t* key, int* pos,
                          int* has_gauss, double* gauss, int n_threads, InterruptFn check) except +
    double mutual_info_codes(const int64_t* a, int64_t na, const int64_t* b, int64_t nb,
                             int64_t n, InterruptFn check) except +
    double mutual_info_table(const int64_t* row, const int64_t* col, const int64_t* count,
                             int64_t nnz, const int64_t* pi, int64_t n_rows,
                             const int64_t* pj, int64_t n_cols, InterruptFn check) except +



cdef const double* _columns(const double[::1, :] a):
    if a is None or a.shape[0] == 0 or a.shape[1] == 0:
        return NULL
    return &a[0, 0]


def feature_mi(const double[::1, :] xc, const double[::1, :] xd, int64_t n,
               const double[::1] y, const int64_t[::1] y_codes, int64_t y_labels,
               int k, int n_threads, bint interruptible):
    """(mi of the continuous features, mi of the discrete features), nats, clipped.

    xc, xd: Fortran-ordered (n, p) blocks or None; exactly one of y, y_codes.
    """
    cdef int64_t pc = 0 if xc is None else xc.shape[1]
    cdef int64_t pd = 0 if xd is None else xd.shape[1]
    out_c = np.zeros(pc, dtype=np.float64)
    out_d = np.zeros(pd, dtype=np.float64)
    cdef double[::1] oc = out_c
    cdef double[::1] od = out_d
    cdef const double* pxc = _columns(xc)
    cdef const double* pxd = _columns(xd)
    cdef const double* py = NULL
    cdef const int64_t* pcodes = NULL
    cdef double* poc = NULL
    cdef double* pod = NULL
    if y is not None:
        py = &y[0]
    else:
        pcodes = &y_codes[0]
    if pc > 0:
        poc = &oc[0]
    if pd > 0:
        pod = &od[0]
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        sklearn_mi(pxc, pc, pxd, pd, n, py, pcodes, y_labels, k, n_threads, chk, poc, pod)
    return out_c, out_d


def add_noise(double[::1, :] x, const double[::1] c, uint32_t[::1] key, int pos, int has_gauss,
              double gauss, int n_threads, bint interruptible):
    """x[i, j] += c[j] * (RandomState standard normal draw i * p + j), in place.

    key (624 words) is updated in place; returns the new (pos, has_gauss, gauss).
    """
    cdef int64_t n = x.shape[0], p = x.shape[1]
    cdef int new_pos = pos, new_has = has_gauss
    cdef double new_gauss = gauss
    cdef double* px = NULL
    if n > 0 and p > 0:
        px = &x[0, 0]
    cdef InterruptFn chk = _checker(interruptible)
    if c.shape[0] != p or key.shape[0] != 624:
        raise ValueError("add_noise: shape mismatch")
    if px != NULL:
        with nogil:
            add_legacy_noise(px, n, p, &c[0], &key[0], &new_pos, &new_has, &new_gauss, n_threads, chk)
    return new_pos, new_has, new_gauss


def codes_mi(const int64_t[::1] a, int64_t na, const int64_t[::1] b, int64_t nb, bint interruptible):
    cdef double r
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        r = mutual_info_codes(&a[0], na, &b[0], nb, a.shape[0], chk)
    return r


def table_mi(const int64_t[::1] row, const int64_t[::1] col, const int64_t[::1] count,
             const int64_t[::1] pi, const int64_t[::1] pj, bint interruptible):
    cdef double r
    cdef InterruptFn chk = _checker(interruptible)
    cdef int64_t nnz = count.shape[0]
    cdef const int64_t* pr = NULL
    cdef const int64_t* pcl = NULL
    cdef const int64_t* pcn = NULL
    if nnz > 0:
        pr = &row[0]
        pcl = &col[0]
        pcn = &count[0]
    with nogil:
        r = mutual_info_table(pr, pcl, pcn, nnz, &pi[0], pi.shape[0], &pj[0], pj.shape[0], chk)
    return r
