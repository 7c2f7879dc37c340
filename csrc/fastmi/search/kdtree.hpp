// A KD-tree over d-dimensional points, any metric from runtime/metric.hpp.
// The points are copied once into tree order (rows contiguous), nodes keep
// tight bounding boxes and parent links, and every query is const, so
// queries run from many threads at once. Two queries serve the KSG family:
//   knn_self(p, leaf, best)  reduced distance from stored point p to its k-th
//                            nearest neighbour, p itself excluded, duplicates
//                            counted;
//   count_self(p, leaf, r)   number of stored points within reduced distance
//                            <= r of stored point p (p included);
//   for_each_self(p, leaf, r, f)  f(j) for every other stored point within
//                            reduced distance <= r of stored point p.
// Each leaf's points are also stored column by column, scanned in vector
// loops (leaf_block.hpp).
// Self queries start at the point's own leaf and climb only as far as the
// query ball reaches, so most of them never touch the upper tree.
// Splits: the midpoint of the widest side, or the median when the midpoint
// would be lopsided. The shape of the tree never depends on the thread count.
// tree_knn_radius and tree_counts_on run a query for every stored point.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "fastmi/runtime/columns.hpp"
#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/leaf_block.hpp"
#include "fastmi/search/result_set.hpp"

namespace fastmi {

// D > 0 fixes the dimension at compile time (loops unrolled); D == 0 reads
// it from the data.
template <class Norm, int D = 0>
class KDTree {
public:
    struct Node {
        index_t start, end;   // rows [start, end) in tree order
        index_t left;         // first child (the second is left + 1), -1 for a leaf
        index_t parent;       // -1 for the root
    };

    // Leaf size 0 picks one by dimension: scanning a leaf is cheap next to
    // walking the tree, and more so the more dimensions there are.
    KDTree(const Columns& cols, const Ctx& ctx, index_t leaf_size = 0)
        : n_(cols.n), d_(D > 0 ? D : cols.d()),
          leaf_(leaf_size > 0 ? leaf_size : index_t(16) << std::min((std::max(d_, 2) - 2) / 2, 3)) {
        pts_.resize(static_cast<size_t>(n_) * d_);
        idx_.resize(static_cast<size_t>(n_));
        parallel_blocks(n_, 1 << 15, ctx, [&](index_t, index_t s, index_t e) {
            for (index_t i = s; i < e; ++i) {
                idx_[i] = i;
                for (int c = 0; c < d_; ++c) pts_[i * d_ + c] = cols.at(i, c);
            }
        });
        if (n_ > 0) build(ctx);
        // every leaf's points again, column by column (leaf_block.hpp)
        block_.resize(pts_.size());
        parallel_blocks(static_cast<index_t>(leaves_.size()), 256, ctx, [&](index_t, index_t s, index_t e) {
            for (index_t l = s; l < e; ++l) {
                const index_t first = nodes_[leaves_[l]].start, len = nodes_[leaves_[l]].end - first;
                double* out = &block_[static_cast<size_t>(first) * d_];
                for (index_t j = 0; j < len; ++j)
                    for (int c = 0; c < d_; ++c) out[c * len + j] = pts_[(first + j) * d_ + c];
            }
        });
    }

    int dim() const { return D > 0 ? D : d_; }
    const double* point(index_t p) const { return &pts_[static_cast<size_t>(p) * dim()]; }
    index_t original(index_t p) const { return idx_[p]; }
    // Leaves in tree order: leaf j holds rows [start, end) of node leaves()[j].
    const std::vector<index_t>& leaves() const { return leaves_; }
    const Node& node(index_t i) const { return nodes_[i]; }

    using Stack = std::vector<std::pair<index_t, double>>;

    // k-th smallest reduced distance from stored point p (in leaf `leaf`) to
    // the other points; `best` (of k entries) is the caller's scratch. work
    // grows by the number of points looked at.
    double knn_self(index_t p, index_t leaf, KBest<>& best, Stack& stack, std::int64_t& work) const {
        const double* q = point(p);
        best.reset();
        scan(q, p, nodes_[leaf], best, work);
        index_t at = leaf;
        while (at != 0 && best.kth() > 0.0) {
            // (an incomplete set has kth() == inf: never inside)
            if (Norm::ball_inside(q, lo(at), hi(at), dim(), best.kth())) break;
            const Node& parent = nodes_[nodes_[at].parent];
            const index_t sib = parent.left == at ? parent.left + 1 : parent.left;
            search(q, p, sib, best, stack, work);
            at = nodes_[at].parent;
        }
        return best.kth();
    }

