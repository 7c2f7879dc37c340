"""The arguments of the ``fastmi`` command line."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any, Callable, List, NoReturn

from fastmi.cli.commands import cmd_bench, cmd_entropy, cmd_mi, cmd_rank
from fastmi.cli.workflows import cmd_pairwise, cmd_select, cmd_test
from fastmi.cli.options import add_input, add_unit
from fastmi.cli.output import EXIT_USAGE, PROG, say
from fastmi.cli.render import path


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors reported on one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{PROG}: error: {message} (see '{self.prog} --help')\n")

    # argparse writes help and usage with a write whose OSError it ignores, so that
    # ``fastmi --help | head -0`` (or into a full disk) would exit 0 with the text lost;
    # on standard output they go through say(), as every other output does
    # (BrokenPipeError: exit 141; another write error: exit 2)

    def print_help(self, file: Any = None) -> None:
        if file is None or file is sys.stdout:
            say(self.format_help(), end="")
        else:
            super().print_help(file)

    def print_usage(self, file: Any = None) -> None:
        if file is None or file is sys.stdout:
            say(self.format_usage(), end="")
        else:
            super().print_usage(file)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        """argparse's, with a hint where the words left over start right after the value of
        a column-naming option (which takes one name or comma-separated list, or is
        repeated: ``--columns a b`` leaves ``b`` over)."""
        words = list(sys.argv[1:] if args is None else args)
        parsed, extras = self.parse_known_args(words, namespace)
        if extras:
            # shown as paths are (a word holding a line end stays on the line; a Windows
            # path keeps its backslashes as typed)
            message = "unrecognized arguments: " + " ".join(path(w) for w in extras)
            option = _after_column_option(words, extras[0])
            if option:
                message += (f"; {option} takes one comma-separated list ({option} a,b) "
                            f"or is repeated ({option} a {option} b)")
            self.error(message)
        return parsed


#: The options that name columns, each taking one name or comma-separated list a use.
COLUMN_OPTIONS = ("--columns", "--x", "--y", "--z", "--discrete")


def _after_column_option(words: List[str], word: str) -> str:
    """The column-naming option whose value ``word`` (not an option) comes right after in
    ``words``; "" if none."""
    if word.startswith("-"):
        return ""
    for i, w in enumerate(words):
        option, eq, _ = w.partition("=")
        if option not in COLUMN_OPTIONS:
            continue
        after = i + 1 if eq else i + 2
        if after < len(words) and words[after] == word:
            return option
    return ""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _number(text: str, convert: Callable[[str], Any], ok: Callable[[Any], bool], expected: str) -> Any:
    """`text` converted, when the result is ok; else argparse's error "expected ..."."""
    try:
        value = convert(text)
    except ValueError:
        value = None
    if value is None or not ok(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    return int(_number(text, int, lambda v: v >= 1, "a positive integer"))


def _seed(text: str) -> int:
    return int(_number(text, int, lambda v: 0 <= v < 2**32, "an integer from 0 to 2**32-1"))


def _n_jobs(text: str) -> int:
    # the library's rule (fastmi._validation.resolve_n_jobs): any integer but 0
    return int(_number(text, int, lambda v: v != 0,
                       "a positive number of threads, or -1 (all cores), -2 (all but one), ..."))


def _positive_float(text: str) -> float:
    return float(_number(text, float, lambda v: v > 0 and not math.isinf(v), "a positive number of seconds"))


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--n-jobs", type=_n_jobs, default=None, metavar="N",
                   help="threads for fastmi: -1 for all cores, -2 for all but one, ... "
                        "(default: OpenMP's default)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar or notes on stderr")


COLUMN_NAMES = """\
Column names: a value of an option that names columns (--x, --y, --z, --columns,
--discrete) that is the name of a column is that column, commas and spaces included; any
other value is a comma-separated list of column names (spaces around each ignored).  Repeat
the option for several columns (--z c1 --z c2, or --z c1,c2); a column named twice counts
once.  --target takes one name as it is.  Names that are not plain text (a line end, a
backslash, spaces at either end, ...) are printed quoted, with backslash escapes ('a\\nb');
JSON output holds them exactly.
"""
REPEAT = "repeat it, or a comma-separated list; see 'Column names' below"
SEVERAL = f"several: {REPEAT}"

FILE_HELP = ("CSV (.csv, .tsv; also compressed: .gz, .bz2, .xz, .zip, .zst) or Parquet "
             "(.parquet) file; - for standard input; a pipe such as <(command) works too")
PAIR_DROPNA = ("drop the rows where one of the columns used is missing (an empty or NA cell), "
               "and say how many; without it a missing value is an error")

