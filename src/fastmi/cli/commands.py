"""The commands of the ``fastmi`` command line: ``mi``, ``entropy``, ``rank`` and ``bench``.

Values are computed in bits (nats for the scikit-learn drop-ins) and printed in the unit of
``--base`` (bits by default)."""

from __future__ import annotations

import argparse
import os
from typing import Any, Callable, Dict, List, Optional

from fastmi.cli import render
from fastmi.cli.errors import CLIError, first_line
from fastmi.cli.files import check_writable, write_error
from fastmi.cli.output import EXIT_FAILED, EXIT_OK, PROG, flush_stdout, print_error, say, stderr
from fastmi.cli.progress import Progress
from fastmi.cli.options import WIDE_REMEDY, dropna_rows, unit, variable
from fastmi.cli.reader import Table, list_names, load_table, show
from fastmi.cli.wording import Words, speaking


def _neighbours(k: int, n: int, path: str) -> int:
    """--k against the rows: the library's check (1 <= k < n), in the CLI's words."""
    from fastmi._validation import check_k

    try:
        return check_k(k, n)
    except ValueError:
        raise CLIError(f"--k {k} needs more than {k} rows; {path} has {n}") from None


def _estimate(fn: Any, *args: Any, words: Optional[Words] = None, **kwargs: Any) -> Any:
    """Call an estimator, turning its ValueError (bad data or parameters) into a CLIError;
    ``words`` rewrites the Python names in its messages (errors and warnings) as the
    columns and options the user typed."""
    try:
        with speaking(words):
            return fn(*args, **kwargs)
    except ValueError as exc:
        message = first_line(exc)
        raise CLIError(words(message) if words is not None else message) from None


#: The options of ``fastmi mi`` and ``fastmi entropy`` for the library's parameters.
_ESTIMATOR_WORDS = {"bins": "--bins", "k": "--k"}


def cmd_mi(args: argparse.Namespace) -> int:
    if args.estimator == "binned":
        if args.k is not None:
            raise CLIError("--k applies to --estimator ksg; use --bins with --estimator binned")
        if args.legacy:
            raise CLIError("--legacy applies to --estimator ksg only")
        if args.z is None and (len(args.x) != 1 or len(args.y) != 1):
            raise CLIError(_ONE_BY_ONE)
    elif args.bins is not None:
        raise CLIError("--bins applies to --estimator binned; use --k with --estimator ksg")
    if args.z is not None:
        return _conditional_mi(args)

    table = load_table(args.file, {}, named={"--x": args.x, "--y": args.y}, sep=args.sep)
    xs, ys = table.columns("--x"), table.columns("--y")
    if args.estimator == "binned" and (len(xs) != 1 or len(ys) != 1):
        raise CLIError(_ONE_BY_ONE)
    rows, _, n = dropna_rows(table, xs + ys, args)
    # integers beyond 2**53: refused by ksg_mi, taken by discrete_mi
    exact = WIDE_REMEDY["mi"] if args.estimator == "ksg" else None
    x = variable(table, xs, "--x", rows, exact=exact)
    y = variable(table, ys, "--y", rows, exact=exact)

    import fastmi

    u = unit(args)  # the API's own base: the value the Python call returns, to the bit
    words = Words({"x": ("--x", xs), "y": ("--y", ys)}, _ESTIMATOR_WORDS,
                  {"fastmi.entropy(x)": "'fastmi entropy' of the --x columns"}, rows=rows)
    if args.estimator == "binned":
        bins = 10 if args.bins is None else args.bins
        value = _estimate(fastmi.discrete_mi, x, y, bins=bins, base=u.base, n_jobs=args.n_jobs,
                          words=words)
        how = f"binned, bins={bins}"
    else:
        k = _neighbours(3 if args.k is None else args.k, n, table.path)
        value = _estimate(fastmi.ksg_mi, x, y, k=k, legacy=args.legacy, base=u.base, n_jobs=args.n_jobs,
                          words=words)
        how = f"KSG{' legacy' if args.legacy else ''}, k={k}"
    say(render.mi_line(xs, ys, value, u.name, how, n))
    return EXIT_OK


_ONE_BY_ONE = "--estimator binned takes exactly one --x and one --y column (any number with --z)"