    // Number of stored points within reduced distance r of stored point p;
    // work grows by the number of nodes and points looked at.
    index_t count_self(index_t p, index_t leaf, double r, std::vector<index_t>& stack, std::int64_t& work) const {
        const double* q = point(p);
        const double reach = std::nextafter(r, std::numeric_limits<double>::infinity());
        index_t at = leaf;
        while (at != 0 && !Norm::ball_inside(q, lo(at), hi(at), dim(), reach)) at = nodes_[at].parent;
        return count_from(q, r, at, stack, work);
    }

    // Calls f(j) for every stored point j != p at reduced distance <= r from
    // stored point p (in leaf `leaf`), climbing from the leaf like
    // count_self; work grows by the number of nodes and points looked at.
    template <class F>
    void for_each_self(index_t p, index_t leaf, double r, std::vector<index_t>& stack, std::int64_t& work,
                       F&& f) const {
        const double* q = point(p);
        const double reach = std::nextafter(r, std::numeric_limits<double>::infinity());
        index_t at = leaf;
        while (at != 0 && !Norm::ball_inside(q, lo(at), hi(at), dim(), reach)) at = nodes_[at].parent;
        stack.clear();
        stack.push_back(at);
        while (!stack.empty()) {
            const index_t ni = stack.back();
            stack.pop_back();
            const Node& nd = nodes_[ni];
            ++work;
            if (Norm::box_min(q, lo(ni), hi(ni), dim()) > r) continue;
            if (nd.left < 0) {
                for (index_t j = nd.start; j < nd.end; ++j)
                    if (j != p && Norm::point(q, point(j), dim()) <= r) f(j);
                work += nd.end - nd.start;
                continue;
            }
            stack.push_back(nd.left + 1);
            stack.push_back(nd.left);
        }
    }

private:
    const double* block(const Node& nd) const { return &block_[static_cast<size_t>(nd.start) * dim()]; }

    void scan(const double* q, index_t self, const Node& nd, KBest<>& best, std::int64_t& work) const {
        const index_t len = nd.end - nd.start;
        work += len;
        double m[kBlockChunk];
        for (index_t j0 = 0; j0 < len; j0 += kBlockChunk) {
            const index_t e = std::min(len - j0, kBlockChunk);
            block_distances<Norm, D>(q, block(nd), len, dim(), j0, e, m);
            for (index_t j = 0; j < e; ++j) {
                if (m[j] < best.kth() && nd.start + j0 + j != self) {
                    best.offer(m[j]);
                    if (best.kth() == 0.0) return;  // cannot get closer
                }
            }
        }
    }

    void search(const double* q, index_t self, index_t root, KBest<>& best, Stack& stack, std::int64_t& work) const {
        const double d0 = Norm::box_min(q, lo(root), hi(root), dim());
        if (d0 >= best.kth()) return;
        stack.clear();
        stack.emplace_back(root, d0);
        while (!stack.empty()) {
            const auto [ni, bound] = stack.back();
            stack.pop_back();
            if (bound >= best.kth()) continue;
            const Node& nd = nodes_[ni];
            if (nd.left < 0) {
                scan(q, self, nd, best, work);
                if (best.kth() == 0.0) return;
                continue;
            }
            const double dl = Norm::box_min(q, lo(nd.left), hi(nd.left), dim());
            const double dr = Norm::box_min(q, lo((nd.left + 1)), hi((nd.left + 1)), dim());
            if (dl <= dr) {
                if (dr < best.kth()) stack.emplace_back((nd.left + 1), dr);
                if (dl < best.kth()) stack.emplace_back(nd.left, dl);
            } else {
                if (dl < best.kth()) stack.emplace_back(nd.left, dl);
                if (dr < best.kth()) stack.emplace_back((nd.left + 1), dr);
            }
        }
    }

