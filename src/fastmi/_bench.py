"""The benchmark behind ``fastmi bench``.

Each case runs one fastmi estimator next to its baselines (the numpy reference in
``fastmi.reference`` and, when installed, scikit-learn) over a ladder of sample sizes on
synthetic data drawn from a fixed seed.  For every size it records the time of each
implementation, the values they return and whether those agree within the tolerances the
test-suite uses.

A baseline whose next run would exceed the time budget is not run at that size: its time
is extrapolated from the largest size it was really timed at, using its known growth
(linear, n log n or quadratic), and marked as extrapolated.  Nothing is skipped silently.

The command-line parsing lives in :mod:`fastmi.cli`; this module has no argparse in it so
that it can be driven from Python as well::

    from fastmi import _bench
    results = _bench.run(quick=True)
    for case in results["cases"]:
        print(_bench.format_case(case))
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

SEED = 0
RHO = 0.8
#: I(X;Y) of a bivariate Gaussian with correlation RHO, in bits.
GAUSSIAN_TRUTH_BITS = -0.5 * math.log2(1.0 - RHO * RHO)
LN2 = math.log(2.0)
K = 3
BINS = 20
N_FEATURES = 20
RANDOM_STATE = 0

FULL_SIZES = {
    "binned": [10**3, 10**4, 10**5, 10**6, 10**7],
    "ksg": [10**3, 10**4, 10**5, 10**6],
    "nonlinear": [10**3, 10**4, 10**5, 10**6],
    "classif": [10**3, 10**4, 10**5, 10**6],
    "regression": [10**3, 10**4, 10**5, 10**6],
}
QUICK_SIZES = {
    "binned": [10**3, 10**4, 10**5, 10**6],
    "ksg": [10**3, 10**4, 10**5],
    "nonlinear": [10**3, 10**4, 10**5],
    "classif": [10**3, 10**4],
    "regression": [10**3, 10**4],
}
CASE_KEYS = tuple(FULL_SIZES)
#: Seconds a baseline may really run at one size before the next sizes are extrapolated.
FULL_BUDGET = 10.0
QUICK_BUDGET = 1.0

GROWTH = {
    "n": lambda n: float(n),
    "n log n": lambda n: n * math.log(n),
    "n^2": lambda n: float(n) * n,
}


@dataclass
class Impl:
    """One implementation of a case's estimator."""

    key: str  # "fastmi", "sklearn" or "reference"
    label: str  # column header
    fn: Callable[..., Any]
    growth: str = "n"  # how its time grows with n, used to extrapolate
    # fastmi's value on the input this implementation really works on, when that differs
    # from the case's data (scikit-learn rescales and adds noise); None: fastmi's own value
    same_input: Optional[Callable[..., Any]] = None
    rtol: float = 0.0  # agreement with fastmi's value
    atol: float = 0.0


@dataclass
class Case:
    key: str
    title: str
    estimator: str
    unit: str
    sizes: List[int]
    make_data: Callable[[int], Tuple[Any, ...]]
    impls: List[Impl]  # fastmi first
    truth: Optional[float] = None
    params: Dict[str, Any] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)


# --------------------------------------------------------------------------- data


def _standardized(a: np.ndarray) -> np.ndarray:
    # KSG's max-norm neighbourhoods depend on the scale of each variable, and
    # scikit-learn divides both by their standard deviation before estimating: with unit
    # sample deviation the values shown for fastmi and scikit-learn estimate the same
    # thing.  (Agreement is checked on scikit-learn's exact input, see sklearn_ksg_input.)
    return a / np.std(a)


def gaussian_pair(n: int) -> Tuple[np.ndarray, np.ndarray]:
    """n samples of a bivariate Gaussian with correlation RHO, scaled to unit sample
    standard deviation."""
    z = np.random.default_rng(SEED).standard_normal((2, n))
    x = z[0]
    y = RHO * z[0] + math.sqrt(1.0 - RHO * RHO) * z[1]
    return _standardized(x), _standardized(y)


def nonlinear_pair(n: int) -> Tuple[np.ndarray, np.ndarray]:
    """y = x^2 + 0.1 * noise (dependent but uncorrelated), scaled to unit sample standard
    deviation."""
    z = np.random.default_rng(SEED + 1).standard_normal((2, n))
    x = z[0]
    y = x * x + 0.1 * z[1]
    return _standardized(x), _standardized(y)


