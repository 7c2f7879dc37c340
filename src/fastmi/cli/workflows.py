"""The workflow commands of the ``fastmi`` command line: ``pairwise``, ``select`` and ``test``."""

from __future__ import annotations

import argparse
import json
import math
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

from fastmi.cli import render
from fastmi.cli.commands import _check_plot_format, _estimate, _neighbours, _write
from fastmi.cli.options import WIDE_REMEDY, complete_rows, dropna_rows, unit, variable
from fastmi.cli.errors import CLIError
from fastmi.cli.files import check_writable
from fastmi.cli.output import EXIT_OK, PROG, say, stderr
from fastmi.cli.progress import Progress
from fastmi.cli.reader import Table, list_names, load_table
from fastmi.cli.wording import Words

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def _numeric_features(table: Table, names: Optional[List[str]], exclude: Sequence[str], quiet: bool) -> List[str]:
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


def _check_plot(path: Optional[str]) -> None:
    if path is None:
        return
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CLIError("matplotlib is needed for --plot: pip install 'fastmi[plot]'") from None
    _check_plot_format(path)
    check_writable(path, "--plot")


def _heatmap(matrix: Any, names: List[str], title: str, path: str, unit_name: str) -> None:
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
    fig.colorbar(image, ax=ax, label=unit_name)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _cell(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.4f}"


def _pairwise_words(columns: List[str], option: Optional[List[str]],
                    rows: Optional[npt.NDArray[np.bool_]] = None) -> Words:
    """pairwise_mi's names of its columns (X[:, j]; x and y for the two of a pair, which
    its message names only when the call has just the two) as the columns of the command
    line; its samples as the file's data rows ``rows`` (None: every data row)."""
    named = "--columns" if option else ""
    pair = len(columns) == 2
    return Words({"X": (named, columns), "x": (named, columns[:1] if pair else None),
                  "y": (named, columns[1:] if pair else None)},
                 {"bins": "--bins", "k": "--k"}, {"method='binned'": "--method binned"}, rows=rows)


