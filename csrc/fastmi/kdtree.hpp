// A KD-tree over d-dimensional points, any metric policy from metric.hpp.
// The points are copied once into tree order (rows contiguous), nodes keep
// tight bounding boxes, and every query is const, so queries run from many
// threads at once. Two queries serve the KSG family of estimators:
//   knn_self(p, k)      reduced distance from stored point p to its k-th
//                       nearest neighbour, p itself excluded, duplicates counted;
//   count_within(q, r)  number of stored points at reduced distance <= r.
#pragma once

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "common.hpp"
#include "points.hpp"

namespace fastmi {

template <class Metric>
class KDTree {
public:
    struct Node {
        index_t start, end;  // rows [start, end) in tree order
        index_t left, right; // children, -1 for a leaf
    };

    KDTree(const Columns& cols, const Ctx& ctx, index_t leaf_size = 12)
        : n_(cols.n), d_(cols.d()), leaf_(std::max<index_t>(leaf_size, 1)) {
        pts_.resize(static_cast<size_t>(n_) * d_);
        idx_.resize(static_cast<size_t>(n_));
        parallel_blocks(n_, 1 << 15, ctx, [&](index_t, index_t s, index_t e) {
            for (index_t i = s; i < e; ++i) {
                idx_[i] = i;
                for (int c = 0; c < d_; ++c) pts_[i * d_ + c] = cols.at(i, c);
            }
        });
        nodes_.reserve(static_cast<size_t>(2 * (n_ / leaf_ + 1)));
        box_.reserve(static_cast<size_t>(2 * (n_ / leaf_ + 1)) * 2 * d_);
        if (n_ > 0) build(ctx);
    }

    index_t size() const { return n_; }
    int dim() const { return d_; }
    const double* point(index_t p) const { return &pts_[static_cast<size_t>(p) * d_]; }
    index_t original(index_t p) const { return idx_[p]; }

    // k-th smallest reduced distance from stored point p to the other points.
    // `best` is caller scratch of size k, `stack` caller scratch.
    double knn_self(index_t p, int k, double* best, std::vector<std::pair<index_t, double>>& stack) const {
        const double* q = point(p);
        int found = 0;
        double kth = std::numeric_limits<double>::infinity();
        stack.clear();
        stack.emplace_back(0, 0.0);
        while (!stack.empty()) {
            const auto [ni, lb] = stack.back();
            stack.pop_back();
            if (lb >= kth) continue;
            const Node& nd = nodes_[ni];
            if (nd.left < 0) {
                for (index_t j = nd.start; j < nd.end; ++j) {
                    if (j == p) continue;
                    const double dist = Metric::point(q, point(j), d_);
                    if (dist >= kth) continue;
                    // insert into the sorted list of the best distances
                    int pos = found < k ? found++ : k - 1;
                    while (pos > 0 && best[pos - 1] > dist) {
                        best[pos] = best[pos - 1];
                        --pos;
                    }
                    best[pos] = dist;
                    if (found == k) {
                        kth = best[k - 1];
                        if (kth == 0.0) return 0.0;  // cannot get closer
                    }
                }
                continue;
            }
            const double dl = Metric::box_min(q, lo(nd.left), hi(nd.left), d_);
            const double dr = Metric::box_min(q, lo(nd.right), hi(nd.right), d_);
            if (dl <= dr) {
                if (dr < kth) stack.emplace_back(nd.right, dr);
                if (dl < kth) stack.emplace_back(nd.left, dl);
            } else {
                if (dl < kth) stack.emplace_back(nd.left, dl);
                if (dr < kth) stack.emplace_back(nd.right, dr);
            }
        }
        return kth;
    }

    // Number of stored points (the query's own copy included, if stored)
    // at reduced distance <= r from q.
    index_t count_within(const double* q, double r, std::vector<index_t>& stack) const {
        index_t count = 0;
        stack.clear();
        stack.push_back(0);
        while (!stack.empty()) {
            const index_t ni = stack.back();
            stack.pop_back();
            const Node& nd = nodes_[ni];
            if (Metric::box_min(q, lo(ni), hi(ni), d_) > r) continue;
            if (Metric::box_max(q, lo(ni), hi(ni), d_) <= r) {
                count += nd.end - nd.start;
                continue;
            }
            if (nd.left < 0) {
                for (index_t j = nd.start; j < nd.end; ++j)
                    count += Metric::point(q, point(j), d_) <= r;
                continue;
            }
            stack.push_back(nd.right);
            stack.push_back(nd.left);
        }
        return count;
    }

private:
    const double* lo(index_t ni) const { return &box_[static_cast<size_t>(ni) * 2 * d_]; }
    const double* hi(index_t ni) const { return &box_[static_cast<size_t>(ni) * 2 * d_ + d_]; }