BENCH_EXAMPLES = """\
The full ladder reaches 1e7 samples for binned MI and 1e6 for KSG; a baseline too slow
to run at a size within the budget is timed at a smaller size and its time extrapolated
(marked "~... s*").  Exit status 1 if any value disagrees with its baseline.

examples:
  fastmi bench --quick
  fastmi bench --json bench.json --plot bench.png
  fastmi bench --quick --cases ksg,classif --n-jobs 2
  fastmi bench --quick --cases toolkit,workflows
"""

MI_EXAMPLES = """\
KSG (Kraskov et al. 2004, algorithm 1) works on continuous columns; --x and --y may be
repeated to treat several columns as one multivariate variable.  The binned estimator uses a joint
histogram with --bins equal-width bins per axis.  With --z, the conditional mutual information
I(X;Y|Z): KSG then is Frenzel and Pompe's estimator, printed unclipped (it may be slightly
negative when X and Y are independent given Z).

examples:
  fastmi mi data.csv --x height --y weight
  fastmi mi data.parquet --x a --y b --estimator binned --bins 32
  fastmi mi data.csv --x a1 --x a2 --y b --k 5
  fastmi mi data.csv --x a --y b --z c --k 10
"""

ENTROPY_EXAMPLES = """\
kl is the Kozachenko-Leonenko estimate of the differential entropy (max-norm, k-th
neighbour); binned and miller_madow the plug-in entropy of a histogram with --bins bins per
column (Miller-Madow adds (m - 1) / 2n nats, m the occupied bins); discrete the plug-in
entropy of the distinct values (text columns too).  --x may be repeated for a joint entropy.

examples:
  fastmi entropy data.csv --x height
  fastmi entropy data.csv --x a --x b --k 5
  fastmi entropy data.csv --x label --estimator discrete
"""

RANK_EXAMPLES = """\
Uses fastmi.mutual_info_classif / mutual_info_regression (the same numbers as
scikit-learn's functions with the same random_state).  With --task auto the target is
taken as class labels when it is text, listed in --discrete, or has at most 20 distinct
integer values.  Text columns are categorical (coded and treated as discrete features), as
are the columns listed in --discrete; other numeric columns are continuous.  Values are in
bits (scikit-learn's functions return nats: use --nats to compare).

examples:
  fastmi rank data.csv --target label
  fastmi rank data.parquet --target price --task regression --top 10
  fastmi rank data.csv --target label --json > ranking.json
  fastmi rank data.csv --target label --discrete zip_code,n_rooms --dropna
  cat data.tsv | fastmi rank - --target label --sep '\\t'
"""

PAIRWISE_EXAMPLES = """\
Every entry [i, j] is fastmi.pairwise_mi's: exactly ksg_mi (or discrete_mi with
--method binned) of the two columns, in bits.  The KSG diagonal is shown as "-" (I(X;X) of
a continuous variable is infinite).  Non-numeric columns are skipped (with a note).

examples:
  fastmi pairwise data.csv
  fastmi pairwise data.parquet --columns a,b,c --json > mi.json
  fastmi pairwise data.csv --plot heatmap.png
"""

SELECT_EXAMPLES = """\
Greedy minimum-redundancy maximum-relevance selection (fastmi.MRMRSelector; needs
scikit-learn).  The target is taken as class labels when scikit-learn's type_of_target
calls it binary or multiclass (text, or few integer values), else as continuous.

examples:
  fastmi select data.csv --target label --n 10
  fastmi select data.parquet --target price --n 5 --criterion jmi --json
"""

TEST_EXAMPLES = """\
A permutation test of independence of --x and --y (fastmi.mi_test): the KSG estimate and
its value on permuted data; with --z, the conditional estimate and Runge's local
permutations within each sample's --shuffle-neighbors nearest neighbours in --z.

examples:
  fastmi test data.csv --x a --y b
  fastmi test data.csv --x a --y b --z c --permutations 200 --k 10
  fastmi test data.csv --x a --y b --z c1 --z c2
"""

MAIN_DESCRIPTION = """\
Fast mutual-information estimators.

examples:
  fastmi bench --quick
  fastmi mi data.csv --x a --y b
  fastmi mi data.csv --x a --y b --z c
  fastmi entropy data.csv --x a
  fastmi rank data.csv --target label --top 10
  fastmi pairwise data.csv --plot heatmap.png
  fastmi select data.csv --target label --n 10
  fastmi test data.csv --x a --y b --z c

Run 'fastmi COMMAND --help' for a command's options.
"""


