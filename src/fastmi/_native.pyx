# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# distutils: language = c++
"""fastmi's one extension module: csrc/fastmi/entry.hpp, function for function.

Marshalling only: typed views of arrays that Python has validated, output
arrays, the call without the GIL. Every name is the C++ entry's name; see
entry.hpp for what each computes. C++ exceptions become MemoryError, the
KeyboardInterrupt raised by a Ctrl-C check, or RuntimeError (a broken
invariant: a bug).
"""
from libc.stdint cimport int64_t, uint32_t, uint64_t
from libcpp.vector cimport vector

import numpy as np

cdef extern from "Python.h":
    # Declared without an exception value on purpose: the KeyboardInterrupt it
    # sets must stay pending (not be reported as unraisable here).
    int PyErr_CheckSignals_pending "PyErr_CheckSignals"() noexcept

cdef extern from "fastmi/runtime/parallel.hpp" namespace "fastmi" nogil:
    ctypedef int (*InterruptFn)() noexcept nogil

cdef extern from "fastmi/runtime/metric.hpp" namespace "fastmi" nogil:
    cpdef enum class Bound:
        strict
        inclusive

cdef extern from "fastmi/entry.hpp" namespace "fastmi::entry" nogil:
    cpdef enum class KsgVariant:
        published
        textbook

    cpdef enum class Metric:
        max_norm
        euclidean

    cpdef enum class TableLayout:
        automatic
        dense
        sparse

    cdef struct AxisSpec:
        int64_t nbins
        const double* edges
        double lo
        double hi

    # (parameter names and meanings: entry.hpp)
    bint c_has_openmp "fastmi::entry::has_openmp"() except +
    int c_default_threads "fastmi::entry::default_threads"() except +
    void c_finite_range "fastmi::entry::finite_range"(const double*, int64_t, int, InterruptFn, double*, double*, int*) except +
    double c_binned_mi_bits "fastmi::entry::binned_mi_bits"(const double*, const double*, int64_t, AxisSpec, AxisSpec, TableLayout, int, InterruptFn, int64_t*) except +
    void c_histogram2d "fastmi::entry::histogram2d"(const double*, const double*, int64_t, AxisSpec, AxisSpec, TableLayout, int, InterruptFn, int64_t*) except +
    double c_ksg_mi_nats "fastmi::entry::ksg_mi_nats"(const double*, int, const double*, int, int64_t, int, KsgVariant, int, InterruptFn, int64_t*) except +
    double c_ksg2_mi_nats "fastmi::entry::ksg2_mi_nats"(const double*, int, const double*, int, int64_t, int, int, InterruptFn, int64_t*) except +
    double c_kl_entropy_nats "fastmi::entry::kl_entropy_nats"(const double*, int, int64_t, int, int, InterruptFn, int64_t*) except +
    double c_cmi_ksg_nats "fastmi::entry::cmi_ksg_nats"(const double*, int, const double*, int, const double*, int, int64_t, int, int, InterruptFn, int64_t*) except +
    void c_histogram_codes "fastmi::entry::histogram_codes"(const double*, int64_t, int, const AxisSpec*, int, InterruptFn, int64_t*) except +
    void c_knn_radius "fastmi::entry::knn_radius"(const double*, int64_t, int, int, Metric, int, InterruptFn, double*) except +
    void c_neighbor_counts "fastmi::entry::neighbor_counts"(const double*, int64_t, int, const double*, Metric, Bound, int, InterruptFn, int64_t*) except +
    void c_mi_cc "fastmi::entry::mi_cc"(const double*, int64_t, int64_t, const double*, int, int, InterruptFn, double*) except +
    void c_mi_cd "fastmi::entry::mi_cd"(const double*, int64_t, int64_t, const int64_t*, int64_t, int, int, InterruptFn, double*) except +
    void c_mi_dc "fastmi::entry::mi_dc"(const double*, int64_t, int64_t, const double*, int, int, InterruptFn, double*) except +
    void c_mi_dd "fastmi::entry::mi_dd"(const double*, int64_t, int64_t, const int64_t*, int64_t, int, InterruptFn, double*) except +
    double c_contingency_mi_codes "fastmi::entry::contingency_mi_codes"(const int64_t*, int64_t, const int64_t*, int64_t, int64_t, InterruptFn) except +
    double c_contingency_mi_table "fastmi::entry::contingency_mi_table"(const int64_t*, const int64_t*, const int64_t*, int64_t, const int64_t*, int64_t, const int64_t*, int64_t, InterruptFn) except +
    void c_add_normal_noise "fastmi::entry::add_normal_noise"(double*, int64_t, int64_t, const double*, uint32_t*, int*, int*, double*, int, InterruptFn) except +
    void c_ksg_pairs_nats "fastmi::entry::ksg_pairs_nats"(const double*, int64_t, int64_t, const int64_t*, int64_t, int, int, InterruptFn, double*, int64_t*) except +
    void c_binned_pairs_bits "fastmi::entry::binned_pairs_bits"(const double*, int64_t, int64_t, const AxisSpec*, const int64_t*, int64_t, int, InterruptFn, double*, int64_t*) except +
    void c_nearest_in_z "fastmi::entry::nearest_in_z"(const double*, int, int64_t, int, int, InterruptFn, int64_t*) except +
    void c_permutation_of "fastmi::entry::permutation_of"(const int64_t*, int64_t, int, uint64_t, int64_t*) except +
    void c_ksg_null_nats "fastmi::entry::ksg_null_nats"(const double*, int, const double*, int, int64_t, int, const uint64_t*, int64_t, int, InterruptFn, double*, int64_t*) except +
    void c_cmi_null_nats "fastmi::entry::cmi_null_nats"(const double*, int, const double*, int, const double*, int, int64_t, int, const int64_t*, int, const uint64_t*, int64_t, int, InterruptFn, double*, int64_t*) except +


