// The one k-nearest result set of every neighbour search (nanoflann's
// KNNResultSet idea): the k smallest distances offered so far, ascending.
#pragma once

#include <algorithm>
#include <limits>
#include <vector>

namespace fastmi {

// K > 0 fixes k = K at compile time: a branch-free insertion that any
// distance may be offered to. K == 0 takes k at run time: an insertion
// sort, whose first k offers only fill; from k = kHeapFrom on, the first k
// gathered unsorted, then a max-heap, where each offer costs O(log k)
// instead of O(k) (k close to n: quadratic time rather than cubic). The
// k-th smallest is the same either way.
template <int K = 0>
class KBest {
public:
    explicit KBest(int k) : k_(K > 0 ? K : k) {
        if (K == 0) dyn_.resize(static_cast<size_t>(k_));
        reset();
    }

    // Forget every distance (start the next query).
    void reset() {
        if constexpr (K > 0) {
            for (int c = 0; c < K; ++c) fixed_[c] = kInf;
        } else {
            found_ = 0;
            kth_ = kInf;
        }
    }

    // The k-th smallest distance offered, +inf while fewer than k were.
    double kth() const {
        if constexpr (K > 0) return fixed_[K - 1];
        else return kth_;
    }

    void offer(double v) {
        if constexpr (K > 0) {
            for (int c = 0; c < K - 1; ++c) {
                const double lo = std::min(fixed_[c], v);
                v = std::max(fixed_[c], v);
                fixed_[c] = lo;
            }
            fixed_[K - 1] = std::min(fixed_[K - 1], v);
        } else {
            if (!(v < kth_)) return;
            double* d = dyn_.data();
            if (k_ >= kHeapFrom) {
                if (found_ < k_) {
                    d[found_++] = v;
                    if (found_ == k_) std::make_heap(d, d + k_);
                } else {
                    std::pop_heap(d, d + k_);
                    d[k_ - 1] = v;
                    std::push_heap(d, d + k_);
                }
                if (found_ == k_) kth_ = d[0];
                return;
            }
            int pos = found_ < k_ ? found_++ : k_ - 1;
            while (pos > 0 && d[pos - 1] > v) {
                d[pos] = d[pos - 1];
                --pos;
            }
            d[pos] = v;
            if (found_ == k_) kth_ = d[k_ - 1];
        }
    }

private:
    static constexpr double kInf = std::numeric_limits<double>::infinity();
    static constexpr int kHeapFrom = 64;

    int k_;
    double fixed_[K > 0 ? K : 1];
    std::vector<double> dyn_;
    int found_ = 0;
    double kth_ = kInf;
};

}  // namespace fastmi