def classification_data(n: int, n_features: int = N_FEATURES) -> Tuple[np.ndarray, np.ndarray]:
    """A make_classification-style set: 3 classes, 4 informative features (class-dependent
    Gaussian clusters), 4 redundant ones (linear mixtures of those), the rest noise, 1% of
    labels flipped.  Generated with numpy alone so that it needs no scikit-learn."""
    rng = np.random.default_rng(SEED + 2)
    n_inf = n_red = 4
    y = rng.integers(0, 3, size=n)
    centers = 2.0 * rng.standard_normal((3, n_inf))
    informative = centers[y] + rng.standard_normal((n, n_inf))
    redundant = informative @ rng.standard_normal((n_inf, n_red))
    noise = rng.standard_normal((n, n_features - n_inf - n_red))
    X = np.hstack([informative, redundant, noise])
    flip = rng.random(n) < 0.01
    y[flip] = rng.integers(0, 3, size=int(flip.sum()))
    return X, y


def regression_data(n: int, n_features: int = N_FEATURES) -> Tuple[np.ndarray, np.ndarray]:
    """A make_regression-style set: y depends linearly on 4 features and non-linearly on 2
    more; the other features are noise."""
    rng = np.random.default_rng(SEED + 3)
    X = rng.standard_normal((n, n_features))
    w = np.array([2.0, -1.0, 0.5, 0.25])
    y = X[:, :4] @ w + np.sin(2.0 * X[:, 4]) + X[:, 5] ** 2 + 0.5 * rng.standard_normal(n)
    return X, y


# --------------------------------------------------------------------------- cases


def _sklearn():
    try:
        from sklearn import feature_selection
    except ImportError:
        return None
    return feature_selection


def build_cases(*, quick: bool = False, n_jobs: Optional[int] = None,
                keys: Optional[Sequence[str]] = None) -> List[Case]:
    import fastmi
    from fastmi import reference

    sizes = QUICK_SIZES if quick else FULL_SIZES
    skl = _sklearn()
    no_sklearn = "scikit-learn is not installed (pip install 'fastmi[sklearn]'): no comparison"

    def ksg_impls() -> List[Impl]:
        impls = [Impl("fastmi", "fastmi", lambda x, y: fastmi.ksg_mi(x, y, k=K, n_jobs=n_jobs))]
        if skl is not None:
            impls.append(Impl(
                "sklearn", "scikit-learn",
                lambda x, y: float(skl.mutual_info_regression(
                    x[:, None], y, n_neighbors=K, random_state=RANDOM_STATE)[0]) / LN2,
                growth="n log n", atol=1e-6,
                same_input=lambda x, y: fastmi.ksg_mi(*sklearn_ksg_input(x, y), k=K,
                                                      n_jobs=n_jobs)))
        impls.append(Impl("reference", "reference", lambda x, y: reference.ksg_mi(x, y, K),
                          growth="n^2", rtol=1e-10))
        return impls

    def dropin(name: str) -> List[Impl]:
        ours = getattr(fastmi, name)
        impls = [Impl("fastmi", "fastmi", lambda X, y: ours(
            X, y, n_neighbors=K, random_state=RANDOM_STATE, n_jobs=n_jobs))]
        if skl is not None:
            theirs = getattr(skl, name)
            kwargs: Dict[str, Any] = {"n_neighbors": K, "random_state": RANDOM_STATE}
            label = "scikit-learn"
            if _accepts(theirs, "n_jobs"):
                kwargs["n_jobs"] = -1
                label = "scikit-learn (n_jobs=-1)"
            impls.append(Impl("sklearn", label, lambda X, y: theirs(X, y, **kwargs),
                              growth="n log n", atol=1e-10))
        return impls

    sklearn_notes = [] if skl is not None else [no_sklearn]
    ksg_notes = sklearn_notes or [
        "scikit-learn rescales its input and adds 1e-10 noise to it, which moves a few "
        "neighbour counts by one; its value is compared with fastmi's on that same input"]
    factories: Dict[str, Callable[[], Case]] = {
        "binned": lambda: Case(
            "binned", f"Binned MI, correlated Gaussians (rho={RHO}), {BINS}x{BINS} bins",
            "fastmi.discrete_mi", "bits", sizes["binned"], gaussian_pair,
            [Impl("fastmi", "fastmi",
                  lambda x, y: fastmi.discrete_mi(x, y, bins=BINS, n_jobs=n_jobs)),
             Impl("reference", "reference", lambda x, y: reference.discrete_mi(x, y, BINS),
                  rtol=1e-12)],
            truth=GAUSSIAN_TRUTH_BITS, params={"rho": RHO, "bins": BINS},
            notes=["truth is the continuous MI; the binned plug-in estimate converges to the "
                   "MI of the discretised variables, which is lower",
                   "scikit-learn has no binned MI estimator"]),
        "ksg": lambda: Case(
            "ksg", f"KSG MI, correlated Gaussians (rho={RHO}), k={K}",
            "fastmi.ksg_mi", "bits", sizes["ksg"], gaussian_pair, ksg_impls(),
            truth=GAUSSIAN_TRUTH_BITS, params={"rho": RHO, "k": K}, notes=ksg_notes),
        "nonlinear": lambda: Case(
            "nonlinear", f"KSG MI, nonlinear pair y = x^2 + 0.1*noise, k={K}",
            "fastmi.ksg_mi", "bits", sizes["nonlinear"], nonlinear_pair, ksg_impls(),
            params={"noise": 0.1, "k": K}, notes=ksg_notes),
        "classif": lambda: Case(
            "classif", f"mutual_info_classif, {N_FEATURES} features, 3 classes, n_neighbors={K}",
            "fastmi.mutual_info_classif", "nats", sizes["classif"], classification_data,
            dropin("mutual_info_classif"),
            params={"n_features": N_FEATURES, "n_neighbors": K, "random_state": RANDOM_STATE},
            notes=sklearn_notes),
        "regression": lambda: Case(
            "regression", f"mutual_info_regression, {N_FEATURES} features, n_neighbors={K}",
            "fastmi.mutual_info_regression", "nats", sizes["regression"], regression_data,
            dropin("mutual_info_regression"),
            params={"n_features": N_FEATURES, "n_neighbors": K, "random_state": RANDOM_STATE},
            notes=sklearn_notes),
    }
    return [factories[key]() for key in (CASE_KEYS if keys is None else keys)]