# --------------------------------------------------------------------------- Ctrl-C

# The kernels call _check_signals between blocks of work, only on the thread
# that entered them; a pending Ctrl-C raises KeyboardInterrupt here, and the
# except+ translation of the C++ exception thrown next passes it on unchanged.
cdef int _check_signals() noexcept nogil:
    with gil:
        return PyErr_CheckSignals_pending() != 0


cdef InterruptFn _checker(bint interruptible) noexcept nogil:
    if interruptible:
        return _check_signals
    return NULL


# --------------------------------------------------------------------------- views

# First element of a possibly empty array (NULL when empty or None).
cdef const double* _f64(const double[::1] a):
    if a is None or a.shape[0] == 0:
        return NULL
    return &a[0]


cdef const int64_t* _i64(const int64_t[::1] a):
    if a is None or a.shape[0] == 0:
        return NULL
    return &a[0]


cdef double* _block(double[::1, :] a):
    if a.shape[0] == 0 or a.shape[1] == 0:
        return NULL
    return &a[0, 0]


cdef AxisSpec _axis(tuple spec):
    """spec: (nbins, edges or None, lo, hi); the edges stay alive in it."""
    cdef AxisSpec a
    a.nbins = spec[0]
    a.edges = _f64(spec[1])
    a.lo = spec[2]
    a.hi = spec[3]
    return a


# --------------------------------------------------------------------------- entry points

def has_openmp():
    return c_has_openmp()


def default_threads():
    return c_default_threads()


def finite_range(const double[::1] x, int n_threads, bint interruptible):
    cdef double mn = 0.0, mx = 0.0
    cdef int finite = 1
    with nogil:
        c_finite_range(&x[0], x.shape[0], n_threads, _checker(interruptible), &mn, &mx, &finite)
    return mn, mx, bool(finite)


def binned_mi_bits(const double[::1] x, const double[::1] y, tuple ax, tuple ay, TableLayout layout,
                   int n_threads, bint interruptible):
    cdef AxisSpec spec_x = _axis(ax), spec_y = _axis(ay)
    cdef int64_t counted = 0
    cdef double bits
    with nogil:
        bits = c_binned_mi_bits(&x[0], &y[0], x.shape[0], spec_x, spec_y, layout, n_threads,
                                _checker(interruptible), &counted)
    return bits, counted


