# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# distutils: language = c++
"""Marshalling between numpy arrays and the C++ kernels in csrc/fastmi.

Nothing here validates or documents: the Python modules do that. Every
kernel runs without the GIL; C++ exceptions become ValueError (invalid
argument), MemoryError, or the KeyboardInterrupt raised by a Ctrl-C check.
"""
from libc.stdint cimport int64_t, uint64_t
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
    void ksg_pairs_nats(const double* X, int64_t n, int64_t p, const int64_t* pairs, int64_t m,
                        int k, int n_threads, InterruptFn check, double* out, int64_t* zeros) except +
    void binned_pairs_bits(const int64_t* codes, const int64_t* nbins, int64_t n, const int64_t* pairs,
                           int64_t m, int n_threads, InterruptFn check, double* out) except +
    void nearest_in_z(const double* z, int dz, int64_t n, int s, int n_threads, InterruptFn check,
                      int64_t* out) except +
    void permutation_of(const int64_t* neighbors, int64_t n, int s, uint64_t seed, int64_t* out) except +
    void ksg_null_nats(const double* x, int dx, const double* y, int dy, int64_t n, int k,
                       const uint64_t* seeds, int64_t n_perm, int n_threads, InterruptFn check,
                       double* out, int64_t* zeros) except +
    void cmi_null_nats(const double* x, int dx, const double* y, int dy, const double* z, int dz, int64_t n,
                       int k, const int64_t* neighbors, int s, const uint64_t* seeds, int64_t n_perm,
                       int n_threads, InterruptFn check, double* out, int64_t* zeros) except +



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


def ksg_pairs(const double[::1, :] X, const int64_t[:, ::1] pairs, int k, int n_threads, bint interruptible):
    """(KSG nats unclipped per pair, zero k-th-neighbour distances per pair); X column-major."""
    cdef int64_t m = pairs.shape[0]
    out = np.empty(m, dtype=np.float64)
    zeros = np.empty(m, dtype=np.int64)
    cdef double[::1] o = out
    cdef int64_t[::1] z = zeros
    cdef InterruptFn chk = _checker(interruptible)
    if m == 0:
        return out, zeros
    with nogil:
        ksg_pairs_nats(&X[0, 0], X.shape[0], X.shape[1], &pairs[0, 0], m, k, n_threads, chk, &o[0], &z[0])
    return out, zeros


def binned_pairs(const int64_t[::1, :] codes, const int64_t[::1] nbins, const int64_t[:, ::1] pairs,
                 int n_threads, bint interruptible):
    """Plug-in bits per pair of the column-major bin codes."""
    cdef int64_t m = pairs.shape[0]
    out = np.empty(m, dtype=np.float64)
    cdef double[::1] o = out
    cdef InterruptFn chk = _checker(interruptible)
    if m == 0:
        return out
    with nogil:
        binned_pairs_bits(&codes[0, 0], &nbins[0], codes.shape[0], &pairs[0, 0], m, n_threads, chk, &o[0])
    return out


def z_neighbors(const double[:, ::1] z, int s, int n_threads, bint interruptible):
    """(n, s) int64: each sample, then its s - 1 nearest others in z (max-norm)."""
    out = np.empty((z.shape[0], s), dtype=np.int64)
    cdef int64_t[:, ::1] o = out
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        nearest_in_z(&z[0, 0], <int>z.shape[1], z.shape[0], s, n_threads, chk, &o[0, 0])
    return out


def permutation(const int64_t[:, ::1] neighbors, int64_t n, uint64_t seed):
    """The permutation mi_test draws from seed (global when neighbors is None)."""
    out = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] o = out
    cdef const int64_t* nb = NULL
    cdef int s = 0
    if neighbors is not None:
        nb = &neighbors[0, 0]
        s = <int>neighbors.shape[1]
    with nogil:
        permutation_of(nb, n, s, seed, &o[0])
    return out


def ksg_null(const double[:, ::1] x, const double[:, ::1] y, int k, const uint64_t[::1] seeds,
             int n_threads, bint interruptible):
    """(null KSG nats unclipped, zero radii) per seed's global permutation of y."""
    cdef int64_t b = seeds.shape[0]
    out = np.empty(b, dtype=np.float64)
    zeros = np.empty(b, dtype=np.int64)
    cdef double[::1] o = out
    cdef int64_t[::1] zz = zeros
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        ksg_null_nats(&x[0, 0], <int>x.shape[1], &y[0, 0], <int>y.shape[1], x.shape[0], k, &seeds[0], b,
                      n_threads, chk, &o[0], &zz[0])
    return out, zeros


def cmi_null(const double[:, ::1] x, const double[:, ::1] y, const double[:, ::1] z, int k,
             const int64_t[:, ::1] neighbors, const uint64_t[::1] seeds, int n_threads, bint interruptible):
    """(null Frenzel-Pompe nats unclipped, zero radii) per seed's local permutation of y."""
    cdef int64_t b = seeds.shape[0]
    out = np.empty(b, dtype=np.float64)
    zeros = np.empty(b, dtype=np.int64)
    cdef double[::1] o = out
    cdef int64_t[::1] zz = zeros
    cdef InterruptFn chk = _checker(interruptible)
    with nogil:
        cmi_null_nats(&x[0, 0], <int>x.shape[1], &y[0, 0], <int>y.shape[1], &z[0, 0], <int>z.shape[1],
                      x.shape[0], k, &neighbors[0, 0], <int>neighbors.shape[1], &seeds[0], b,
                      n_threads, chk, &o[0], &zz[0])
    return out, zeros