def _command(sub: Any, name: str, func: Callable[[argparse.Namespace], int], epilog: str, summary: str,
             description: str, *, takes_file: bool = False) -> argparse.ArgumentParser:
    """The subcommand `name`, running func(args); its first argument FILE when it reads one."""
    if takes_file:  # how columns are named, before the examples
        epilog = epilog.replace("examples:", COLUMN_NAMES + "\nexamples:", 1)
    command: argparse.ArgumentParser = sub.add_parser(
        name, help=summary, description=description, epilog=epilog, formatter_class=_Formatter,
        allow_abbrev=False)
    if takes_file:
        command.add_argument("file", metavar="FILE", help=FILE_HELP)
        add_unit(command)
    command.set_defaults(func=func)
    return command


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=MAIN_DESCRIPTION, formatter_class=_Formatter,
                     allow_abbrev=False)
    parser.add_argument("--version", action="store_true",
                        help="print fastmi's version and whether it has OpenMP, then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    bench = _command(
        sub, "bench", cmd_bench, BENCH_EXAMPLES,
        "benchmark fastmi against the reference and scikit-learn",
        "Time fastmi's estimators next to the numpy reference and scikit-learn on built-in "
        "synthetic data, check that their values agree, and print a table per estimator.")
    bench.add_argument("--quick", action="store_true",
                       help="small sizes only (under a minute)")
    bench.add_argument("--json", metavar="FILE", help="write every timing and value as JSON")
    bench.add_argument("--plot", metavar="FILE.png",
                       help="plot time against n, log-log (needs matplotlib)")
    bench.add_argument("--cases", metavar="LIST",
                       help="comma-separated cases or sets of cases: core (the default: binned, "
                            "ksg, nonlinear, classif, regression), toolkit (cmi, entropy, ksg4d), "
                            "workflows (mi_test, pairwise, mrmr), all")
    bench.add_argument("--budget", type=_positive_float, metavar="SECONDS",
                       help="longest real run of a baseline at one size before larger sizes "
                            "are extrapolated (default: 1 with --quick, else 10)")
    bench.add_argument("--dask", action="store_true",
                       help="benchmark fastmi.dask on local clusters of 1 and 2 workers instead "
                            "(needs fastmi[dask]; printed only: not with --json, --plot, --cases, --budget)")
    _add_common(bench)

    mi = _command(
        sub, "mi", cmd_mi, MI_EXAMPLES, "mutual information between columns of a CSV or Parquet file",
        "Mutual information, in bits (see --base), between columns of a CSV or Parquet file "
        "(needs pyarrow).", takes_file=True)
    mi.add_argument("--x", action="append", required=True, metavar="COL",
                    help=f"column of the first variable (several for a multivariate KSG: {REPEAT})")
    mi.add_argument("--y", action="append", required=True, metavar="COL",
                    help=f"column of the second variable (several for a multivariate KSG: {REPEAT})")
    mi.add_argument("--z", action="append", metavar="COL",
                    help=f"column to condition on: I(X;Y|Z) ({SEVERAL})")
    mi.add_argument("--estimator", choices=("ksg", "binned"), default="ksg",
                    help="estimator (default: ksg)")
    mi.add_argument("--k", type=_positive_int, metavar="K",
                    help="KSG neighbours (default: 3)")
    mi.add_argument("--bins", type=_positive_int, metavar="B",
                    help="bins per axis for --estimator binned (default: 10)")
    mi.add_argument("--legacy", action="store_true",
                    help="KSG as fastmi.reference's listing computes it (Euclidean, <=)")
    add_input(mi, PAIR_DROPNA)
    _add_common(mi)

    entropy = _command(
        sub, "entropy", cmd_entropy, ENTROPY_EXAMPLES, "entropy of columns of a CSV or Parquet file",
        "Entropy, in bits (see --base), of one or more columns (jointly) of a CSV or Parquet "
        "file (needs pyarrow).", takes_file=True)
    entropy.add_argument("--x", action="append", required=True, metavar="COL",
                         help=f"column of the variable (several for a joint entropy: {REPEAT})")
    entropy.add_argument("--estimator", choices=("kl", "binned", "miller_madow", "discrete"), default="kl",
                         help="estimator (default: kl)")
    entropy.add_argument("--k", type=_positive_int, metavar="K",
                         help="neighbour for --estimator kl (default: 3)")
    entropy.add_argument("--bins", type=_positive_int, metavar="B",
                         help="bins per column for --estimator binned or miller_madow (default: 10)")
    add_input(entropy, "drop the rows where one of the --x columns is missing, and say how many")
    _add_common(entropy)

    rank = _command(
        sub, "rank", cmd_rank, RANK_EXAMPLES, "rank columns by mutual information with a target column",
        "Rank every other column of a CSV or Parquet file by its mutual information (bits; "
        "see --base) with a target column.", takes_file=True)
    rank.add_argument("--target", required=True, metavar="COL", help="target column")
    rank.add_argument("--task", choices=("auto", "classification", "regression"),
                      default="auto", help="kind of target (default: auto)")
    rank.add_argument("--top", type=_positive_int, metavar="N", help="show the N best only")
    rank.add_argument("--json", action="store_true",
                      help="print {target, task, unit, n, ranking: [{rank, column, mi, n}]} as JSON")
    rank.add_argument("--discrete", action="append", metavar="COL",
                      help="columns to treat as discrete (categorical), the target too "
                           f"(default: text columns only; {SEVERAL})")
    rank.add_argument("--k", type=_positive_int, default=3, metavar="K",
                      help="n_neighbors (default: 3)")
    rank.add_argument("--random-state", type=_seed, default=0, metavar="S",
                      help="seed of the tie-breaking noise (default: 0)")
    add_input(rank, "for each column, drop the rows where it or the target is missing, and "
                    "say how many")
    _add_common(rank)

    pairwise = _command(
        sub, "pairwise", cmd_pairwise, PAIRWISE_EXAMPLES, "the matrix of mutual information between columns",
        "Mutual information, in bits (see --base), between every pair of numeric columns of a "
        "CSV or Parquet file.", takes_file=True)
    pairwise.add_argument("--columns", action="append", metavar="COLS",
                          help=f"columns to use (default: every numeric column; {SEVERAL})")
    pairwise.add_argument("--method", choices=("ksg", "binned"), default="ksg",
                          help="estimator (default: ksg)")
    pairwise.add_argument("--k", type=_positive_int, metavar="K", help="KSG neighbours (default: 3)")
    pairwise.add_argument("--bins", type=_positive_int, metavar="B",
                          help="bins per axis for --method binned (default: 10)")
    pairwise.add_argument("--json", action="store_true",
                          help="print {columns, estimator, unit, n, matrix} as JSON (diagonal NaN as null)")
    pairwise.add_argument("--plot", metavar="FILE.png", help="write a heatmap (needs matplotlib)")
    add_input(pairwise, "for each pair, drop the rows where either column is missing, and "
                        "report the counts (in JSON: a matrix \"dropped\")")
    _add_common(pairwise)

    select = _command(
        sub, "select", cmd_select, SELECT_EXAMPLES, "select columns by mRMR for a target column",
        "Select feature columns for a target column by greedy minimum-redundancy "
        "maximum-relevance (mutual information in bits; see --base).", takes_file=True)
    select.add_argument("--target", required=True, metavar="COL", help="target column")
    select.add_argument("--n", type=_positive_int, default=10, metavar="N",
                        help="number of columns to select (default: 10)")
    select.add_argument("--criterion", choices=("mid", "miq", "jmi", "cmim"), default="mid",
                        help="selection criterion (default: mid)")
    select.add_argument("--columns", action="append", metavar="COLS",
                        help=f"candidate columns (default: every other numeric column; {SEVERAL})")
    select.add_argument("--k", type=_positive_int, default=3, metavar="K", help="n_neighbors (default: 3)")
    select.add_argument("--random-state", type=_seed, default=0, metavar="S",
                        help="seed of the tie-breaking noise (default: 0)")
    select.add_argument("--json", action="store_true",
                        help="print {target, criterion, unit, n, selected: [{step, column, score, "
                             "relevance}]} as JSON")
    add_input(select, "drop the rows where the target or any candidate column is missing "
                      "(mRMR compares every column with every other), and say how many")
    _add_common(select)

    test = _command(
        sub, "test", cmd_test, TEST_EXAMPLES, "permutation test of (conditional) independence",
        "Test whether columns --x and --y of a CSV or Parquet file are independent (given --z) "
        "with a KSG estimate and its permutation distribution.", takes_file=True)
    test.add_argument("--x", action="append", required=True, metavar="COL",
                      help=f"column of the first variable ({SEVERAL})")
    test.add_argument("--y", action="append", required=True, metavar="COL",
                      help=f"column of the second variable ({SEVERAL})")
    test.add_argument("--z", action="append", metavar="COL",
                      help=f"conditioning column (default: none; {SEVERAL})")
    test.add_argument("--permutations", type=_positive_int, default=1000, metavar="B",
                      help="number of permutations (default: 1000)")
    test.add_argument("--k", type=_positive_int, default=3, metavar="K", help="KSG neighbours (default: 3)")
    test.add_argument("--shuffle-neighbors", type=_positive_int, default=5, metavar="S",
                      help="with --z: neighbours in z a sample's y may come from (default: 5)")
    test.add_argument("--random-state", type=_seed, default=0, metavar="S",
                      help="seed of the permutations (default: 0)")
    test.add_argument("--json", action="store_true",
                      help="print {statistic, unit, pvalue, n_permutations, k, conditional, n} as JSON")
    add_input(test, PAIR_DROPNA)
    _add_common(test)
    return parser
