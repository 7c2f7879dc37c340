# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# distutils: language = c++
"""Marshalling between numpy arrays and the C++ kernels in csrc/fastmi.

Nothing here validates or documents: the Python modules do that. Every
kernel runs without the GIL; C++ exceptions become ValueError (invalid
argument), MemoryError, or the KeyboardInterrupt raised by a Ctrl-C check.
"""
from libc.stdint cimport int64_t
from libcpp.vector cimport vector

include "_interrupt.pxi"

import numpy as np

cdef extern from "fastmi/api.hpp" namespace "fastmi" nogil:
    cdef struct AxisSpec:
        int64_t nbins
        const double* edges
        double lo
        double hi

    bint openmp_enabled() except +
    int default_threads() except +
    double digamma(int64_t n) except +
    void finite_range(const double* x, int64_t n, int n_threads, InterruptFn check,
                      double* mn, double* mx, int* finite) except +
    double binned_mi_bits(const double* x, const double* y, int64_t n, AxisSpec ax, AxisSpec ay,
                          int n_threads, InterruptFn check, int layout) except +
    void histogram2d(const double* x, const double* y, int64_t n, AxisSpec ax, AxisSpec ay,
                     int n_threads, InterruptFn check, int layout, int64_t* counts) except +
    double ksg_mi_nats(const double* x, int dx, const double* y, int dy, int64_t n, int k,
                       int legacy, int n_threads, InterruptFn check, int64_t* zero_radius) except +
    double ksg2_mi_nats(const double* x, int dx, const double* y, int dy, int64_t n, int k,
                        int n_threads, InterruptFn check, int64_t* zero_radius) except +
    double kl_entropy_nats(const double* x, int d, int64_t n, int k, int n_threads, InterruptFn check,
                           int64_t* zero_radius) except +
    double cmi_ksg_nats(const double* x, int dx, const double* y, int dy, const double* z, int dz,
                        int64_t n, int k, int n_threads, InterruptFn check, int64_t* zero_radius) except +
    void bin_codes(const double* data, int64_t n, int d, const AxisSpec* axes, int n_threads,
                   InterruptFn check, int64_t* codes) except +
    void knn_radius(const double* data, int64_t n, int d, int k, int metric,
                    int n_threads, InterruptFn check, double* radius) except +
    void neighbor_counts(const double* data, int64_t n, int d, const double* radius,
                         int metric, int strict, int n_threads, InterruptFn check,
                         int64_t* counts) except +



def has_openmp():
    return openmp_enabled()


def default_thread_count():
    return default_threads()


def digamma_int(int64_t n):
    return digamma(n)


def range_of(const double[::1] x, int n_threads, bint interruptible):
    """(min, max, all_finite) of x in one pass."""
    cdef double mn = 0.0, mx = 0.0
    cdef int fin = 1
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        finite_range(&x[0], x.shape[0], n_threads, chk, &mn, &mx, &fin)
    return mn, mx, bool(fin)


cdef AxisSpec _axis(int64_t nbins, const double[::1] edges, double lo, double hi):
    cdef AxisSpec a
    a.nbins = nbins
    if edges is None:
        a.edges = NULL
    else:
        a.edges = &edges[0]
    a.lo = lo
    a.hi = hi
    return a


def binned_mi(const double[::1] x, const double[::1] y,
              int64_t nbx, const double[::1] ex, double xlo, double xhi,
              int64_t nby, const double[::1] ey, double ylo, double yhi,
              int n_threads, bint interruptible, int layout=0):
    """layout: 0 sparse or dense table by size, 1 dense, 2 sparse (same bits)."""
    cdef AxisSpec ax = _axis(nbx, ex, xlo, xhi)
    cdef AxisSpec ay = _axis(nby, ey, ylo, yhi)
    cdef InterruptFn chk = _checker(interruptible)
    cdef double r
    with nogil:
        r = binned_mi_bits(&x[0], &y[0], x.shape[0], ax, ay, n_threads, chk, layout)
    return r