def sklearn_ksg_input(x: np.ndarray, y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """x and y as scikit-learn's mutual_info_regression(x[:, None], y,
    random_state=RANDOM_STATE) hands them to its KSG: each divided by its standard
    deviation, then 1e-10 * max(1, mean |.|) * N(0, 1) noise added, x's draws first."""
    n = x.shape[0]
    rng = np.random.RandomState(RANDOM_STATE)
    xs = x / np.std(x)
    xs = xs + 1e-10 * max(1.0, float(np.mean(np.abs(xs)))) * rng.standard_normal(n)
    ys = y / np.std(y)
    ys = ys + 1e-10 * max(1.0, float(np.mean(np.abs(ys)))) * rng.standard_normal(n)
    return xs, ys


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    import inspect

    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- running


def _measure(fn: Callable[..., Any], data: Tuple[Any, ...], *, warm_up: bool,
             min_total: float = 0.2, max_repeats: int = 5) -> Tuple[float, Any, int]:
    """Best wall time of ``fn(*data)`` over a few calls (more calls only while they are
    short), its value and the number of timed calls."""
    if warm_up:
        fn(*data)
    best = math.inf
    total = 0.0
    repeats = 0
    value = None
    while repeats < max_repeats and (repeats == 0 or total < min_total):
        t0 = time.perf_counter()
        value = fn(*data)
        elapsed = time.perf_counter() - t0
        best = min(best, elapsed)
        total += elapsed
        repeats += 1
    return best, value, repeats


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

    try:
        usable = len(os.sched_getaffinity(0))  # type: ignore[attr-defined]
    except AttributeError:
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
    }
    if emit is not None:
        emit(format_header(results))
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


# --------------------------------------------------------------------------- output


def format_seconds(seconds: Optional[float]) -> str:
    if seconds is None:
        return "failed"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    if seconds < 1000.0:
        return f"{seconds:.3g} s"
    return f"{seconds / 60.0:.3g} min"


