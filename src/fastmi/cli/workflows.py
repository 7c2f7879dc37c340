"""The workflow commands of the ``fastmi`` command line: ``pairwise``, ``select`` and ``test``."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any, List, Sequence

from fastmi.cli.commands import _check_plot_format, _estimate, _neighbours, _write
from fastmi.cli.errors import CLIError
from fastmi.cli.files import check_writable
from fastmi.cli.output import EXIT_OK, PROG, say, stderr
from fastmi.cli.progress import Progress
from fastmi.cli.reader import Table, list_names, load_table


def _split(values: Sequence[str] | None) -> List[str] | None:
    """Repeated or comma-separated column names, in order, without repeats."""
    if not values:
        return None
    names: List[str] = []
    for value in values:
        for name in value.split(","):
            name = name.strip()
            if name and name not in names:
                names.append(name)
    return names


def _numeric_features(table: Table, names: List[str] | None, exclude: Sequence[str], quiet: bool) -> List[str]:
    """The named columns, or every numeric column but `exclude` (skipping the others, with a note)."""
    if names is not None:
        return names
    others = [c for c in table.names if c not in exclude]
    features = [c for c in others if table.is_numeric(c)]
    skipped = [c for c in others if not table.is_numeric(c)]
    if skipped and not quiet:
        stderr(f"{PROG}: note: skipping non-numeric columns: {list_names(skipped)}")
    if not features:
        raise CLIError(f"{table.path} has no numeric column" + (" besides the target" if exclude else ""))
    return features


def _check_plot(path: str | None) -> None:
    if path is None:
        return
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CLIError("matplotlib is needed for --plot: pip install 'fastmi[plot]'") from None
    _check_plot_format(path)
    check_writable(path, "--plot")


def _heatmap(matrix: Any, names: List[str], title: str, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = max(4.0, 0.45 * len(names) + 2.0)
    fig, ax = plt.subplots(figsize=(size + 1.0, size))
    image = ax.imshow(matrix, cmap="viridis")
    ax.set_xticks(range(len(names)))
    ax.set_yticks(range(len(names)))
    ax.set_xticklabels(names, rotation=90)
    ax.set_yticklabels(names)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="bits")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _cell(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.4f}"


def cmd_pairwise(args: argparse.Namespace) -> int:
    import numpy as np

    names = _split(args.columns)
    if args.method == "binned" and args.k is not None:
        raise CLIError("--k applies to --method ksg; use --bins with --method binned")
    if args.method == "ksg" and args.bins is not None:
        raise CLIError("--bins applies to --method binned; use --k with --method ksg")
    _check_plot(args.plot)
    table = load_table(args.file, {c: "--columns" for c in names} if names else None)
    names = _numeric_features(table, names, (), args.quiet)
    if len(names) < 2:
        raise CLIError(f"pairwise needs at least two columns; got {list_names(names)}")
    X = np.column_stack([table.numeric(c, "--columns") for c in names])

    import fastmi

    if args.method == "ksg":
        k = _neighbours(3 if args.k is None else args.k, table.n_rows, args.file)
        options = {"k": k}
        how = f"KSG, k={k}"
    else:
        options = {"bins": 10 if args.bins is None else args.bins}
        how = f"binned, bins={options['bins']}"
    pairs = len(names) * (len(names) - 1) // 2
    with Progress(enabled=not args.quiet, delay=0.5) as progress:
        progress.set(f"MI of {pairs} column pairs ({table.n_rows:,} rows)")
        M = _estimate(fastmi.pairwise_mi, X, method=args.method, n_jobs=args.n_jobs, **options)
    if args.json:
        rows = [[None if math.isnan(v) else float(v) for v in row] for row in M]
        say(json.dumps({"columns": names, "estimator": how, "unit": "bits", "n": table.n_rows,
                        "matrix": rows}, indent=1))
    else:
        diagonal = "NaN (I(X;X) is infinite)" if args.method == "ksg" else "entropy of the binned column"
        say(f"pairwise MI in bits ({how}, n={table.n_rows:,}; diagonal: {diagonal}):")
        width = max(8, max(len(c) for c in names))
        say(" " * width + "  " + "  ".join(f"{c[:10]:>10}" for c in names))
        for name, row in zip(names, M):
            say(f"{name:<{width}}  " + "  ".join(f"{_cell(v):>10}" for v in row))
    if args.plot is not None:
        _write(lambda: _heatmap(M, names, f"pairwise MI ({how})", args.plot), args.plot, "--plot")
        if not args.json:
            say(f"wrote {args.plot}")
    return EXIT_OK


def cmd_select(args: argparse.Namespace) -> int:
    import numpy as np

    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise CLIError("scikit-learn is needed for select: pip install 'fastmi[sklearn]'") from None
    names = _split(args.columns)
    wanted = {args.target: "--target", **({c: "--columns" for c in names} if names else {})}
    table = load_table(args.file, wanted if names else None, required={args.target: "--target"})
    features = _numeric_features(table, names, (args.target,), args.quiet)
    if args.n > len(features):
        raise CLIError(f"--n {args.n} is more than the {len(features)} feature columns")
    X = np.column_stack([table.numeric(c, "feature column") for c in features])
    y = table.labels(args.target, "--target") if not table.is_numeric(args.target) \
        else table.numeric(args.target, "--target")
    _neighbours(args.k, table.n_rows, args.file)

    import fastmi

    selector = fastmi.MRMRSelector(args.n, criterion=args.criterion, n_neighbors=args.k,
                                   random_state=args.random_state, n_jobs=args.n_jobs)
    with Progress(enabled=not args.quiet, delay=0.5) as progress:
        progress.set(f"selecting {args.n} of {len(features)} columns ({table.n_rows:,} rows)")
        _estimate(selector.fit, X, y)
    picked = [{"step": s + 1, "column": features[j], "score": float(selector.scores_[s]),
               "relevance_nats": float(selector.relevance_[j])}
              for s, j in enumerate(selector.selected_)]
    if args.json:
        say(json.dumps(picked, indent=1))
        return EXIT_OK
    say(f"mRMR selection for {args.target!r} (criterion={args.criterion}, n_neighbors={args.k}, "
        f"random_state={args.random_state}, n={table.n_rows:,}), in nats:")
    width = max([len("column")] + [len(p["column"]) for p in picked])
    say(f"{'step':>4}  {'column':<{width}}  {'score':>10}  {'relevance':>10}")
    for p in picked:
        say(f"{p['step']:>4}  {p['column']:<{width}}  {p['score']:>10.4f}  {p['relevance_nats']:>10.4f}")
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    import numpy as np

    xs, ys, zs = _split(args.x) or [], _split(args.y) or [], _split(args.z) or []  # --x, --y: required
    wanted = {**{c: "--x" for c in xs}, **{c: "--y" for c in ys}, **{c: "--z" for c in zs}}
    table = load_table(args.file, wanted)

    def block(cols: List[str], option: str) -> Any:
        a = np.column_stack([table.numeric(c, option) for c in cols])
        return a[:, 0] if a.shape[1] == 1 else a

    x, y = block(xs, "--x"), block(ys, "--y")
    z = block(zs, "--z") if zs else None
    k = _neighbours(args.k, table.n_rows, args.file)

    from fastmi import significance

    checked = _estimate(significance._check, x, y, z, k, args.permutations, args.shuffle_neighbors,
                        args.random_state, args.n_jobs, 2)
    if isinstance(checked, significance.MITestResult):
        result = checked
    else:
        with Progress(total=args.permutations, enabled=not args.quiet, delay=0.5) as progress:
            progress.set(f"{args.permutations} permutations ({table.n_rows:,} rows)")
            seen = [0]

            def advance(done: int, total: int) -> None:
                progress.advance(done - seen[0])
                seen[0] = done

            result = _estimate(significance._run, *checked, progress=advance)
    what = f"I({', '.join(xs)}; {', '.join(ys)}" + (f" | {', '.join(zs)})" if zs else ")")
    scheme = (f"local permutations, shuffle_neighbors={args.shuffle_neighbors}" if zs
              else "permutations")
    if args.json:
        say(json.dumps({"statistic_bits": result.statistic, "pvalue": result.pvalue,
                        "n_permutations": args.permutations, "k": k, "conditional": bool(zs),
                        "n": table.n_rows}, indent=1))
        return EXIT_OK
    say(f"{what} = {result.statistic:.4f} bits (KSG, k={k}, n={table.n_rows:,})")
    say(f"p-value = {result.pvalue:.4g} ({args.permutations} {scheme}, random_state={args.random_state})")
    return EXIT_OK