def _conditional_mi(args: argparse.Namespace) -> int:
    """``fastmi mi FILE --x A --y B --z C``: I(X;Y|Z)."""
    if args.legacy:
        raise CLIError("--legacy applies to the mutual information without --z only")
    table = load_table(args.file, {}, named={"--x": args.x, "--y": args.y, "--z": args.z},
                       sep=args.sep)
    xs, ys, zs = table.columns("--x"), table.columns("--y"), table.columns("--z")
    rows, _, n = dropna_rows(table, xs + ys + zs, args)
    # integers beyond 2**53: refused by conditional_mi's KSG only
    exact = WIDE_REMEDY["mi"] if args.estimator == "ksg" else None
    x, y, z = (variable(table, xs, "--x", rows, exact=exact), variable(table, ys, "--y", rows, exact=exact),
               variable(table, zs, "--z", rows, exact=exact))

    import fastmi

    u = unit(args)
    words = Words({"x": ("--x", xs), "y": ("--y", ys), "z": ("--z", zs)}, _ESTIMATOR_WORDS,
                  {"given z too": "given --z too", "(fastmi.entropy)": "('fastmi entropy')"}, rows=rows)
    if args.estimator == "binned":
        bins = 10 if args.bins is None else args.bins
        value = _estimate(fastmi.conditional_mi, x, y, z, method="binned", bins=bins, base=u.base,
                          n_jobs=args.n_jobs, words=words)
        how = f"binned, bins={bins}"
    else:
        k = _neighbours(3 if args.k is None else args.k, n, table.path)
        value = _estimate(fastmi.conditional_mi, x, y, z, k=k, base=u.base, n_jobs=args.n_jobs,
                          words=words)
        how = f"KSG (Frenzel-Pompe), k={k}"
    say(render.cmi_line(xs, ys, zs, value, u.name, how, n))
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
    table = load_table(args.file, {}, named={"--x": args.x}, sep=args.sep)
    xs = table.columns("--x")
    rows, _, n = dropna_rows(table, xs, args)

    import fastmi

    u = unit(args)
    words = Words({"x": ("--x", xs)}, _ESTIMATOR_WORDS, {"method='discrete'": "--estimator discrete"},
                  rows=rows)
    if args.estimator == "discrete":
        x = np.column_stack([table.labels(c, "--x", rows) for c in xs])
        value = _estimate(fastmi.entropy, x, method="discrete", base=u.base, words=words)
        how = "discrete"
    else:
        # integers beyond 2**53: refused by the KL estimate only, as fastmi.entropy refuses them
        x = variable(table, xs, "--x", rows, exact=WIDE_REMEDY["entropy"] if args.estimator == "kl" else None)
        if args.estimator == "kl":
            k = _neighbours(3 if args.k is None else args.k, n, table.path)
            value = _estimate(fastmi.entropy, x, method="kl", k=k, base=u.base, n_jobs=args.n_jobs,
                              words=words)
            how = f"Kozachenko-Leonenko, k={k}"
        else:
            bins = 10 if args.bins is None else args.bins
            value = _estimate(fastmi.entropy, x, method=args.estimator, bins=bins, base=u.base,
                              n_jobs=args.n_jobs, words=words)
            how = f"{'binned' if args.estimator == 'binned' else 'Miller-Madow'}, bins={bins}"
    say(render.entropy_line(xs, value, u.name, how, n))
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

    table = load_table(args.file, required={args.target: "--target"},
                       named={"--discrete": args.discrete}, sep=args.sep)
    discrete = table.columns("--discrete")
    if args.target in discrete and args.task == "regression":
        raise CLIError(f"--task regression contradicts --discrete {args.target!r} (the target)")
    task = args.task if args.task != "auto" else \
        "classification" if args.target in discrete else _guess_task(table, args.target)
    features = [c for c in table.names if c != args.target]
    if not features:
        raise CLIError(f"{table.path} has no column besides the target {args.target!r}")
    is_discrete = [c in discrete or not table.is_numeric(c) for c in features]
    n = table.n_rows
    _neighbours(args.k, n, table.path)

    # the features that use the same rows, estimated together (all of them without --dropna)
    groups: Dict[bytes, List[int]] = {}
    masks: Dict[bytes, Any] = {}
    if args.dropna:
        target_ok = ~table.missing(args.target)
        for j, name in enumerate(features):
            keep = target_ok & ~table.missing(name)
            groups.setdefault(keep.tobytes(), []).append(j)
            masks[keep.tobytes()] = keep
    else:
        groups[b""] = list(range(len(features)))
        masks[b""] = None

    import fastmi

    estimator = fastmi.mutual_info_classif if task == "classification" \
        else fastmi.mutual_info_regression
    mi = np.zeros(len(features))
    used = np.full(len(features), n)
    label = f"ranking {len(features)} columns by MI with {args.target!r} ({n:,} rows)"
    with Progress(enabled=not args.quiet, delay=0.5) as progress:
        progress.set(label)
        for key, cols in groups.items():
            rows = masks[key]
            m = n if rows is None else int(rows.sum())
            if m <= args.k:
                raise CLIError(f"--k {args.k} needs more than {args.k} rows; with --dropna "
                               f"{list_names([features[j] for j in cols])} and the target have "
                               f"{m} complete rows")
            y = table.numeric(args.target, "--target", rows) if task == "regression" \
                else table.labels(args.target, "--target", rows)
            X = np.column_stack([table.labels(features[j], "--discrete", rows) if is_discrete[j]
                                 else table.numeric(features[j], "feature column", rows)
                                 for j in cols])
            mask = np.array([is_discrete[j] for j in cols])
            words = Words({"X": ("", [features[j] for j in cols]), "y": ("--target", [args.target])},
                          {"n_neighbors": "--k", "random_state": "--random-state"}, _SKLEARN_WORDS,
                          rows=rows)
            values = _estimate(estimator, X, y, discrete_features=mask if mask.any() else "auto",
                               n_neighbors=args.k, random_state=args.random_state,
                               n_jobs=args.n_jobs, words=words)
            mi[cols] = np.asarray(values, dtype=np.float64)
            used[cols] = m
    u = unit(args)
    mi = u.from_nats(mi)
    if args.dropna and not args.quiet:
        dropped = [(features[j], n - int(used[j])) for j in range(len(features)) if used[j] < n]
        shown = ", ".join(f"{show(c)} {d:,}" for c, d in dropped[:20]) or "none"
        stderr(f"{PROG}: note: --dropna dropped rows where the column or the target "
               f"{args.target!r} is missing: {shown}"
               + (f", ... ({len(dropped) - 20} more columns)" if len(dropped) > 20 else "")
               + (f" (of {n:,} rows)" if dropped else ""))
    order = np.argsort(-mi, kind="stable")
    if args.top is not None:
        order = order[: args.top]
    ranked = [{"rank": r + 1, "column": features[j], "mi": float(mi[j]), "n": int(used[j]),
               "discrete": bool(is_discrete[j])} for r, j in enumerate(order)]
    if args.json:
        say(render.rank_json({"target": args.target, "task": task, "unit": u.name, "n": n,
                              "dropped": int(n - used.min()) if args.dropna else 0,
                              "estimator": estimator.__name__, "n_neighbors": args.k,
                              "random_state": args.random_state, "ranking": ranked}))
        return EXIT_OK
    coded = [c for c, d in zip(features, is_discrete) if d]
    say(f"MI with {args.target!r} ({task}, {estimator.__name__}, --k {args.k}, "
        f"--random-state {args.random_state}, n={n:,}), in {u.name}"
        + (f"; discrete: {list_names(coded, 5)}" if coded else "") + ":")
    for line in render.rank_table(ranked, u.name, rows=bool(args.dropna)):
        say(line)
    return EXIT_OK