    index_t new_node(index_t s, index_t e) {
        nodes_.push_back(Node{s, e, -1, -1});
        box_.resize(box_.size() + 2 * static_cast<size_t>(d_));
        double* l = &box_[box_.size() - 2 * d_];
        double* h = l + d_;
        for (int c = 0; c < d_; ++c) l[c] = h[c] = pts_[s * d_ + c];
        for (index_t i = s + 1; i < e; ++i)
            for (int c = 0; c < d_; ++c) {
                const double v = pts_[i * d_ + c];
                l[c] = v < l[c] ? v : l[c];
                h[c] = v > h[c] ? v : h[c];
            }
        return static_cast<index_t>(nodes_.size()) - 1;
    }

    void swap_rows(index_t a, index_t b) {
        for (int c = 0; c < d_; ++c) std::swap(pts_[a * d_ + c], pts_[b * d_ + c]);
        std::swap(idx_[a], idx_[b]);
    }

    // Rows with coordinate c < v first; returns the first row with >= v.
    index_t partition_lt(index_t s, index_t e, int c, double v) {
        index_t i = s, j = e - 1;
        while (true) {
            while (i <= j && pts_[i * d_ + c] < v) ++i;
            while (i <= j && !(pts_[j * d_ + c] < v)) --j;
            if (i >= j) break;
            swap_rows(i, j);
            ++i;
            --j;
        }
        return i;
    }

    // Places the row of rank m (by coordinate c) at m, smaller before, larger after.
    void select(index_t s, index_t e, index_t m, int c) {
        while (e - s > 1) {
            const double a = pts_[s * d_ + c], b = pts_[(s + (e - s) / 2) * d_ + c], z = pts_[(e - 1) * d_ + c];
            const double pivot = std::max(std::min(a, b), std::min(std::max(a, b), z));
            // three-way split: [s, lt) < pivot, [lt, gt) == pivot, [gt, e) > pivot
            index_t lt = s, i = s, gt = e;
            while (i < gt) {
                const double v = pts_[i * d_ + c];
                if (v < pivot) swap_rows(lt++, i++);
                else if (v > pivot) swap_rows(i, --gt);
                else ++i;
            }
            if (m < lt) e = lt;
            else if (m >= gt) s = gt;
            else return;
        }
    }

    void build(const Ctx& ctx) {
        std::vector<index_t> todo{new_node(0, n_)};
        index_t done = 0;
        while (!todo.empty()) {
            const index_t ni = todo.back();
            todo.pop_back();
            const index_t s = nodes_[ni].start, e = nodes_[ni].end;
            if ((done += e - s) > (index_t(1) << 22)) {
                done = 0;
                poll_interrupt(ctx);
            }
            if (e - s <= leaf_) continue;
            int c = 0;
            double width = -1.0;
            for (int k = 0; k < d_; ++k) {
                const double w = hi(ni)[k] - lo(ni)[k];
                if (w > width) { width = w; c = k; }
            }
            if (!(width > 0.0)) continue;  // all points identical: one leaf
            const double l = lo(ni)[c], h = hi(ni)[c];
            double mid = 0.5 * l + 0.5 * h;
            if (!(mid > l)) mid = h;
            index_t m = partition_lt(s, e, c, mid);
            const index_t small = std::min(m - s, e - m);
            if (small < (e - s) / 8) {
                // midpoint split too lopsided: split at the median instead
                m = s + (e - s) / 2;
                select(s, e, m, c);
            }
            const index_t left = new_node(s, m);
            const index_t right = new_node(m, e);
            nodes_[ni].left = left;
            nodes_[ni].right = right;
            todo.push_back(right);
            todo.push_back(left);
        }
    }

    index_t n_;
    int d_;
    index_t leaf_;
    std::vector<double> pts_;
    std::vector<index_t> idx_;
    std::vector<Node> nodes_;
    std::vector<double> box_;
};

}  // namespace fastmi
