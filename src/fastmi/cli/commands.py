"""The commands of the ``fastmi`` command line: ``mi``, ``entropy``, ``rank`` and ``bench``."""

from __future__ import annotations

import argparse
import os
from typing import Any, Callable, List

from fastmi.cli import render
from fastmi.cli.errors import CLIError, first_line
from fastmi.cli.files import check_writable, write_error
from fastmi.cli.output import EXIT_FAILED, EXIT_OK, PROG, flush_stdout, print_error, say, stderr
from fastmi.cli.progress import Progress
from fastmi.cli.reader import Table, list_names, load_table


def _neighbours(k: int, n: int, path: str) -> int:
    """--k against the rows: the library's check (1 <= k < n), in the CLI's words."""
    from fastmi._validation import check_k

    try:
        return check_k(k, n)
    except ValueError:
        raise CLIError(f"--k {k} needs more than {k} rows; {path} has {n}") from None


def _estimate(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call an estimator, turning its ValueError (bad data or parameters) into a CLIError."""
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:
        raise CLIError(first_line(exc)) from None


def cmd_mi(args: argparse.Namespace) -> int:
    import numpy as np

    if args.estimator == "binned":
        if args.k is not None:
            raise CLIError("--k applies to --estimator ksg; use --bins with --estimator binned")
        if args.legacy:
            raise CLIError("--legacy applies to --estimator ksg only")
        if args.z is None and (len(args.x) != 1 or len(args.y) != 1):
            raise CLIError("--estimator binned takes exactly one --x and one --y column (any number with --z)")
    elif args.bins is not None:
        raise CLIError("--bins applies to --estimator binned; use --k with --estimator ksg")
    if args.z is not None:
        return _conditional_mi(args)

    table = load_table(args.file, {**{c: "--x" for c in args.x}, **{c: "--y" for c in args.y}})
    x = np.column_stack([table.numeric(c, "--x") for c in args.x])
    y = np.column_stack([table.numeric(c, "--y") for c in args.y])
    if x.shape[1] == 1:
        x = x[:, 0]
    if y.shape[1] == 1:
        y = y[:, 0]
    n = table.n_rows

    import fastmi

    if args.estimator == "binned":
        bins = 10 if args.bins is None else args.bins
        value = _estimate(fastmi.discrete_mi, x, y, bins=bins, n_jobs=args.n_jobs)
        how = f"binned, bins={bins}"
    else:
        k = _neighbours(3 if args.k is None else args.k, n, args.file)
        value = _estimate(fastmi.ksg_mi, x, y, k=k, legacy=args.legacy, n_jobs=args.n_jobs)
        how = f"KSG{' legacy' if args.legacy else ''}, k={k}"
    say(render.mi_line(args.x, args.y, value, how, n))
    return EXIT_OK


def _columns(table: Table, names: List[str], option: str) -> Any:
    """The numeric columns `names` as one variable: (n,) for one column, else (n, d)."""
    import numpy as np

    data = np.column_stack([table.numeric(c, option) for c in names])
    return data[:, 0] if data.shape[1] == 1 else data


def _conditional_mi(args: argparse.Namespace) -> int:
    """``fastmi mi FILE --x A --y B --z C``: I(X;Y|Z), in bits."""
    if args.legacy:
        raise CLIError("--legacy applies to the mutual information without --z only")
    table = load_table(args.file, {**{c: "--x" for c in args.x}, **{c: "--y" for c in args.y},
                                   **{c: "--z" for c in args.z}})
    x, y, z = _columns(table, args.x, "--x"), _columns(table, args.y, "--y"), _columns(table, args.z, "--z")
    n = table.n_rows

    import fastmi

    if args.estimator == "binned":
        bins = 10 if args.bins is None else args.bins
        value = _estimate(fastmi.conditional_mi, x, y, z, method="binned", bins=bins, n_jobs=args.n_jobs)
        how = f"binned, bins={bins}"
    else:
        k = _neighbours(3 if args.k is None else args.k, n, args.file)
        value = _estimate(fastmi.conditional_mi, x, y, z, k=k, n_jobs=args.n_jobs)
        how = f"KSG (Frenzel-Pompe), k={k}"
    say(render.cmi_line(args.x, args.y, args.z, value, how, n))
    return EXIT_OK


def cmd_entropy(args: argparse.Namespace) -> int:
    import numpy as np

    if args.estimator == "kl":
        if args.bins is not None:
            raise CLIError("--bins applies to --estimator binned or miller_madow; use --k with --estimator kl")
    elif args.k is not None:
        raise CLIError("--k applies to --estimator kl; use --bins with --estimator binned or miller_madow")
    elif args.estimator == "discrete" and args.bins is not None:
        raise CLIError("--bins applies to --estimator binned or miller_madow, not discrete")
    table = load_table(args.file, {c: "--x" for c in args.x})
    n = table.n_rows

    import fastmi

    if args.estimator == "discrete":
        x = np.column_stack([table.labels(c, "--x") for c in args.x])
        value = _estimate(fastmi.entropy, x, method="discrete")
        how = "discrete"
    else:
        x = _columns(table, args.x, "--x")
        if args.estimator == "kl":
            k = _neighbours(3 if args.k is None else args.k, n, args.file)
            value = _estimate(fastmi.entropy, x, method="kl", k=k, n_jobs=args.n_jobs)
            how = f"Kozachenko-Leonenko, k={k}"
        else:
            bins = 10 if args.bins is None else args.bins
            value = _estimate(fastmi.entropy, x, method=args.estimator, bins=bins, n_jobs=args.n_jobs)
            how = f"{'binned' if args.estimator == 'binned' else 'Miller-Madow'}, bins={bins}"
    say(render.entropy_line(args.x, value, how, n))
    return EXIT_OK


def _guess_task(table: Table, target: str) -> str:
    import numpy as np

    col = table.data[target]
    if col.dtype != np.float64:
        return "classification"
    finite = col[np.isfinite(col)]
    if finite.size and np.all(finite == np.round(finite)) and np.unique(finite).size <= 20:
        return "classification"
    return "regression"


def cmd_rank(args: argparse.Namespace) -> int:
    import numpy as np

    table = load_table(args.file, required={args.target: "--target"})
    task = args.task if args.task != "auto" else _guess_task(table, args.target)
    if task == "regression":
        y = table.numeric(args.target, "--target")
    else:
        y = table.labels(args.target, "--target")
    others = [c for c in table.names if c != args.target]
    features = [c for c in others if table.is_numeric(c)]
    skipped = [c for c in others if not table.is_numeric(c)]
    if not features:
        raise CLIError(f"{args.file} has no numeric column besides the target "
                       f"{args.target!r}"
                       + (f" (non-numeric: {list_names(skipped)})" if skipped else ""))
    X = np.column_stack([table.numeric(c, "feature column") for c in features])
    n = table.n_rows
    _neighbours(args.k, n, args.file)
    if skipped and not args.quiet:
        stderr(f"{PROG}: note: skipping non-numeric columns: {list_names(skipped)}")

    import fastmi

    estimator = fastmi.mutual_info_classif if task == "classification" \
        else fastmi.mutual_info_regression
    label = f"ranking {len(features)} columns by MI with {args.target!r} ({n:,} rows)"
    with Progress(enabled=not args.quiet, delay=0.5) as progress:
        progress.set(label)
        mi = _estimate(estimator, X, y, n_neighbors=args.k, random_state=args.random_state,
                       n_jobs=args.n_jobs)
    mi = np.asarray(mi, dtype=np.float64)
    order = np.argsort(-mi, kind="stable")
    if args.top is not None:
        order = order[: args.top]
    ranked = [{"rank": r + 1, "column": features[j], "mi_nats": float(mi[j])}
              for r, j in enumerate(order)]
    if args.json:
        say(render.rank_json(ranked))
        return EXIT_OK
    say(f"MI with {args.target!r} ({task}, {estimator.__name__}, n_neighbors={args.k}, "
        f"random_state={args.random_state}, n={n:,}), in nats:")
    for line in render.rank_table(ranked):
        say(line)
    return EXIT_OK


def _check_plot_format(path: str) -> None:
    """Refuse a --plot file whose extension matplotlib cannot write, before the run."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    formats = sorted(FigureCanvasAgg.get_supported_filetypes())
    ext = os.path.splitext(path)[1][1:].lower()
    if ext not in formats:
        what = f"its extension .{ext} is not an image format" if ext else "it has no extension"
        raise CLIError(f"cannot write --plot file {path}: {what}; use one of "
                       f"{', '.join('.' + f for f in formats)}")


def _write(write: Callable[[], None], path: str, option: str) -> None:
    """Write an output file, a failure being one CLIError that names it."""
    try:
        write()
    except OSError as exc:
        raise write_error(path, option, exc) from None


def cmd_bench(args: argparse.Namespace) -> int:
    from fastmi import bench

    if getattr(args, "dask", False):
        from fastmi.bench import dask_cases

        return EXIT_OK if dask_cases.run(quick=args.quick, emit=say)["equal"] else EXIT_FAILED
    keys = None
    if args.cases is not None:
        keys = [k.strip() for k in args.cases.split(",") if k.strip()]
        unknown = [k for k in keys if k not in bench.CASE_KEYS]
        if unknown or not keys:
            raise CLIError(f"unknown --cases {', '.join(unknown) or repr(args.cases)}; "
                           f"choose from {', '.join(bench.CASE_KEYS)}")
    if args.plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise CLIError("matplotlib is needed for --plot: "
                           "pip install 'fastmi[plot]'") from None
        _check_plot_format(args.plot)
        check_writable(args.plot, "--plot")
    if args.json is not None:
        check_writable(args.json, "--json")

    with Progress(enabled=not args.quiet) as progress:
        results = bench.run(quick=args.quick, n_jobs=args.n_jobs, budget=args.budget,
                             keys=keys, progress=progress, emit=progress.write)
    if args.json is not None:
        _write(lambda: bench.write_json(results, args.json), args.json, "--json")
        say(f"\nwrote {args.json}")
    if args.plot is not None:
        _write(lambda: bench.plot(results, args.plot), args.plot, "--plot")
        say(f"wrote {args.plot}")
    bad = bench.disagreements(results)
    if bad:
        flush_stdout()
        print_error(f"values disagree or failed: {'; '.join(bad)}", kind=None)
        return EXIT_FAILED
    return EXIT_OK