#: The scikit-learn drop-ins named in their messages, as ``fastmi rank`` chooses them.
_SKLEARN_WORDS = {"mutual_info_classif": "--task classification",
                  "mutual_info_regression": "--task regression",
                  "random_state seed": "--random-state"}


def _check_plot_format(path: str) -> None:
    """Refuse a --plot file whose extension matplotlib cannot write, before the run."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    formats = sorted(FigureCanvasAgg.get_supported_filetypes())
    ext = os.path.splitext(path)[1][1:].lower()
    if ext not in formats:
        what = f"its extension {render.path('.' + ext)} is not an image format" if ext \
            else "it has no extension"
        raise CLIError(f"cannot write --plot file {render.path(path)}: {what}; use one of "
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
        ignored = [flag for flag, value in (("--json", args.json), ("--plot", args.plot), ("--cases", args.cases),
                                            ("--budget", args.budget)) if value is not None]
        if ignored:
            raise CLIError(f"--dask runs its own cases and prints them only; it does not take {', '.join(ignored)}")
        from fastmi.bench import dask_cases

        return EXIT_OK if dask_cases.run(quick=args.quick, emit=say)["equal"] else EXIT_FAILED
    keys = None
    if args.cases is not None:
        try:
            keys = bench.select_cases([k.strip() for k in args.cases.split(",") if k.strip()])
        except ValueError as exc:
            raise CLIError(str(exc)) from None
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
        say(f"\nwrote {render.path(args.json)}")
    if args.plot is not None:
        _write(lambda: bench.plot(results, args.plot), args.plot, "--plot")
        say(f"wrote {render.path(args.plot)}")
    bad = bench.disagreements(results)
    if bad:
        flush_stdout()
        print_error(f"values disagree or failed: {'; '.join(bad)}", kind=None)
        return EXIT_FAILED
    return EXIT_OK