    index_t count_from(const double* q, double r, index_t root, std::vector<index_t>& stack, std::int64_t& work) const {
        index_t count = 0;
        stack.clear();
        stack.push_back(root);
        while (!stack.empty()) {
            const index_t ni = stack.back();
            stack.pop_back();
            const Node& nd = nodes_[ni];
            ++work;
            if (Norm::box_min(q, lo(ni), hi(ni), dim()) > r) continue;
            if (Norm::box_max(q, lo(ni), hi(ni), dim()) <= r) {
                count += nd.end - nd.start;
                continue;
            }
            if (nd.left < 0) {
                count += block_count<Norm, D>(q, r, block(nd), nd.end - nd.start, dim());
                work += nd.end - nd.start;
                continue;
            }
            stack.push_back((nd.left + 1));
            stack.push_back(nd.left);
        }
        return count;
    }

    const double* lo(index_t ni) const { return &box_[static_cast<size_t>(ni) * 2 * dim()]; }
    const double* hi(index_t ni) const { return &box_[static_cast<size_t>(ni) * 2 * dim() + dim()]; }

    // A growing piece of the tree: the whole tree, or one subtree built by
    // one thread and spliced in afterwards.
    struct Part {
        std::vector<Node> nodes;
        std::vector<double> box;
    };

    // Appends a node; its box is `box` (lo then hi) when given, else computed.
    index_t add_node(Part& part, index_t s, index_t e, index_t parent, const double* box = nullptr) const {
        part.nodes.push_back(Node{s, e, -1, parent});
        const size_t at = part.box.size();
        part.box.resize(at + 2 * static_cast<size_t>(dim()));
        double* l = &part.box[at];
        double* h = l + dim();
        if (box != nullptr) {
            std::copy(box, box + 2 * dim(), l);
            return static_cast<index_t>(part.nodes.size()) - 1;
        }
        for (int c = 0; c < dim(); ++c) l[c] = h[c] = pts_[s * dim() + c];
        for (index_t i = s + 1; i < e; ++i) {
            const double* row = &pts_[i * dim()];
            for (int c = 0; c < dim(); ++c) {
                l[c] = row[c] < l[c] ? row[c] : l[c];
                h[c] = row[c] > h[c] ? row[c] : h[c];
            }
        }
        return static_cast<index_t>(part.nodes.size()) - 1;
    }

    void swap_rows(index_t a, index_t b) {
        for (int c = 0; c < dim(); ++c) std::swap(pts_[a * dim() + c], pts_[b * dim() + c]);
        std::swap(idx_[a], idx_[b]);
    }

    // Rows with coordinate c < v first; returns the first row with >= v.
    // Each row is classified exactly once, so the bounding boxes of both
    // sides are gathered on the way (lbox, rbox: lo[dim] then hi[dim]).
    index_t partition_lt(index_t s, index_t e, int c, double v, double* lbox, double* rbox) {
        const int d = dim();
        double* rows = pts_.data();
        for (int j = 0; j < d; ++j) {
            lbox[j] = rbox[j] = std::numeric_limits<double>::infinity();
            lbox[d + j] = rbox[d + j] = -std::numeric_limits<double>::infinity();
        }
        auto grow_box = [d](double* box, const double* row) {
            for (int j = 0; j < d; ++j) {
                box[j] = row[j] < box[j] ? row[j] : box[j];
                box[d + j] = row[j] > box[d + j] ? row[j] : box[d + j];
            }
        };
        index_t i = s, j = e - 1;
        while (true) {
            while (i <= j && rows[i * d + c] < v) grow_box(lbox, &rows[i++ * d]);
            while (i <= j && !(rows[j * d + c] < v)) grow_box(rbox, &rows[j-- * d]);
            if (i >= j) break;
            swap_rows(i, j);
            grow_box(lbox, &rows[i++ * d]);
            grow_box(rbox, &rows[j-- * d]);
        }
        return i;
    }

    // Places the row of rank m (by coordinate c) at m, smaller before, larger after.
    void select(index_t s, index_t e, index_t m, int c) {
        while (e - s > 1) {
            const double a = pts_[s * dim() + c], b = pts_[(s + (e - s) / 2) * dim() + c], z = pts_[(e - 1) * dim() + c];
            const double pivot = std::max(std::min(a, b), std::min(std::max(a, b), z));
            index_t lt = s, i = s, gt = e;  // [s,lt) < pivot, [lt,gt) == pivot, [gt,e) > pivot
            while (i < gt) {
                const double v = pts_[i * dim() + c];
                if (v < pivot) {
                    if (lt != i) swap_rows(lt, i);
                    ++lt;
                    ++i;
                }
                else if (v > pivot) swap_rows(i, --gt);
                else ++i;
            }
            if (m < lt) e = lt;
            else if (m >= gt) s = gt;
            else return;
        }
    }

