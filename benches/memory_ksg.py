"""Peak extra memory of ``fastmi.ksg_mi`` on one-dimensional x and y.

Issue 2 target: at most about 64 bytes per sample (the inputs themselves, 16 bytes per
sample, are not counted: they exist before the call).

Usage::

    python benches/memory_ksg.py [--json] [n ...]      # default n: 1000000 4000000

Every size is measured in a fresh subprocess, so that nothing allocated by an earlier
measurement (or by numpy's allocator caches) hides or inflates the figure.  In that child:

1. import numpy and fastmi and call ``ksg_mi`` once on 2,000 samples, so the shared
   libraries, the OpenMP thread pool and its stacks are already resident;
2. draw x, y, ``fastmi bench``'s rho = 0.8 Gaussian pair (``fastmi.bench.data``);
3. reset the kernel's peak-RSS counter (``echo 5 > /proc/self/clear_refs``, Linux >= 4.0)
   and take the current RSS as the baseline; where the reset is not possible, the
   baseline is the peak so far (``getrusage(RUSAGE_SELF).ru_maxrss``), which step 2 keeps
   within one temporary of n values (8 bytes per sample) of the current RSS;
4. call ``ksg_mi(x, y, k=3)`` and read the peak RSS again (``VmHWM``, or ``ru_maxrss``).

Peak extra memory = peak after - baseline; bytes per sample = that / n.  RSS counts pages
touched, so this is the memory the call really used, at page granularity.
"""
from __future__ import annotations

import json
import subprocess
import sys

TARGET_BYTES_PER_SAMPLE = 64.0
DEFAULT_SIZES = (1_000_000, 4_000_000)

_CHILD = r"""
import json, os, resource, sys
import numpy as np
import fastmi
from fastmi.bench import peak_memory
from fastmi.bench.data import gaussian_pair

def status_kib(field):
    v = peak_memory.status().get(field)
    return None if v is None else v // 1024

def maxrss_kib():
    # ru_maxrss is KiB on Linux, bytes on macOS.
    v = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return v // 1024 if sys.platform == "darwin" else v

reset_peak = peak_memory.reset_peak

n = int(sys.argv[1])
rng = np.random.default_rng(12345)
w = rng.standard_normal(2000)
fastmi.ksg_mi(w, 0.8 * w + 0.6 * rng.standard_normal(2000), k=3)  # warm-up: libs, threads
del w

# fastmi bench's rho = 0.8 pair (drawn before the peak counter is reset)
x, y = gaussian_pair(n)

if reset_peak() and status_kib("VmHWM") is not None:
    method = "VmHWM after clear_refs reset"
    base = status_kib("VmRSS")
    value = fastmi.ksg_mi(x, y, k=3)
    peak = status_kib("VmHWM")
else:
    method = "getrusage ru_maxrss"
    base = max(maxrss_kib(), status_kib("VmRSS") or 0)
    value = fastmi.ksg_mi(x, y, k=3)
    peak = maxrss_kib()

extra = max(peak - base, 0) * 1024
print(json.dumps({
    "n": n,
    "value_bits": value,
    "baseline_rss_bytes": base * 1024,
    "peak_rss_bytes": peak * 1024,
    "peak_extra_bytes": extra,
    "bytes_per_sample": extra / n,
    "method": method,
    "openmp": fastmi.has_openmp(),
    "cpus": os.cpu_count(),
}))
"""


def measure(n: int) -> dict:
    """Run one measurement of ``ksg_mi`` at ``n`` samples in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(int(n))],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"memory measurement at n={n} failed (exit {proc.returncode}):\n{proc.stderr}"
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def format_result(r: dict) -> str:
    over = r["bytes_per_sample"] / TARGET_BYTES_PER_SAMPLE - 1.0
    status = "met" if over <= 0 else f"{100 * over:.1f}% over"
    return (
        f"ksg_mi 1-D n={r['n']:>9,d}: peak extra {r['peak_extra_bytes'] / 2**20:8.1f} MiB"
        f" = {r['bytes_per_sample']:6.1f} B/sample"
        f" (target <= {TARGET_BYTES_PER_SAMPLE:.0f}: {status}; {r['method']};"
        f" baseline RSS {r['baseline_rss_bytes'] / 2**20:.1f} MiB)"
    )


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    sizes = [int(float(a)) for a in argv if a != "--json"] or list(DEFAULT_SIZES)
    results = [measure(n) for n in sizes]
    for r in results:
        print(json.dumps(r) if as_json else format_result(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
