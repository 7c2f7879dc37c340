// The one thread policy of the fastmi kernels and the plumbing around it:
// index type, the context every kernel takes (threads, Ctrl-C check),
// exception-safe parallel loops over fixed blocks, invariant checks.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define FASTMI_FORK_GUARD 1
#endif
#endif

// For the few small functions (and lambdas) on the innermost loops that the
// compiler would otherwise leave out of line (a call per sample).
#if defined(__GNUC__) || defined(__clang__)
#define FASTMI_INLINE inline __attribute__((always_inline))
#define FASTMI_INLINE_LAMBDA __attribute__((always_inline))
#elif defined(_MSC_VER)
#define FASTMI_INLINE __forceinline
#define FASTMI_INLINE_LAMBDA
#else
#define FASTMI_INLINE inline
#define FASTMI_INLINE_LAMBDA
#endif

namespace fastmi {

using index_t = std::int64_t;

// An invariant that Python's validation guarantees: failing it is a bug in
// fastmi, reported as RuntimeError (std::logic_error), never undefined behaviour.
inline void check_invariant(bool ok, const char* what) {
    if (!ok) throw std::logic_error(what);
}

// Returns nonzero when the caller wants the computation abandoned (Ctrl-C).
// It is only ever called from the thread that entered the kernel.
using InterruptFn = int (*)();

// Thrown when InterruptFn asked to stop; the binding turns it into the
// Python exception that the interrupt check has already set.
struct Interrupted : std::runtime_error {
    Interrupted() : std::runtime_error("fastmi: interrupted") {}
};

inline bool have_openmp() {
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
}

inline int thread_id() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

// A process forked from one that had loaded this module runs every kernel on
// the calling thread alone: GNU OpenMP's thread pool does not survive fork
// (the child would wait forever for the parent's pool threads), and results
// do not depend on the thread count. Set by a pthread_atfork child handler
// registered when the module is loaded.
inline std::atomic<bool> forked_child{false};

#ifdef FASTMI_FORK_GUARD
inline void on_fork_child() { forked_child.store(true, std::memory_order_relaxed); }
inline const bool fork_guard_registered = pthread_atfork(nullptr, nullptr, on_fork_child) == 0;
#endif

inline bool in_forked_child() { return forked_child.load(std::memory_order_relaxed); }

// n_threads <= 0 means "the OpenMP default"; always 1 in a forked child.
inline int resolve_threads(int n_threads) {
    if (!have_openmp() || in_forked_child()) return 1;
#ifdef _OPENMP
    return n_threads > 0 ? n_threads : omp_get_max_threads();
#else
    return 1;
#endif
}

// Work per thread below which waking another thread costs more than it
// saves, and far more on a busy machine, where an OpenMP barrier may wait for
// a descheduled thread.
struct Grain {
    static constexpr index_t scan = index_t(1) << 16;      // histogram and range passes, per sample
    static constexpr index_t tree = index_t(1) << 13;      // neighbour searches, per sample
    static constexpr index_t values = index_t(1) << 15;    // scikit-learn drop-ins (estimates, noise), per sample-value
};

// The first pass of a search that gives way to the KD-tree when it costs
// too much (the slab grid's rows, the strips): one item in `stride` of
// [0, total), spread evenly and away from both ends (where heavy tails
// put the costliest items): item (2j + 1) total / (2m) for j < m =
// ceil(total / stride), ascending and distinct.
inline std::vector<index_t> spread_sample(index_t total, index_t stride) {
    const index_t m = (total + stride - 1) / stride;
    std::vector<index_t> at(static_cast<size_t>(m));
    for (index_t j = 0; j < m; ++j) at[static_cast<size_t>(j)] = (2 * j + 1) * total / (2 * m);
    return at;
}

// What every kernel takes: its threads and the Ctrl-C check.
struct Ctx {
    int n_threads = 1;
    InterruptFn check = nullptr;
    // Only the thread that entered the kernel may poll (it holds the
    // interpreter's thread state).
    std::thread::id owner{};
    // Set by the entering thread once it has seen an interrupt, so that the
    // other threads leave their blocks too; shared by copies of the Ctx.
    std::shared_ptr<std::atomic<bool>> cancelled;

    // The thread policy: the caller's n_threads (<= 0: OpenMP's default; 1
    // in a forked child), at most one per `grain` items of `work`. Results
    // never depend on it.
    static Ctx make(int n_threads, InterruptFn check, index_t work, index_t grain) {
        Ctx c;
        const index_t useful = std::max<index_t>(1, work / grain);
        c.n_threads = static_cast<int>(std::min<index_t>(resolve_threads(n_threads), useful));
        c.check = check;
        c.owner = std::this_thread::get_id();
        c.cancelled = check ? std::make_shared<std::atomic<bool>>(false) : nullptr;
        return c;
    }