def histogram2d(const double[::1] x, const double[::1] y, tuple ax, tuple ay, TableLayout layout, int n_threads,
                bint interruptible):
    cdef AxisSpec spec_x = _axis(ax), spec_y = _axis(ay)
    cdef int64_t[:, ::1] counts = np.empty((spec_x.nbins, spec_y.nbins), dtype=np.int64)
    with nogil:
        c_histogram2d(&x[0], &y[0], x.shape[0], spec_x, spec_y, layout, n_threads, _checker(interruptible),
                      &counts[0, 0])
    return counts.base


def ksg_mi_nats(const double[:, ::1] x, const double[:, ::1] y, int k, KsgVariant variant,
                int n_threads, bint interruptible):
    cdef int64_t zero_radius = 0
    cdef double nats
    with nogil:
        nats = c_ksg_mi_nats(&x[0, 0], <int>x.shape[1], &y[0, 0], <int>y.shape[1], x.shape[0], k, variant,
                             n_threads, _checker(interruptible), &zero_radius)
    return nats, zero_radius


def ksg2_mi_nats(const double[:, ::1] x, const double[:, ::1] y, int k, int n_threads, bint interruptible):
    cdef int64_t zero_radius = 0
    cdef double nats
    with nogil:
        nats = c_ksg2_mi_nats(&x[0, 0], <int>x.shape[1], &y[0, 0], <int>y.shape[1], x.shape[0], k, n_threads,
                              _checker(interruptible), &zero_radius)
    return nats, zero_radius


def kl_entropy_nats(const double[:, ::1] x, int k, int n_threads, bint interruptible):
    cdef int64_t zero_radius = 0
    cdef double nats
    with nogil:
        nats = c_kl_entropy_nats(&x[0, 0], <int>x.shape[1], x.shape[0], k, n_threads, _checker(interruptible),
                                 &zero_radius)
    return nats, zero_radius


def cmi_ksg_nats(const double[:, ::1] x, const double[:, ::1] y, const double[:, ::1] z, int k, int n_threads,
                 bint interruptible):
    cdef int64_t zero_radius = 0
    cdef double nats
    with nogil:
        nats = c_cmi_ksg_nats(&x[0, 0], <int>x.shape[1], &y[0, 0], <int>y.shape[1], &z[0, 0], <int>z.shape[1],
                              x.shape[0], k, n_threads, _checker(interruptible), &zero_radius)
    return nats, zero_radius


def histogram_codes(const double[:, ::1] data, list axes, int n_threads, bint interruptible):
    """axes: one (nbins, edges or None, lo, hi) per column."""
    cdef vector[AxisSpec] spec
    for a in axes:
        spec.push_back(_axis(a))
    cdef int64_t[::1] codes = np.empty(data.shape[0], dtype=np.int64)
    with nogil:
        c_histogram_codes(&data[0, 0], data.shape[0], <int>data.shape[1], spec.data(), n_threads,
                          _checker(interruptible), &codes[0])
    return codes.base


def knn_radius(const double[:, ::1] data, int k, Metric metric, int n_threads, bint interruptible):
    cdef double[::1] radius = np.empty(data.shape[0], dtype=np.float64)
    with nogil:
        c_knn_radius(&data[0, 0], data.shape[0], <int>data.shape[1], k, metric, n_threads,
                     _checker(interruptible), &radius[0])
    return radius.base


def neighbor_counts(const double[:, ::1] data, const double[::1] radius, Metric metric, Bound bound,
                    int n_threads, bint interruptible):
    cdef int64_t[::1] counts = np.empty(data.shape[0], dtype=np.int64)
    with nogil:
        c_neighbor_counts(&data[0, 0], data.shape[0], <int>data.shape[1], &radius[0], metric, bound, n_threads,
                          _checker(interruptible), &counts[0])
    return counts.base


# scikit-learn's estimators against a continuous target: mi_cc, mi_dc
ctypedef void (*_ContinuousTargetFn)(const double*, int64_t, int64_t, const double*, int, int, InterruptFn,
                                     double*) except + nogil


