// numpy.random.RandomState's standard normal stream, reproduced natively so
// that scikit-learn's tie-breaking noise can be drawn without a serial
// numpy pass over n * p values: the Mersenne Twister MT19937 (Matsumoto and
// Nishimura 1998) with numpy's 53-bit doubles, and the polar Box-Muller
// method of RandomState.standard_normal (numpy's legacy_gauss), including
// its one cached value. The rejection loop is inherently serial; the logarithms
// and square roots, most of the cost, are computed by all threads.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "fastmi/runtime/parallel.hpp"

namespace fastmi {

class Mt19937 {
public:
    static constexpr int kN = 624;

    // key: the 624-word state; pos: the next word to use (624: regenerate).
    Mt19937(const std::uint32_t* key, int pos) : pos_(pos) {
        std::copy(key, key + kN, key_);
        temper();
    }

    void save(std::uint32_t* key, int* pos) const {
        std::copy(key_, key_ + kN, key);
        *pos = pos_;
    }

    // the next m words, in order
    void words(std::uint32_t* w, index_t m) {
        while (m > 0) {
            if (pos_ >= kN) regenerate();
            const index_t take = std::min<index_t>(m, kN - pos_);
            std::copy(out_ + pos_, out_ + pos_ + take, w);
            pos_ += static_cast<int>(take);
            w += take;
            m -= take;
        }
    }

    // numpy's random_double for MT19937: 27 + 26 bits of two words.
    static double to_double(std::uint32_t hi, std::uint32_t lo) {
        const std::int32_t a = static_cast<std::int32_t>(hi >> 5);
        const std::int32_t b = static_cast<std::int32_t>(lo >> 6);
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

private:
    static constexpr int kM = 397;

    static std::uint32_t twist(std::uint32_t upper, std::uint32_t lower, std::uint32_t far) {
        const std::uint32_t y = (upper & 0x80000000U) | (lower & 0x7fffffffU);
        return far ^ (y >> 1) ^ ((0U - (y & 1U)) & 0x9908b0dfU);
    }

    // the outputs of the current key, words pos.. of which are still unused
    void temper() {
        for (int i = 0; i < kN; ++i) {
            std::uint32_t y = key_[i];
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c5680U;
            y ^= (y << 15) & 0xefc60000U;
            out_[i] = y ^ (y >> 18);
        }
    }

    void regenerate() {
        int i = 0;
        for (; i < kN - kM; ++i) key_[i] = twist(key_[i], key_[i + 1], key_[i + kM]);
        for (; i < kN - 1; ++i) key_[i] = twist(key_[i], key_[i + 1], key_[i + kM - kN]);
        key_[kN - 1] = twist(key_[kN - 1], key_[0], key_[kM - 1]);
        pos_ = 0;
        temper();
    }

    std::uint32_t key_[kN];
    std::uint32_t out_[kN];
    int pos_;
};

// The state of a RandomState as numpy's get_state() reports it.
struct NumpyNormalState {
    std::uint32_t* key;  // 624 words, updated in place
    int* pos;
    int* has_gauss;
    double* gauss;
};

// Produces RandomState.standard_normal's values in order, a chunk at a time:
// fill(out, m) writes the next m values, exactly as numpy would, and leaves
// the state where numpy would leave it once save() is called.
class NumpyNormal {
public:
    explicit NumpyNormal(const NumpyNormalState& s)
        : state_(s), mt_(s.key, *s.pos), has_gauss_(*s.has_gauss != 0), gauss_(*s.gauss) {}

    void save() const {
        mt_.save(state_.key, state_.pos);
        *state_.has_gauss = has_gauss_ ? 1 : 0;
        *state_.gauss = has_gauss_ ? gauss_ : 0.0;
    }