    // The same context on at most `most` threads (at least one).
    Ctx capped(index_t most) const {
        Ctx c = *this;
        c.n_threads = static_cast<int>(std::max<index_t>(1, std::min<index_t>(n_threads, most)));
        return c;
    }
};

// On the entering thread: asks whether to stop (Ctrl-C). On the others:
// whether the entering thread has been asked to.
inline void poll_interrupt(const Ctx& ctx) {
    if (!ctx.check) return;
    if (std::this_thread::get_id() == ctx.owner) {
        if (ctx.check()) {
            ctx.cancelled->store(true, std::memory_order_relaxed);
            throw Interrupted();
        }
    } else if (ctx.cancelled->load(std::memory_order_relaxed)) {
        throw Interrupted();
    }
}

// Units of work (a point looked at, a count taken, an item placed: from a
// few to a few tens of nanoseconds each) between two polls inside a long
// loop: milliseconds, never near a second.
constexpr std::int64_t kPollWork = std::int64_t(1) << 20;

// Polls once per kPollWork units of work added, so that the time between two
// polls is set by the work done, not by a number of queries whose cost
// varies with k and the data. One per loop and thread.
class WorkPoll {
public:
    explicit WorkPoll(const Ctx& ctx) : ctx_(ctx) {}
    FASTMI_INLINE void add(std::int64_t work) {
        if ((left_ -= work) < 0) {
            left_ = kPollWork;
            poll_interrupt(ctx_);
        }
    }

private:
    const Ctx& ctx_;
    std::int64_t left_ = kPollWork;
};

// Items between two polls of for_polled.
constexpr index_t kPollChunk = index_t(1) << 16;

// Calls f(i) for i in [0, n), polling between chunks of kPollChunk items.
template <class F>
void for_polled(index_t n, WorkPoll& poll, F&& f) {
    for (index_t i0 = 0; i0 < n; i0 += kPollChunk) {
        const index_t i1 = std::min(n, i0 + kPollChunk);
        for (index_t i = i0; i < i1; ++i) f(i);
        poll.add(i1 - i0);
    }
}

// Records the first exception raised on any thread so that none escapes an
// OpenMP region; rethrown by the caller once the region has ended.
class ExceptionTrap {
public:
    template <class F>
    void run(F&& f) noexcept {
        try {
            f();
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!error_) error_ = std::current_exception();
            failed_.store(true, std::memory_order_relaxed);
        }
    }
    bool failed() const { return failed_.load(std::memory_order_relaxed); }
    void rethrow() {
        if (error_) std::rethrow_exception(error_);
    }

private:
    std::mutex mutex_;
    std::exception_ptr error_;
    std::atomic<bool> failed_{false};
};

inline index_t n_blocks(index_t n, index_t block) { return (n + block - 1) / block; }

// The threads parallel_blocks(n, block, ctx, ...) runs on: at most one per
// block, one in a forked child. With one, the blocks run on the calling
// thread, outside any team of parallel_blocks' own.
inline int block_threads(index_t n, index_t block, const Ctx& ctx) {
    return in_forked_child() ? 1 : static_cast<int>(std::min<index_t>(ctx.n_threads, n_blocks(n, block)));
}

// The slot of the calling thread in per-thread storage sized block_threads(n,
// block, ctx), inside a body of that parallel_blocks call: its number in the
// team, or 0 when the blocks run on the calling thread. (omp_get_thread_num()
// there is the caller's number in an outer team, run_tasks' for one: the
// binned pairs of pairwise_mi read past a table list sized 1 with it.)
inline size_t block_slot(index_t n, index_t block, const Ctx& ctx) {
    return block_threads(n, block, ctx) > 1 ? static_cast<size_t>(thread_id()) : 0;
}

// Runs body(block, begin, end) for every block of `block` consecutive items
// in [0, n). Block boundaries do not depend on the thread count, so results
// stored per block and combined in block order are bit-identical for any
// number of threads. Every thread polls for interrupts between blocks
// (poll_interrupt); bodies whose blocks can take long poll inside too
// (WorkPoll). On one thread no OpenMP region is entered (see forked_child).
template <class Body>
void parallel_blocks(index_t n, index_t block, const Ctx& ctx, Body&& body) {
    if (n <= 0) return;
    const index_t blocks = n_blocks(n, block);
    ExceptionTrap trap;
    std::atomic<bool> stop{false};
    const int threads = block_threads(n, block, ctx);
    auto run = [&](index_t b) {
        if (stop.load(std::memory_order_relaxed)) return;
        trap.run([&] {
            poll_interrupt(ctx);
            body(b, b * block, std::min(n, (b + 1) * block));
        });
        if (trap.failed()) stop.store(true, std::memory_order_relaxed);
    };
    if (threads <= 1) {
        for (index_t b = 0; b < blocks; ++b) run(b);
    } else {
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
#endif
        for (index_t b = 0; b < blocks; ++b) run(b);
    }
    trap.rethrow();
}

// Runs task(j, ctx_j) for every j in [0, tasks): one task per thread at a
// time, each on one thread, or, when there are fewer tasks than threads,
// one after another, each on all threads.
template <class Task>
void parallel_tasks(index_t tasks, const Ctx& ctx, Task&& task) {
    if (tasks >= ctx.n_threads) {
        const Ctx one = ctx.capped(1);
        parallel_blocks(tasks, 1, ctx, [&](index_t j, index_t, index_t) { task(j, one); });
        return;
    }
    for (index_t j = 0; j < tasks; ++j) {
        task(j, ctx);
        poll_interrupt(ctx);
    }
}

// Sum of per-block partial results in block order.
inline double ordered_sum(const std::vector<double>& parts) {
    double s = 0.0;
    for (double v : parts) s += v;
    return s;
}

}  // namespace fastmi