def cmd_pairwise(args: argparse.Namespace) -> int:
    import numpy as np

    if args.method == "binned" and args.k is not None:
        raise CLIError("--k applies to --method ksg; use --bins with --method binned")
    if args.method == "ksg" and args.bins is not None:
        raise CLIError("--bins applies to --method binned; use --k with --method ksg")
    _check_plot(args.plot)
    table = load_table(args.file, {} if args.columns else None, named={"--columns": args.columns},
                       sep=args.sep)
    names = _numeric_features(table, table.columns("--columns") or None, (), args.quiet)
    if len(names) < 2:
        raise CLIError(f"pairwise needs at least two columns; got {list_names(names)}")

    import fastmi

    if args.method == "ksg":
        k = _neighbours(3 if args.k is None else args.k, table.n_rows, table.path)
        options: Dict[str, Any] = {"k": k}
        how = f"KSG, k={k}"
    else:
        options = {"bins": 10 if args.bins is None else args.bins}
        how = f"binned, bins={options['bins']}"
    p = len(names)
    complete = [not table.missing(c).any() for c in names] if args.dropna else [True] * p
    full = [j for j in range(p) if complete[j]]
    pairs = p * (p - 1) // 2
    u = unit(args)  # the API's own base: the values the Python call returns, to the bit
    # integers beyond 2**53: refused by pairwise_mi's KSG only
    exact = WIDE_REMEDY["pairwise"] if args.method == "ksg" else None
    M = np.full((p, p), np.nan)
    dropped = np.zeros((p, p), dtype=np.int64)
    with Progress(enabled=not args.quiet, delay=0.5) as progress:
        progress.set(f"MI of {pairs} column pairs ({table.n_rows:,} rows)")
        if len(full) >= 2:  # the columns without missing values: one call, as pairwise_mi
            X = np.column_stack([table.numeric(names[j], "--columns", exact=exact) for j in full])
            M[np.ix_(full, full)] = _estimate(fastmi.pairwise_mi, X, method=args.method, base=u.base,
                                              n_jobs=args.n_jobs, words=_pairwise_words(
                                                  [names[j] for j in full], args.columns), **options)
        for i in range(p):  # with --dropna, each pair with a missing value on its complete rows
            for j in range(i, p):
                if complete[i] and complete[j] and (i != j or len(full) >= 2) \
                        or i == j and args.method == "ksg":  # the KSG diagonal is NaN
                    continue
                rows = complete_rows(table, [names[i], names[j]])
                kept = int(rows.sum())
                if args.method == "ksg" and kept <= k:
                    raise CLIError(f"--k {k} needs more than {k} rows; with --dropna columns "
                                   f"{names[i]!r} and {names[j]!r} have {kept} complete rows")
                pair = np.column_stack([table.numeric(names[i], "--columns", rows, exact=exact),
                                        table.numeric(names[j], "--columns", rows, exact=exact)])
                value = _estimate(fastmi.pairwise_mi, pair, method=args.method, base=u.base,
                                  n_jobs=args.n_jobs, **options,
                                  words=_pairwise_words([names[i], names[j]], args.columns, rows))
                M[i, j] = M[j, i] = value[0, 0] if i == j else value[0, 1]
                dropped[i, j] = dropped[j, i] = table.n_rows - kept
    if args.dropna and not args.quiet:
        incomplete = [(c, int(table.missing(c).sum())) for c, ok in zip(names, complete) if not ok]
        stderr(f"{PROG}: note: --dropna dropped, for each pair, the rows where either column is "
               f"missing: up to {int(dropped.max()):,} of {table.n_rows:,} rows"
               + (f" (missing values in {', '.join(f'{c!r} {m:,}' for c, m in incomplete)})"
                  if incomplete else ""))
    if args.json:
        rows_json = [[None if math.isnan(v) else float(v) for v in row] for row in M]
        out: Dict[str, Any] = {"columns": names, "estimator": how, "unit": u.name, "n": table.n_rows,
                               "matrix": rows_json}
        if args.dropna:
            out["dropped"] = dropped.tolist()
        say(json.dumps(out, indent=1))
    else:
        diagonal = "NaN (I(X;X) is infinite)" if args.method == "ksg" else "entropy of the binned column"
        say(f"pairwise MI in {u.name} ({how}, n={table.n_rows:,}; diagonal: {diagonal}):")
        for line in render.matrix_table(names, [[_cell(v) for v in row] for row in M],
                                        f"({u.name})"):
            say(line)
    if args.plot is not None:
        _write(lambda: _heatmap(M, names, f"pairwise MI ({how})", args.plot, u.name), args.plot, "--plot")
        if not args.json:
            say(f"wrote {render.path(args.plot)}")
    return EXIT_OK