    // Splits node ni of `part` in two; false when it stays a leaf.
    bool split(Part& part, index_t ni) {
        const index_t s = part.nodes[ni].start, e = part.nodes[ni].end;
        if (e - s <= leaf_) return false;
        const double* l = &part.box[static_cast<size_t>(ni) * 2 * dim()];
        const double* h = l + dim();
        int c = 0;
        double width = -1.0;
        for (int j = 0; j < dim(); ++j)
            if (h[j] - l[j] > width) { width = h[j] - l[j]; c = j; }
        if (!(width > 0.0)) return false;  // all points identical: one leaf
        double mid = 0.5 * l[c] + 0.5 * h[c];
        if (!(mid > l[c])) mid = h[c];
        double lbox[2 * (D > 0 ? D : 1)], rbox[2 * (D > 0 ? D : 1)];
        std::vector<double> dyn;
        double* lb = lbox;
        double* rb = rbox;
        if (D == 0) {
            dyn.resize(4 * static_cast<size_t>(dim()));
            lb = dyn.data();
            rb = lb + 2 * dim();
        }
        index_t m = partition_lt(s, e, c, mid, lb, rb);
        bool boxes = true;
        if (std::min(m - s, e - m) < (e - s) / 8) {
            m = s + (e - s) / 2;  // lopsided: split at the median instead
            select(s, e, m, c);
            boxes = false;
        }
        const index_t a = add_node(part, s, m, ni, boxes ? lb : nullptr);
        const index_t b = add_node(part, m, e, ni, boxes ? rb : nullptr);
        part.nodes[ni].left = a;
        (void)b;  // b == a + 1
        return true;
    }

    void grow(Part& part, index_t root, const Ctx& ctx) {
        std::vector<index_t> todo{root};
        index_t work = 0;
        while (!todo.empty()) {
            const index_t ni = todo.back();
            todo.pop_back();
            if ((work += part.nodes[ni].end - part.nodes[ni].start) > (index_t(1) << 22)) {
                work = 0;
                poll_interrupt(ctx);
            }
            if (split(part, ni)) {
                todo.push_back(part.nodes[ni].left + 1);
                todo.push_back(part.nodes[ni].left);
            }
        }
    }

    void build(const Ctx& ctx) {
        Part top;
        top.nodes.reserve(64);
        add_node(top, 0, n_, -1);
        // The first levels are split here; below them, subtrees are grown
        // independently (in parallel) and spliced in, in a fixed order.
        std::vector<index_t> frontier{0};
        for (int level = 0; level < 5 && n_ > (index_t(1) << 14); ++level) {
            std::vector<index_t> next;
            for (index_t ni : frontier) {
                if (split(top, ni)) {
                    next.push_back(top.nodes[ni].left);
                    next.push_back(top.nodes[ni].left + 1);
                }
            }
            frontier.swap(next);
            poll_interrupt(ctx);
        }
        std::vector<Part> parts(frontier.size());
        parallel_blocks(static_cast<index_t>(frontier.size()), 1, ctx, [&](index_t f, index_t, index_t) {
            Part& part = parts[f];
            const Node& root = top.nodes[frontier[f]];
            part.nodes.reserve(static_cast<size_t>(2 * ((root.end - root.start) / leaf_ + 1)));
            add_node(part, root.start, root.end, -1);
            grow(part, 0, ctx);
        });
        // Splice: the subtree's root is the frontier node; its other nodes
        // are appended with their indices shifted.
        size_t total = top.nodes.size();
        for (const Part& part : parts) total += part.nodes.size() - 1;
        nodes_.reserve(total);
        box_.reserve(total * 2 * static_cast<size_t>(dim()));
        nodes_.insert(nodes_.end(), top.nodes.begin(), top.nodes.end());
        box_.insert(box_.end(), top.box.begin(), top.box.end());
        for (size_t f = 0; f < frontier.size(); ++f) {
            Part& part = parts[f];
            const index_t anchor = frontier[f];
            const index_t shift = static_cast<index_t>(nodes_.size()) - 1;
            auto map = [&](index_t i) { return i < 0 ? i : (i == 0 ? anchor : i + shift); };
            nodes_[anchor].left = map(part.nodes[0].left);
            for (size_t i = 1; i < part.nodes.size(); ++i) {
                Node nd = part.nodes[i];
                nd.left = map(nd.left);
                nd.parent = map(nd.parent);
                nodes_.push_back(nd);
            }
            box_.insert(box_.end(), part.box.begin() + 2 * dim(), part.box.end());
            part = Part{};  // release as we go: the peak stays near one copy
        }
        parts.clear();
        for (index_t i = 0; i < static_cast<index_t>(nodes_.size()); ++i)
            if (nodes_[i].left < 0) leaves_.push_back(i);
        std::sort(leaves_.begin(), leaves_.end(),
                  [&](index_t a, index_t b) { return nodes_[a].start < nodes_[b].start; });
    }

