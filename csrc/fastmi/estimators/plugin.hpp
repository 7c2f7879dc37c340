// Cell codes of a d-dimensional histogram with numpy.histogramdd's binning
// rules (each axis as in histogram.hpp), for the plug-in (binned) entropy
// and conditional mutual information: the caller counts the codes.
#pragma once

#include <cstdint>
#include <vector>

#include "fastmi/estimators/binned.hpp"
#include "fastmi/runtime/columns.hpp"
#include "fastmi/runtime/parallel.hpp"

namespace fastmi {

// codes[i] = the row-major index of sample i's cell (axes[0] slowest), or -1
// when the sample lies outside some axis's edges (numpy leaves it out). The
// caller guarantees that the product of the bin counts fits an int64.
inline void joint_bin_codes(const Columns& cols, const std::vector<Axis>& axes, const Ctx& ctx, std::int64_t* codes) {
    parallel_blocks(cols.n, 1 << 15, ctx, [&](index_t, index_t s, index_t e) {
        for (index_t i = s; i < e; ++i) {
            std::int64_t code = 0;
            for (int c = 0; c < cols.d(); ++c) {
                const index_t b = axes[c].bin(cols.at(i, c));
                if (b < 0) {
                    code = -1;
                    break;
                }
                code = code * axes[c].nbins() + b;
            }
            codes[i] = code;
        }
    });
}

}  // namespace fastmi