    void fill(double* out, index_t m, const Ctx& ctx) {
        if (m <= 0) return;
        index_t at = 0;
        if (has_gauss_) {
            out[at++] = gauss_;
            has_gauss_ = false;
        }
        // serial: the accepted points of the polar method, one per pair
        const index_t pairs = (m - at + 1) / 2;
        // one spare slot: the batch loop stores each attempt before knowing
        // whether it is kept
        x1_.resize(static_cast<size_t>(pairs) + 1);
        x2_.resize(static_cast<size_t>(pairs) + 1);
        r2_.resize(static_cast<size_t>(pairs) + 1);
        index_t q = 0;
        // Batches of attempts (4 words each), never more attempts than pairs
        // still wanted, so no word is drawn that numpy would not draw: the
        // points computed in one vectorisable sweep, then the accepted kept.
        while (q < pairs) {
            const index_t tries = std::min<index_t>(kBatch, pairs - q);
            mt_.words(w_, 4 * tries);
            for (index_t t = 0; t < tries; ++t) {
                const double a = 2.0 * Mt19937::to_double(w_[4 * t], w_[4 * t + 1]) - 1.0;
                const double b = 2.0 * Mt19937::to_double(w_[4 * t + 2], w_[4 * t + 3]) - 1.0;
                ta_[t] = a;
                tb_[t] = b;
                tr_[t] = a * a + b * b;
            }
            for (index_t t = 0; t < tries; ++t) {
                const double r = tr_[t];
                x1_[q] = ta_[t];
                x2_[q] = tb_[t];
                r2_[q] = r;
                q += (r < 1.0) & (r != 0.0);
            }
        }
        // parallel: each pair gives f * x2, then f * x1 (cached when unused)
        const bool odd = (m - at) % 2 != 0;
        parallel_blocks(pairs, 1 << 13, ctx, [&](index_t, index_t s, index_t e) {
            for (index_t q = s; q < e; ++q) {
                const double f = polar_factor(r2_[q]);
                out[at + 2 * q] = f * x2_[q];
                if (!(odd && q == pairs - 1)) out[at + 2 * q + 1] = f * x1_[q];
            }
        });
        if (odd) {
            gauss_ = polar_factor(r2_[pairs - 1]) * x1_[pairs - 1];
            has_gauss_ = true;
        }
    }

private:
    static constexpr index_t kBatch = 512;  // attempts per batch

    // numpy's sqrt(-2 log(r2) / r2), in its order of operations
    static double polar_factor(double r) { return std::sqrt(-2.0 * std::log(r) / r); }

    NumpyNormalState state_;
    Mt19937 mt_;
    std::uint32_t w_[4 * kBatch];
    double ta_[kBatch], tb_[kBatch], tr_[kBatch];
    bool has_gauss_;
    double gauss_;
    std::vector<double> x1_, x2_, r2_;
};

// x[i, j] += c[j] * g_ij for the column-major n x p block x, the g_ij being
// the next n * p values of the normal stream in row-major order (i, j), as
// numpy's `x += c * rng.standard_normal((n, p))` adds them; the state is
// left where numpy would leave it. Rows a chunk at a time, so that the
// values need O(chunk) memory.
inline void add_scaled_normals(double* x, index_t n, index_t p, const double* c, const NumpyNormalState& state,
                               const Ctx& ctx) {
    NumpyNormal normal(state);
    const index_t rows = std::max<index_t>(1, (index_t(1) << 16) / std::max<index_t>(p, 1));
    std::vector<double> g(static_cast<size_t>(std::min<index_t>(rows, n) * p));
    for (index_t r0 = 0; r0 < n; r0 += rows) {
        const index_t m = std::min(rows, n - r0);
        normal.fill(g.data(), m * p, ctx);
        parallel_blocks(p, 1, ctx, [&](index_t j, index_t, index_t) {
            double* col = x + j * n + r0;
            const double cj = c[j];
            for (index_t r = 0; r < m; ++r) col[r] += cj * g[static_cast<size_t>(r * p + j)];
        });
        poll_interrupt(ctx);
    }
    normal.save();
}

}  // namespace fastmi
