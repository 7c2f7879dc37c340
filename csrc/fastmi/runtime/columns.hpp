// A read-only view of d coordinates of n samples, each coordinate a strided
// column of some caller-owned array: the kernels never require the caller
// to concatenate x, y (or z) into one matrix.
#pragma once

#include <vector>

#include "fastmi/runtime/parallel.hpp"

namespace fastmi {

struct Columns {
    index_t n = 0;
    std::vector<const double*> ptr;
    std::vector<index_t> stride;

    int d() const { return static_cast<int>(ptr.size()); }
    double at(index_t i, int c) const { return ptr[c][i * stride[c]]; }
    // A single column with stride 1: a plain array.
    bool is_plain_1d() const { return d() == 1 && stride[0] == 1; }

    // Appends the dcols columns of a C-contiguous (n, dcols) block.
    void add_block(const double* data, int dcols) {
        for (int c = 0; c < dcols; ++c) {
            ptr.push_back(data + c);
            stride.push_back(dcols);
        }
    }
    static Columns of(const double* data, index_t n, int dcols) {
        Columns cs;
        cs.n = n;
        cs.add_block(data, dcols);
        return cs;
    }
    // The coordinates of a followed by those of b (the joint space).
    static Columns joined(const Columns& a, const Columns& b) {
        Columns cs = a;
        cs.ptr.insert(cs.ptr.end(), b.ptr.begin(), b.ptr.end());
        cs.stride.insert(cs.stride.end(), b.stride.begin(), b.stride.end());
        return cs;
    }
};

}  // namespace fastmi