# The feature blocks are never empty (Python calls only with features).
cdef _against_continuous(_ContinuousTargetFn estimator, const double[::1, :] x, const double[::1] y, int k,
                         int n_threads, bint interruptible):
    cdef double[::1] out = np.empty(x.shape[1], dtype=np.float64)
    with nogil:
        estimator(&x[0, 0], x.shape[1], x.shape[0], &y[0], k, n_threads, _checker(interruptible), &out[0])
    return out.base


def mi_cc(const double[::1, :] x, const double[::1] y, int k, int n_threads, bint interruptible):
    return _against_continuous(c_mi_cc, x, y, k, n_threads, interruptible)


def mi_dc(const double[::1, :] x, const double[::1] y, int k, int n_threads, bint interruptible):
    return _against_continuous(c_mi_dc, x, y, k, n_threads, interruptible)


def mi_cd(const double[::1, :] x, const int64_t[::1] labels, int64_t n_labels, int k, int n_threads,
          bint interruptible):
    cdef double[::1] out = np.empty(x.shape[1], dtype=np.float64)
    with nogil:
        c_mi_cd(&x[0, 0], x.shape[1], x.shape[0], &labels[0], n_labels, k, n_threads, _checker(interruptible),
                &out[0])
    return out.base


def mi_dd(const double[::1, :] x, const int64_t[::1] labels, int64_t n_labels, int n_threads,
          bint interruptible):
    cdef double[::1] out = np.empty(x.shape[1], dtype=np.float64)
    with nogil:
        c_mi_dd(&x[0, 0], x.shape[1], x.shape[0], &labels[0], n_labels, n_threads, _checker(interruptible),
                &out[0])
    return out.base


def contingency_mi_codes(const int64_t[::1] a, int64_t na, const int64_t[::1] b, int64_t nb, bint interruptible):
    cdef double nats
    with nogil:
        nats = c_contingency_mi_codes(&a[0], na, &b[0], nb, a.shape[0], _checker(interruptible))
    return nats


def contingency_mi_table(const int64_t[::1] row, const int64_t[::1] col, const int64_t[::1] count,
                         const int64_t[::1] pi, const int64_t[::1] pj, bint interruptible):
    cdef double nats
    cdef const int64_t* rows = _i64(row)
    cdef const int64_t* cols = _i64(col)
    cdef const int64_t* counts = _i64(count)
    with nogil:
        nats = c_contingency_mi_table(rows, cols, counts, count.shape[0], &pi[0], pi.shape[0], &pj[0],
                                      pj.shape[0], _checker(interruptible))
    return nats


def add_normal_noise(double[::1, :] x, const double[::1] c, uint32_t[::1] key, int pos, int has_gauss,
                     double gauss, int n_threads, bint interruptible):
    cdef int64_t n = x.shape[0], p = x.shape[1]
    cdef double* block = _block(x)
    cdef const double* factors = _f64(c)
    with nogil:
        c_add_normal_noise(block, n, p, factors, &key[0], &pos, &has_gauss, &gauss, n_threads,
                           _checker(interruptible))
    return pos, has_gauss, gauss


# --------------------------------------------------------------------------- workflows


def ksg_pairs_nats(const double[::1, :] X, const int64_t[:, ::1] pairs, int k, int n_threads, bint interruptible):
    """(nats per pair, zero radii per pair); X column-major."""
    cdef int64_t m = pairs.shape[0]
    cdef double[::1] out = np.empty(m, dtype=np.float64)
    cdef int64_t[::1] zeros = np.empty(m, dtype=np.int64)
    if m > 0:
        with nogil:
            c_ksg_pairs_nats(&X[0, 0], X.shape[0], X.shape[1], &pairs[0, 0], m, k, n_threads,
                             _checker(interruptible), &out[0], &zeros[0])
    return out.base, zeros.base


