"""Running the cases of ``fastmi bench``: timings, values, agreement, extrapolation."""

from __future__ import annotations

import datetime
import math
import os
import platform
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .cases import Case, Impl, build_cases, unavailable_cases
from .report import format_case, format_header

#: Seconds a baseline may really run at one size before the next sizes are extrapolated.
FULL_BUDGET = 10.0
QUICK_BUDGET = 1.0

GROWTH: Dict[str, Callable[[int], float]] = {
    "n": lambda n: float(n),
    "n log n": lambda n: n * math.log(n),
    "n^2": lambda n: float(n) * n,
}


def _measure(fn: Callable[..., Any], data: Tuple[Any, ...], *, warm_up: bool,
             min_total: float = 0.2, max_repeats: int = 5) -> Tuple[float, Any, int]:
    """Median wall time of ``fn(*data)`` over a few calls (more calls only while they are
    short: a slow baseline runs once), its value and the number of timed calls. The
    median, not the best: the best of five fast calls against one slow call would favour
    the fast side by the spread of its calls."""
    if warm_up:
        fn(*data)
    times: List[float] = []
    value = None
    while len(times) < max_repeats and (not times or sum(times) < min_total):
        t0 = time.perf_counter()
        value = fn(*data)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), value, len(times)


def _agreement(value: Any, ours: Any, rtol: float, atol: float) -> Dict[str, Any]:
    a = np.asarray(value, dtype=np.float64)
    b = np.asarray(ours, dtype=np.float64)
    if a.shape != b.shape:
        return {"agree": False, "max_abs_diff": None, "rtol": rtol, "atol": atol}
    diff = np.abs(a - b)
    agree = bool(np.all(diff <= atol + rtol * np.abs(a)))
    return {"agree": agree, "max_abs_diff": float(diff.max()) if diff.size else 0.0,
            "rtol": rtol, "atol": atol}


