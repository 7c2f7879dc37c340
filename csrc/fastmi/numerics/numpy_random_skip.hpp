// numpy's RandomState.standard_normal stream (numpy_random.hpp) read one
// value at a time, with values skipped without their logarithms: what a
// worker of fastmi.dask needs to add scikit-learn's tie-breaking noise to
// its block of columns of the row-major (n, p) noise matrix, and what the
// client needs to advance the generator past the whole matrix. The words
// drawn and the values produced are numpy's, the skipped values included
// (the rejection loop runs for them; only the polar factor is left out).
#pragma once

#include <cmath>
#include <cstdint>

#include "fastmi/numerics/numpy_random.hpp"
#include "fastmi/runtime/parallel.hpp"

namespace fastmi {

class NormalCursor {
public:
    explicit NormalCursor(const NumpyNormalState& s)
        : state_(s), mt_(s.key, *s.pos), has_gauss_(*s.has_gauss != 0), gauss_(*s.gauss) {}

    void save() const {
        mt_.save(state_.key, state_.pos);
        *state_.has_gauss = has_gauss_ ? 1 : 0;
        *state_.gauss = has_gauss_ ? gauss_ : 0.0;
    }

    // numpy's legacy_gauss: the cached value, else a new accepted point
    // whose f * x2 is returned and f * x1 cached
    double next() {
        if (has_gauss_) {
            has_gauss_ = false;
            return gauss_;
        }
        double a, b, r;
        point(a, b, r);
        const double f = factor(r);
        gauss_ = f * a;
        has_gauss_ = true;
        return f * b;
    }

    // advances past m values as next() would, computing only the one that
    // stays cached
    void skip(index_t m) {
        if (m <= 0) return;
        if (has_gauss_) {
            has_gauss_ = false;
            --m;
        }
        double a, b, r;
        for (index_t q = 0; q < m / 2; ++q) point(a, b, r);
        if (m % 2 != 0) {
            point(a, b, r);
            gauss_ = factor(r) * a;
            has_gauss_ = true;
        }
    }

private:
    // numpy's sqrt(-2 log(r2) / r2), in its order of operations
    static double factor(double r) { return std::sqrt(-2.0 * std::log(r) / r); }

    void point(double& a, double& b, double& r) {
        std::uint32_t w[4];
        do {
            mt_.words(w, 4);
            a = 2.0 * Mt19937::to_double(w[0], w[1]) - 1.0;
            b = 2.0 * Mt19937::to_double(w[2], w[3]) - 1.0;
            r = a * a + b * b;
        } while (r >= 1.0 || r == 0.0);
    }

    NumpyNormalState state_;
    Mt19937 mt_;
    bool has_gauss_;
    double gauss_;
};

// x[i, j] += c[j] * g(i, offset + j) for the column-major n x w block x,
// g(i, j) being value i * stride + j of the stream (the row-major (n,
// stride) matrix of `x += c * rng.standard_normal((n, stride))`), with
// 0 <= offset, offset + w <= stride; the state is left untouched (the
// caller advances its generator by n * stride values with skip).
inline void add_normals_to_columns(double* x, index_t n, index_t w, const double* c, index_t stride,
                                   index_t offset, const NumpyNormalState& state, const Ctx& ctx) {
    NormalCursor cursor(state);
    for (index_t i = 0; i < n; ++i) {
        cursor.skip(offset);
        for (index_t j = 0; j < w; ++j) x[j * n + i] += c[j] * cursor.next();
        cursor.skip(stride - offset - w);
        if ((i & 0xfff) == 0xfff) poll_interrupt(ctx);
    }
}

}  // namespace fastmi
