"""The results of ``fastmi bench`` as text tables, JSON and a plot."""
from __future__ import annotations

import json
import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

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
    selection = case.get("value_format", "mi") == "selection"
    vector = any(isinstance(v, list) for r in rows for v in r["values"].values())
    header = ["n"] + [i["label"] for i in impls]
    if selection:
        header += ["selected by fastmi"]
    elif vector:
        header += [f"max {case.get('value_name', 'MI')} fastmi"] + [
            f"max|diff| {i['label'].split()[0]}" for i in baselines]
    else:
        name = case.get("value_name", "MI")
        header += [f"{name} {i['label'].split()[0]}" for i in impls]
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
        if selection:
            ours = values.get("fastmi")
            cells.append(" ".join(str(int(f)) for f in ours) if ours is not None else "-")
        elif vector:
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
    if baselines and selection:
        lines.append("  times are the median of up to 5 runs; (Nx) = speedup of fastmi over that "
                     "implementation; agree = every baseline selected the same set")
    elif baselines:
        tol = "; ".join(
            f"{i['label'].split()[0]} "
            + (f"rtol {i['rtol']:g}" if i["rtol"] else f"abs {i['atol']:g}")
            for i in baselines)
        lines.append(f"  times are the median of up to 5 runs; (Nx) = speedup of fastmi over that "
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
    colors = {"fastmi": "C0", "sklearn": "C1", "reference": "C2", "scipy": "C3", "loop": "C4",
              "ennemi": "C5"}
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