def joint_histogram(const double[::1] x, const double[::1] y,
                    int64_t nbx, const double[::1] ex, double xlo, double xhi,
                    int64_t nby, const double[::1] ey, double ylo, double yhi,
                    int n_threads, bint interruptible, int layout=0):
    cdef AxisSpec ax = _axis(nbx, ex, xlo, xhi)
    cdef AxisSpec ay = _axis(nby, ey, ylo, yhi)
    cdef InterruptFn chk = _checker(interruptible)
    out = np.empty((nbx, nby), dtype=np.int64)
    cdef int64_t[:, ::1] o = out
    with nogil:
        histogram2d(&x[0], &y[0], x.shape[0], ax, ay, n_threads, chk, layout, &o[0, 0])
    return out


def ksg(const double[:, ::1] x, const double[:, ::1] y, int k, bint legacy,
        int n_threads, bint interruptible):
    """(mi_nats unclipped, number of zero k-th-neighbour distances)."""
    cdef int64_t zeros = 0
    cdef double r
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        r = ksg_mi_nats(&x[0, 0], <int>x.shape[1], &y[0, 0], <int>y.shape[1], x.shape[0], k,
                        1 if legacy else 0, n_threads, chk, &zeros)
    return r, zeros


def kth_neighbor_distance(const double[:, ::1] data, int k, int metric, int n_threads,
                          bint interruptible):
    out = np.empty(data.shape[0], dtype=np.float64)
    cdef double[::1] o = out
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        knn_radius(&data[0, 0], data.shape[0], <int>data.shape[1], k, metric, n_threads, chk, &o[0])
    return out


def count_neighbors(const double[:, ::1] data, const double[::1] radius, int metric,
                    bint strict, int n_threads, bint interruptible):
    out = np.empty(data.shape[0], dtype=np.int64)
    cdef int64_t[::1] o = out
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        neighbor_counts(&data[0, 0], data.shape[0], <int>data.shape[1], &radius[0], metric,
                        1 if strict else 0, n_threads, chk, &o[0])
    return out


def ksg2(const double[:, ::1] x, const double[:, ::1] y, int k, int n_threads, bint interruptible):
    """(KSG algorithm 2 in nats unclipped, number of zero joint k-th-neighbour distances)."""
    cdef int64_t zeros = 0
    cdef double r
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        r = ksg2_mi_nats(&x[0, 0], <int>x.shape[1], &y[0, 0], <int>y.shape[1], x.shape[0], k,
                         n_threads, chk, &zeros)
    return r, zeros


def kl_entropy(const double[:, ::1] x, int k, int n_threads, bint interruptible):
    """(KL entropy in nats, NaN if every radius is 0; number of zero k-th-neighbour distances)."""
    cdef int64_t zeros = 0
    cdef double r
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        r = kl_entropy_nats(&x[0, 0], <int>x.shape[1], x.shape[0], k, n_threads, chk, &zeros)
    return r, zeros


def cmi_ksg(const double[:, ::1] x, const double[:, ::1] y, const double[:, ::1] z, int k,
            int n_threads, bint interruptible):
    """(Frenzel-Pompe conditional MI in nats unclipped, number of zero joint radii)."""
    cdef int64_t zeros = 0
    cdef double r
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        r = cmi_ksg_nats(&x[0, 0], <int>x.shape[1], &y[0, 0], <int>y.shape[1],
                         &z[0, 0], <int>z.shape[1], x.shape[0], k, n_threads, chk, &zeros)
    return r, zeros


def histogram_codes(const double[:, ::1] data, list axes, int n_threads, bint interruptible):
    """Row-major cell codes (int64, -1 outside explicit edges); axes: one
    (nbins, edges or None, lo, hi) per column."""
    cdef vector[AxisSpec] spec
    cdef const double[::1] e
    for nb, edges, lo, hi in axes:
        e = edges
        spec.push_back(_axis(nb, e, lo, hi))
    out = np.empty(data.shape[0], dtype=np.int64)
    cdef int64_t[::1] o = out
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        bin_codes(&data[0, 0], data.shape[0], <int>data.shape[1], spec.data(), n_threads, chk, &o[0])
    return out