def binned_pairs_bits(const double[::1, :] X, list axes, const int64_t[:, ::1] pairs, int n_threads,
                      bint interruptible):
    """(bits per pair, samples counted per pair); X column-major, axes: one (nbins, edges or None, lo, hi)
    per column."""
    cdef vector[AxisSpec] spec
    for a in axes:
        spec.push_back(_axis(a))
    cdef int64_t m = pairs.shape[0]
    cdef double[::1] out = np.empty(m, dtype=np.float64)
    cdef int64_t[::1] counted = np.empty(m, dtype=np.int64)
    if m > 0:
        with nogil:
            c_binned_pairs_bits(&X[0, 0], X.shape[0], X.shape[1], spec.data(), &pairs[0, 0], m, n_threads,
                                _checker(interruptible), &out[0], &counted[0])
    return out.base, counted.base


def nearest_in_z(const double[:, ::1] z, int s, int n_threads, bint interruptible):
    cdef int64_t[:, ::1] out = np.empty((z.shape[0], s), dtype=np.int64)
    with nogil:
        c_nearest_in_z(&z[0, 0], <int>z.shape[1], z.shape[0], s, n_threads, _checker(interruptible), &out[0, 0])
    return out.base


def permutation_of(const int64_t[:, ::1] neighbors, int64_t n, uint64_t seed):
    """neighbors None: a global permutation."""
    cdef int64_t[::1] out = np.empty(n, dtype=np.int64)
    cdef const int64_t* nb = NULL
    cdef int s = 0
    if neighbors is not None:
        nb = &neighbors[0, 0]
        s = <int>neighbors.shape[1]
    with nogil:
        c_permutation_of(nb, n, s, seed, &out[0])
    return out.base


def ksg_null_nats(const double[:, ::1] x, const double[:, ::1] y, int k, const uint64_t[::1] seeds,
                  int n_threads, bint interruptible):
    cdef int64_t b = seeds.shape[0]
    cdef double[::1] out = np.empty(b, dtype=np.float64)
    cdef int64_t[::1] zeros = np.empty(b, dtype=np.int64)
    with nogil:
        c_ksg_null_nats(&x[0, 0], <int>x.shape[1], &y[0, 0], <int>y.shape[1], x.shape[0], k, &seeds[0], b,
                        n_threads, _checker(interruptible), &out[0], &zeros[0])
    return out.base, zeros.base


def cmi_null_nats(const double[:, ::1] x, const double[:, ::1] y, const double[:, ::1] z, int k,
                  const int64_t[:, ::1] neighbors, const uint64_t[::1] seeds, int n_threads, bint interruptible):
    cdef int64_t b = seeds.shape[0]
    cdef double[::1] out = np.empty(b, dtype=np.float64)
    cdef int64_t[::1] zeros = np.empty(b, dtype=np.int64)
    with nogil:
        c_cmi_null_nats(&x[0, 0], <int>x.shape[1], &y[0, 0], <int>y.shape[1], &z[0, 0], <int>z.shape[1],
                        x.shape[0], k, &neighbors[0, 0], <int>neighbors.shape[1], &seeds[0], b,
                        n_threads, _checker(interruptible), &out[0], &zeros[0])
    return out.base, zeros.base


# --------------------------------------------------------------------------- chunks (fastmi.dask)

cdef extern from "fastmi/entry_chunks.hpp" namespace "fastmi::entry" nogil:
    double c_table_mi_bits "fastmi::entry::table_mi_bits"(const int64_t*, int64_t, int64_t) except +
    double c_sparse_table_mi_bits "fastmi::entry::sparse_table_mi_bits"(const int64_t*, const int64_t*, int64_t,
                                                                         int64_t, int64_t) except +
    void c_skip_normals "fastmi::entry::skip_normals"(uint32_t*, int*, int*, double*, int64_t, InterruptFn) except +
    void c_add_normal_noise_columns "fastmi::entry::add_normal_noise_columns"(double*, int64_t, int64_t, const double*, int64_t, int64_t, const uint32_t*, int, int, double, InterruptFn) except +


def table_mi_bits(const int64_t[:, ::1] counts):
    cdef double bits
    with nogil:
        bits = c_table_mi_bits(&counts[0, 0], counts.shape[0], counts.shape[1])
    return bits