    index_t n_;
    int d_;
    index_t leaf_;
    std::vector<double> pts_;    // rows in tree order
    std::vector<double> block_;  // each leaf's rows column by column
    std::vector<index_t> idx_;
    std::vector<Node> nodes_;
    std::vector<double> box_;
    std::vector<index_t> leaves_;
};

// Leaves per block of parallel_blocks in the tree drivers: small enough that
// two threads balance even when one is descheduled on a busy machine (a
// block is a few thousand points at most). No result depends on it: the
// drivers write per-sample results by index (sums follow the index order).
constexpr index_t kLeafBlock = 32;

// radius[i] = distance from sample i to its k-th nearest other sample, the
// queries run leaf by leaf. Returns how many radii are exactly zero (k or
// more exact duplicates).
template <class Norm, int D>
index_t tree_knn_radius(const Columns& cols, int k, const Ctx& ctx, double* radius) {
    const KDTree<Norm, D> tree(cols, ctx);
    const auto& leaves = tree.leaves();
    const index_t n_leaves = static_cast<index_t>(leaves.size());
    std::vector<index_t> zeros(static_cast<size_t>(n_blocks(n_leaves, kLeafBlock)), 0);
    parallel_blocks(n_leaves, kLeafBlock, ctx, [&](index_t b, index_t s, index_t e) {
        KBest<> best(k);
        typename KDTree<Norm, D>::Stack stack;
        stack.reserve(256);
        WorkPoll poll(ctx);  // k close to n: a block is a long time
        index_t z = 0;
        for (index_t l = s; l < e; ++l) {
            const auto& leaf = tree.node(leaves[l]);
            std::int64_t work = 0;
            for (index_t p = leaf.start; p < leaf.end; ++p) {
                const double r = Norm::expand(tree.knn_self(p, leaves[l], best, stack, work));
                radius[tree.original(p)] = r;
                z += r == 0.0;
            }
            poll.add(work);
        }
        zeros[b] = z;
    });
    index_t total = 0;
    for (index_t z : zeros) total += z;
    return total;
}

// Leaf size of the trees behind count queries, which reach many points:
// larger leaves (whole leaves inside the ball are counted at once, the others
// scanned in vector loops); 256 in 4-D is 8% faster than 128 (KSG 4-D x 4-D,
// n = 1e5, CPU time). The leaf size moves no bit of any estimate: the
// callers sum by sample index.
inline index_t count_leaf_size(int d) { return d <= 3 ? 64 : d == 4 ? 256 : 128; }

// sink(block, i, c_i) for every sample i of `tree`, c_i the number of other
// samples within radius[i] of it, in leaf order (a layout, not a property of
// the data: sum the c_i by i, never by block). Returns the number of blocks.
template <class Norm, int D, class Sink>
index_t tree_counts_on(const KDTree<Norm, D>& tree, const double* radius, Bound bound, const Ctx& ctx, Sink& sink) {
    const auto& leaves = tree.leaves();
    const index_t n_leaves = static_cast<index_t>(leaves.size());
    parallel_blocks(n_leaves, kLeafBlock, ctx, [&](index_t b, index_t s, index_t e) {
        std::vector<index_t> stack;
        stack.reserve(256);
        WorkPoll poll(ctx);
        for (index_t l = s; l < e; ++l) {
            const auto& leaf = tree.node(leaves[l]);
            std::int64_t work = 0;
            for (index_t p = leaf.start; p < leaf.end; ++p) {
                const index_t i = tree.original(p);
                sink(b, i, tree.count_self(p, leaves[l], Norm::reduced_radius(radius[i], bound), stack, work) - 1);
            }
            poll.add(work);
        }
    });
    return n_blocks(n_leaves, kLeafBlock);
}

}  // namespace fastmi