def _to_json_value(value: Any) -> Any:
    if value is None:
        return None
    arr = np.asarray(value, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else arr.tolist()


class _NoProgress:
    def set(self, label: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


def run_case(case: Case, *, budget: float, progress: Any = None) -> Dict[str, Any]:
    progress = progress or _NoProgress()
    last_real: Dict[str, Tuple[int, float]] = {}
    rows = []
    for n in case.sizes:
        data = case.make_data(n)
        row: Dict[str, Any] = {"n": n, "timings": {}, "values": {}, "agreement": {},
                               "speedup": {}}
        for impl in case.impls:
            progress.set(f"{case.key}  n={n:,}  {impl.label}")
            timing = _time_one(impl, n, data, budget, last_real, row)
            row["timings"][impl.key] = timing
            progress.advance()
        ours = row["values"].get("fastmi")
        ours_t = row["timings"]["fastmi"].get("seconds")
        for impl in case.impls[1:]:
            value = row["values"].get(impl.key)
            if value is not None and ours is not None:
                if impl.same_input is None:
                    row["agreement"][impl.key] = _agreement(value, ours, impl.rtol, impl.atol)
                else:
                    same = impl.same_input(*data)
                    agreement = _agreement(value, same, impl.rtol, impl.atol)
                    agreement["fastmi_value"] = _to_json_value(same)
                    row["agreement"][impl.key] = agreement
            t = row["timings"][impl.key].get("seconds")
            if t is not None and ours_t:
                row["speedup"][impl.key] = t / ours_t
        row["values"] = {k: _to_json_value(v) for k, v in row["values"].items()}
        rows.append(row)
        del data
    return {
        "key": case.key,
        "title": case.title,
        "estimator": case.estimator,
        "unit": case.unit,
        "truth": case.truth,
        "params": case.params,
        "notes": case.notes,
        "value_format": case.value_format,
        "value_name": case.value_name,
        "implementations": [
            {"key": i.key, "label": i.label, "growth": i.growth,
             "rtol": i.rtol if i.key != "fastmi" else None,
             "atol": i.atol if i.key != "fastmi" else None}
            for i in case.impls
        ],
        "results": rows,
    }


def _time_one(impl: Impl, n: int, data: Tuple[Any, ...], budget: float,
              last_real: Dict[str, Tuple[int, float]], row: Dict[str, Any]) -> Dict[str, Any]:
    """Time ``impl`` at size n, or extrapolate its time from the last real run."""
    growth = GROWTH[impl.growth]
    prev = last_real.get(impl.key)
    if impl.key != "fastmi" and prev is not None:
        n0, t0 = prev
        predicted = t0 * growth(n) / growth(n0)
        if predicted > budget:
            return {"seconds": predicted, "extrapolated": True, "from_n": n0,
                    "growth": impl.growth, "repeats": 0}
    try:
        seconds, value, repeats = _measure(impl.fn, data, warm_up=prev is None)
        if impl.finish is not None:
            value = impl.finish(value, *data)
    except Exception as exc:  # a baseline running out of memory must not end the run
        return {"seconds": None, "extrapolated": False, "error": f"{type(exc).__name__}: {exc}"}
    last_real[impl.key] = (n, seconds)
    row["values"][impl.key] = value
    return {"seconds": seconds, "extrapolated": False, "repeats": repeats}


def environment(n_jobs: Optional[int] = None) -> Dict[str, Any]:
    import fastmi

    def version(module: str) -> Optional[str]:
        try:
            mod = __import__(module)
        except ImportError:
            return None
        return getattr(mod, "__version__", None)

    usable: Optional[int]
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count()
    try:
        openmp: Optional[bool] = bool(fastmi.has_openmp())
    except Exception:
        openmp = None
    return {
        "fastmi": getattr(fastmi, "__version__", None),
        "numpy": np.__version__,
        "scipy": version("scipy"),
        "sklearn": version("sklearn"),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "openmp": openmp,
        "n_jobs": n_jobs,
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
    }


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Hardware", "Processor", "cpu model"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run(*, quick: bool = False, n_jobs: Optional[int] = None, budget: Optional[float] = None,
        keys: Optional[Sequence[str]] = None, progress: Any = None,
        emit: Optional[Callable[[str], None]] = None) -> Dict[str, Any]:
    """Run the benchmark; return the results as a JSON-ready dict.

    ``progress`` (optional) gets ``total``, ``set(label)`` and ``advance()``; ``emit``
    (optional) is called with a header, then with each case's table as soon as the case
    is done.
    """
    if budget is None:
        budget = QUICK_BUDGET if quick else FULL_BUDGET
    cases = build_cases(quick=quick, n_jobs=n_jobs, keys=keys)
    skipped = unavailable_cases(keys)
    if progress is not None:
        progress.total = sum(len(c.sizes) * len(c.impls) for c in cases)
    results: Dict[str, Any] = {
        "schema": "fastmi-bench/1",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["fastmi"] + sys.argv[1:]),
        "quick": quick,
        "budget_seconds": budget,
        "wall_seconds": None,
        "environment": environment(n_jobs),
        "cases": [],
        "skipped": [{"key": key, "reason": why} for key, why in skipped.items()],
    }
    if emit is not None:
        emit(format_header(results))
        for key, why in skipped.items():
            emit(f"\nskipped case {key}: {why}")
    t0 = time.perf_counter()
    for case in cases:
        result = run_case(case, budget=budget, progress=progress)
        results["cases"].append(result)
        if emit is not None:
            emit("\n" + format_case(result))
    results["wall_seconds"] = time.perf_counter() - t0
    return results


def disagreements(results: Dict[str, Any]) -> List[str]:
    """'case n=...: impl' for every comparison that failed its tolerance."""
    bad = []
    for case in results["cases"]:
        for row in case["results"]:
            for key, agreement in row["agreement"].items():
                if not agreement["agree"]:
                    bad.append(f"{case['key']} n={row['n']:,}: {key}")
            for key, timing in row["timings"].items():
                if timing.get("error"):
                    bad.append(f"{case['key']} n={row['n']:,}: {key} failed ({timing['error']})")
    return bad