def cmd_select(args: argparse.Namespace) -> int:
    import numpy as np

    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise CLIError("scikit-learn is needed for select: pip install 'fastmi[sklearn]'") from None
    table = load_table(args.file, {args.target: "--target"} if args.columns else None,
                       required={args.target: "--target"}, named={"--columns": args.columns},
                       sep=args.sep)
    names = table.columns("--columns") or None
    if names is not None and args.target in names:
        raise CLIError(f"--columns names the target {args.target!r}: the candidates are the other columns")
    features = _numeric_features(table, names, (args.target,), args.quiet)
    if args.n > len(features):
        raise CLIError(f"--n {args.n} is more than the {len(features)} feature columns")
    rows, _, n = dropna_rows(table, [args.target, *features], args)
    X = np.column_stack([table.numeric(c, "feature column", rows) for c in features])
    y = table.labels(args.target, "--target", rows) if not table.is_numeric(args.target) \
        else table.numeric(args.target, "--target", rows)
    _neighbours(args.k, n, table.path)

    import fastmi

    selector = fastmi.MRMRSelector(args.n, criterion=args.criterion, n_neighbors=args.k,
                                   random_state=args.random_state, n_jobs=args.n_jobs)
    with Progress(enabled=not args.quiet, delay=0.5) as progress:
        progress.set(f"selecting {args.n} of {len(features)} columns ({n:,} rows)")
        _estimate(selector.fit, X, y, words=Words(
            {"X": ("--columns" if args.columns else "", features), "y": ("--target", [args.target])},
            {"n_neighbors": "--k", "n_features_to_select": "--n", "criterion": "--criterion",
             "random_state": "--random-state"}, {"random_state seed": "--random-state"}, rows=rows))
    u = unit(args)
    # every score but miq's is in nats; miq's is a ratio (no unit), but for the first
    # pick, which is by relevance alone (its score is its relevance, in nats): none there
    miq = args.criterion == "miq"
    score_unit = "ratio" if miq else u.name
    scores: List[Optional[float]] = [
        None if miq and step == 0 or not math.isfinite(v) else float(v)
        for step, v in enumerate(selector.scores_ if miq else u.from_nats(selector.scores_))]
    relevance = u.from_nats(selector.relevance_)
    picked = [{"step": s + 1, "column": features[j],
               "score": scores[s],
               "relevance": float(relevance[j])}
              for s, j in enumerate(selector.selected_)]
    if args.json:
        say(json.dumps({"target": args.target, "criterion": args.criterion, "unit": u.name,
                        "score_unit": score_unit, "n": n, "dropped": table.n_rows - n,
                        "selected": picked}, indent=1))
        return EXIT_OK
    say(f"mRMR selection for {args.target!r} (--criterion {args.criterion}, --k {args.k}, "
        f"--random-state {args.random_state}, n={n:,}), relevance in {u.name}, score "
        + ("a ratio (no unit; the first pick is the most relevant):" if miq else f"in {u.name}:"))
    for line in render.select_table(picked, scores, score_unit, u.name):
        say(line)
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    table = load_table(args.file, {}, named={"--x": args.x, "--y": args.y, "--z": args.z},
                       sep=args.sep)
    xs, ys, zs = table.columns("--x"), table.columns("--y"), table.columns("--z")
    rows, _, n = dropna_rows(table, [*xs, *ys, *zs], args)
    # integers beyond 2**53, which float64 rounds: refused, as mi_test refuses them
    wide = WIDE_REMEDY["test"]
    x, y = variable(table, xs, "--x", rows, exact=wide), variable(table, ys, "--y", rows, exact=wide)
    z = variable(table, zs, "--z", rows, exact=wide) if zs else None
    k = _neighbours(args.k, n, table.path)
    if zs and args.shuffle_neighbors >= n:  # the library's check, in the CLI's words
        raise CLIError(f"--shuffle-neighbors {args.shuffle_neighbors} needs more than "
                       f"{args.shuffle_neighbors} rows; {table.path} has {n}"
                       + (" complete rows (--dropna)" if args.dropna else ""))
    words = Words({"x": ("--x", xs), "y": ("--y", ys), "z": ("--z", zs)},
                  {"k": "--k", "n_permutations": "--permutations",
                   "shuffle_neighbors": "--shuffle-neighbors", "random_state": "--random-state"},
                  {"random_state seed": "--random-state", "(given z too)": "(given --z too)",
                   "1 / (1 + n_permutations)": "1 / (1 + --permutations)"}, rows=rows)

    from fastmi import significance

    u = unit(args)  # the API's own base: the values the Python call returns, to the bit
    checked = _estimate(significance._check, x, y, z, k, args.permutations, args.shuffle_neighbors,
                        args.random_state, args.n_jobs, u.base, words=words)
    if isinstance(checked, significance.MITestResult):
        result = checked
    else:
        with Progress(total=args.permutations, enabled=not args.quiet, delay=0.5) as progress:
            progress.set(f"{args.permutations} permutations ({n:,} rows)")
            seen = [0]

            def advance(done: int, total: int) -> None:
                progress.advance(done - seen[0])
                seen[0] = done

            result = _estimate(significance._run, *checked, progress=advance, words=words)
    statistic = float(result.statistic)
    what = f"I({render.term(xs)}; {render.term(ys)}" + (f" | {render.term(zs)})" if zs else ")")
    scheme = (f"local permutations, --shuffle-neighbors {args.shuffle_neighbors}" if zs
              else "permutations")
    if args.json:
        say(json.dumps({"statistic": statistic, "unit": u.name, "pvalue": result.pvalue,
                        "n_permutations": args.permutations, "k": k, "conditional": bool(zs),
                        "n": n, "dropped": table.n_rows - n}, indent=1))
        return EXIT_OK
    say(f"{what} = {statistic:.4f} {u.name} (KSG, k={k}, n={n:,})")
    say(f"p-value = {result.pvalue:.4g} ({args.permutations} {scheme}, --random-state {args.random_state})")
    return EXIT_OK