def _format_speedup(ratio: float) -> str:
    return f"{ratio:.3g}x" if ratio < 1000 else f"{ratio:,.0f}x"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> List[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    return lines


def format_case(case: Dict[str, Any]) -> str:
    """A case's results as a plain-text table."""
    impls = case["implementations"]
    baselines = impls[1:]
    rows = case["results"]
    vector = any(isinstance(v, list) for r in rows for v in r["values"].values())
    header = ["n"] + [i["label"] for i in impls]
    if vector:
        header += ["max MI fastmi"] + [f"max|diff| {i['label'].split()[0]}" for i in baselines]
    else:
        header += [f"MI {i['label'].split()[0]}" for i in impls]
    if baselines:
        header.append("agree")
    if case["truth"] is not None:
        header.append("truth")

    extrapolated: Dict[str, Tuple[int, str]] = {}
    body = []
    for r in rows:
        cells = [f"{r['n']:,}"]
        for i in impls:
            t = r["timings"][i["key"]]
            text = format_seconds(t["seconds"])
            if t.get("extrapolated"):
                text = f"~{text}*"
                extrapolated[i["label"]] = (t["from_n"], t["growth"])
            speedup = r["speedup"].get(i["key"])
            if speedup is not None:
                text += f" ({_format_speedup(speedup)})"
            cells.append(text)
        values = r["values"]
        if vector:
            ours = values.get("fastmi")
            cells.append(f"{max(ours):.6f}" if ours else "-")
            for i in baselines:
                a = r["agreement"].get(i["key"])
                cells.append(f"{a['max_abs_diff']:.1e}" if a and a["max_abs_diff"] is not None
                             else "-")
        else:
            for i in impls:
                v = values.get(i["key"])
                cells.append(f"{v:.6f}" if v is not None else "-")
        if baselines:
            compared = r["agreement"]
            if not compared:
                cells.append("-")
            else:
                bad = [k for k, a in compared.items() if not a["agree"]]
                cells.append("yes" if not bad else "NO: " + ",".join(bad))
        if case["truth"] is not None:
            cells.append(f"{case['truth']:.6f}")
        body.append(cells)

    lines = [f"{case['title']}  [{case['estimator']}, {case['unit']}]"]
    lines += _table(header, body)
    if baselines:
        tol = "; ".join(
            f"{i['label'].split()[0]} "
            + (f"rtol {i['rtol']:g}" if i["rtol"] else f"abs {i['atol']:g}")
            for i in baselines)
        lines.append(f"  times are the best of up to 5 runs; (Nx) = speedup of fastmi over that "
                     f"implementation; agree = within tolerance ({tol})")
    for label, (n0, growth) in extrapolated.items():
        lines.append(f"  * {label}: extrapolated as O({growth}) from its run at n={n0:,} "
                     f"(too slow or too large to run within budget)")
    for note in case["notes"]:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def format_header(results: Dict[str, Any]) -> str:
    env = results["environment"]
    threads = {True: "OpenMP", False: "no OpenMP", None: "OpenMP unknown"}[env["openmp"]]
    return (f"fastmi {env['fastmi']} bench ({'quick' if results['quick'] else 'full'}), "
            f"{results['date']}\n"
            f"{env['cpu_model']}, {env['cpu_count']} CPUs ({threads}, n_jobs={env['n_jobs']}), "
            f"Python {env['python']}, numpy {env['numpy']}, "
            f"scikit-learn {env['sklearn'] or 'not installed'}")


def write_json(results: Dict[str, Any], path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
        f.write("\n")


def plot(results: Dict[str, Any], path: str) -> None:
    """Time against n, log-log, one panel per case, one line per implementation; the
    extrapolated times are hollow markers on a dashed line."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    cases = results["cases"]
    ncols = min(3, max(1, len(cases)))
    nrows = max(1, math.ceil(len(cases) / ncols))
    fig = Figure(figsize=(5.0 * ncols, 4.0 * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    colors = {"fastmi": "C0", "sklearn": "C1", "reference": "C2"}
    for ax, case in zip(axes, cases):
        for impl in case["implementations"]:
            key = impl["key"]
            color = colors.get(key, "C3")
            pts = [(r["n"], r["timings"][key]) for r in case["results"]
                   if r["timings"][key].get("seconds") is not None]
            real = [(n, t["seconds"]) for n, t in pts if not t["extrapolated"]]
            extra = [(n, t["seconds"]) for n, t in pts if t["extrapolated"]]
            if real:
                ax.plot(*zip(*real), marker="o", color=color, label=impl["label"])
            if extra:
                line = real[-1:] + extra
                ax.plot(*zip(*line), linestyle="--", color=color)
                ax.plot(*zip(*extra), linestyle="none", marker="o", markerfacecolor="white",
                        color=color, label=f"{impl['label']} (extrapolated)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(case["title"], fontsize=9)
        ax.set_xlabel("n (samples)")
        ax.set_ylabel("time (s)")
        ax.grid(True, which="major", alpha=0.4)
        ax.grid(True, which="minor", alpha=0.15)
        ax.legend(fontsize=8)
    for ax in axes[len(cases):]:
        ax.set_visible(False)
    env = results["environment"]
    fig.suptitle(f"fastmi {env['fastmi']} bench, {results['date'][:10]}, {env['cpu_model']}, "
                 f"{env['cpu_count']} CPUs", fontsize=10)
    fig.savefig(path, dpi=110)