def sparse_table_mi_bits(const int64_t[::1] cells, const int64_t[::1] counts, int64_t nrows, int64_t ncols):
    cdef double bits
    cdef int64_t m = cells.shape[0]
    if counts.shape[0] != m:
        raise ValueError("cells and counts differ in length")
    if m == 0:
        return 0.0
    with nogil:
        bits = c_sparse_table_mi_bits(&cells[0], &counts[0], m, nrows, ncols)
    return bits


def skip_normals(uint32_t[::1] key, int pos, int has_gauss, double gauss, int64_t m, bint interruptible):
    with nogil:
        c_skip_normals(&key[0], &pos, &has_gauss, &gauss, m, _checker(interruptible))
    return pos, has_gauss, gauss


def add_normal_noise_columns(double[::1, :] x, const double[::1] c, int64_t stride, int64_t offset,
                             const uint32_t[::1] key, int pos, int has_gauss, double gauss, bint interruptible):
    cdef int64_t n = x.shape[0], w = x.shape[1]
    cdef double* block = _block(x)
    cdef const double* factors = _f64(c)
    with nogil:
        c_add_normal_noise_columns(block, n, w, factors, stride, offset, &key[0], pos, has_gauss, gauss,
                                   _checker(interruptible))


# --------------------------------------------------------------------------- ties (csrc/fastmi/search/ties.hpp)

cdef extern from "fastmi/search/ties.hpp" namespace "fastmi::entry" nogil:
    void c_column_ties "fastmi::entry::column_ties"(const double* const*, const int64_t*, int, int64_t, int,
                                                    InterruptFn, int64_t*, int64_t*) except +
    double c_ksg1_nats_if_untied "fastmi::entry::ksg1_nats_if_untied"(const double*, const double*, int64_t, int,
                                                                     int, InterruptFn, int64_t*, int64_t*,
                                                                     int64_t*) except +
    double c_kl1_nats_if_untied "fastmi::entry::kl1_nats_if_untied"(const double*, int64_t, int, int, InterruptFn,
                                                                   int64_t*, int64_t*) except +


def column_ties(list blocks, int n_threads, bint interruptible):
    """Every column of the 2-D float64 arrays in blocks (n >= 1 rows each, any
    strides), in order: the samples whose value another sample shares, and
    the number of distinct values."""
    cdef vector[const double*] cols
    cdef vector[int64_t] strides
    cdef const double[:, :] a
    cdef int64_t n = -1
    cdef Py_ssize_t c
    for block in blocks:
        a = block
        if n < 0:
            n = a.shape[0]
        for c in range(a.shape[1]):
            cols.push_back(&a[0, c])
            strides.push_back(a.strides[0] // <int64_t>sizeof(double))
    cdef int d = <int>cols.size()
    cdef int64_t[::1] tied = np.zeros(d, dtype=np.int64)
    cdef int64_t[::1] distinct = np.zeros(d, dtype=np.int64)
    with nogil:
        c_column_ties(cols.data(), strides.data(), d, n, n_threads, _checker(interruptible), &tied[0], &distinct[0])
    return tied.base, distinct.base


def ksg1_nats_if_untied(const double[::1] x, const double[::1] y, int k, int n_threads, bint interruptible):
    """ksg_mi_nats (published) of 1-D x and y when neither has repeated values:
    (nats or NaN, zero_radius, tied_x, tied_y)."""
    cdef int64_t zero_radius = 0, tied_x = 0, tied_y = 0
    cdef double nats
    with nogil:
        nats = c_ksg1_nats_if_untied(&x[0], &y[0], x.shape[0], k, n_threads, _checker(interruptible), &zero_radius,
                                     &tied_x, &tied_y)
    return nats, zero_radius, tied_x, tied_y


def kl1_nats_if_untied(const double[::1] x, int k, int n_threads, bint interruptible):
    """kl_entropy_nats of 1-D x when it has no repeated values: (nats or NaN, zero_radius, tied)."""
    cdef int64_t zero_radius = 0, tied = 0
    cdef double nats
    with nogil:
        nats = c_kl1_nats_if_untied(&x[0], x.shape[0], k, n_threads, _checker(interruptible), &zero_radius, &tied)
    return nats, zero_radius, tied
