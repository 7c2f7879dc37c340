"""The workflow commands of the ``fastmi`` command line: ``pairwise``, ``select``, ``test``
(run through ``fastmi.cli.main`` in this process); each prints the library's numbers."""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pytest

import fastmi

N = 400


@pytest.fixture
def data(tmp_path):
    rng = np.random.default_rng(3)
    z = rng.standard_normal(N)
    a, b = z + rng.standard_normal(N), z + rng.standard_normal(N)
    c = np.sin(a) + 0.1 * rng.standard_normal(N)
    noise = rng.standard_normal(N)
    label = np.where(a + b > 0, "yes", "no")
    path = tmp_path / "wf.csv"
    with open(path, "w") as f:
        f.write("a,b,z,c,label,noise\n")
        for row in zip(a, b, z, c, label, noise):
            f.write(",".join(v if isinstance(v, str) else repr(float(v)) for v in row) + "\n")
    return path, {"a": a, "b": b, "z": z, "c": c, "label": label, "noise": noise}


def test_pairwise_json_equals_pairwise_mi(cli, data):
    path, cols = data
    r = cli("pairwise", path, "--json", "-q")
    assert r.returncode == 0
    got = json.loads(r.stdout)
    names = ["a", "b", "z", "c", "noise"]  # the text column is skipped
    assert got["columns"] == names and got["unit"] == "bits"
    want = fastmi.pairwise_mi(np.column_stack([cols[c] for c in names]))
    matrix = np.array([[np.nan if v is None else v for v in row] for row in got["matrix"]])
    assert np.array_equal(matrix, want, equal_nan=True)


def test_pairwise_text_and_binned(cli, data):
    path, cols = data
    r = cli("pairwise", path, "--columns", "a,b", "--columns", "z")
    assert r.returncode == 0 and "diagonal: NaN" in r.stdout
    assert f"{fastmi.ksg_mi(cols['a'], cols['b']):.4f}" in r.stdout
    r = cli("pairwise", path, "--columns", "a,b", "--method", "binned", "--bins", "7", "--json")
    m = json.loads(r.stdout)["matrix"]
    assert m[0][1] == fastmi.discrete_mi(cols["a"], cols["b"], bins=7)


def test_columns_given_as_separate_words_get_a_hint(cli, data):
    path, _ = data
    for command in (("pairwise", path), ("select", path, "--target", "label")):
        r = cli(*command, "--columns", "a", "b", "z")
        assert r.returncode == 2 and r.stdout == ""
        assert "unrecognized arguments: b z; --columns takes one comma-separated list" in r.stderr, r.stderr
    r = cli("select", path, "--target", "label", "--columns=a", "b")
    assert r.returncode == 2 and "unrecognized arguments: b; --columns takes" in r.stderr, r.stderr
    # words left over that do not follow --columns: argparse's message alone
    for words in (("pairwise", path, "--bogus"), ("pairwise", path, "--columns", "a,b", "--bogus"),
                  ("pairwise", "--columns", "a,b", path, "extra")):
        r = cli(*words)
        assert r.returncode == 2 and r.stderr.startswith("fastmi: error: unrecognized arguments: ")
        assert "--columns takes" not in r.stderr and r.stderr.endswith("--help')\n"), r.stderr


def test_pairwise_plot(cli, data, tmp_path):
    pytest.importorskip("matplotlib")
    path, _ = data
    png = tmp_path / "hm.png"
    r = cli("pairwise", path, "--plot", png, "-q")
    assert r.returncode == 0 and png.stat().st_size > 1000


def test_select_equals_mrmr_selector(cli, data):
    pytest.importorskip("sklearn")
    path, cols = data
    names = ["a", "b", "z", "c", "noise"]
    sel = fastmi.MRMRSelector(3, random_state=0).fit(np.column_stack([cols[c] for c in names]), cols["label"])
    r = cli("select", path, "--target", "label", "--n", "3", "--json", "-q", "--nats")
    assert r.returncode == 0
    got = json.loads(r.stdout)
    assert got["unit"] == "nats" and got["n"] == N
    picked = got["selected"]
    assert [p["column"] for p in picked] == [names[j] for j in sel.selected_]
    assert [p["score"] for p in picked] == sel.scores_.tolist()  # nats: the selector's own numbers
    got = json.loads(cli("select", path, "--target", "label", "--n", "3", "--json", "-q").stdout)
    assert got["unit"] == "bits"
    np.testing.assert_allclose([p["score"] for p in got["selected"]], sel.scores_ / np.log(2), rtol=1e-14)


def test_other_units_equal_the_api_to_the_bit(cli, data):
    # the CLI computed bits and converted them: 1 ulp off the API for nats and base 3
    path, cols = data
    for unit, base in ((("--nats",), np.e), (("--base", "3"), 3.0)):
        got = json.loads(cli("test", path, "--x", "a", "--y", "b", "--z", "z", "--permutations", "19",
                             "--json", "-q", *unit).stdout)
        want = fastmi.mi_test(cols["a"], cols["b"], cols["z"], n_permutations=19, random_state=0, base=base)
        assert got["statistic"] == want.statistic and got["pvalue"] == want.pvalue
        got = json.loads(cli("pairwise", path, "--columns", "a,b,z", "--json", "-q", *unit).stdout)["matrix"]
        want = fastmi.pairwise_mi(np.column_stack([cols["a"], cols["b"], cols["z"]]), base=base)
        assert got[0][1] == want[0, 1] and got[1][2] == want[1, 2]


def test_tables_name_their_units(cli, data):
    pytest.importorskip("sklearn")
    path, cols = data
    r = cli("pairwise", path, "--columns", "a,b,z", "-q")
    assert r.stdout.splitlines()[1].startswith("(bits)")  # the matrix's header row
    for unit in (("--base", "10"), ("--base", "3")):  # wider than the names: the columns stay aligned
        lines = cli("pairwise", path, "--columns", "a,b,z", "-q", *unit).stdout.splitlines()[1:]
        assert len({len(line) for line in lines}) == 1 and lines[0].endswith(" z"), lines
    r = cli("select", path, "--target", "label", "--n", "3", "-q", "--nats")
    assert "score (nats)" in r.stdout.splitlines()[1] and "relevance (nats)" in r.stdout.splitlines()[1]


def test_select_miq_scores(cli, data):
    # miq's scores are ratios, but the first pick's (its relevance, in nats): none shown;
    # the JSON is strict (no Infinity)
    pytest.importorskip("sklearn")
    path, cols = data
    names = ["a", "b", "z", "c", "noise"]
    sel = fastmi.MRMRSelector(3, criterion="miq", random_state=0).fit(np.column_stack([cols[c] for c in names]),
                                                                      cols["label"])
    r = cli("select", path, "--target", "label", "--n", "3", "--criterion", "miq", "-q")
    lines = r.stdout.splitlines()
    assert "score (ratio)" in lines[1] and "relevance (bits)" in lines[1]
    assert lines[2].split()[2] == "-" and lines[3].split()[2] == f"{sel.scores_[1]:.4f}"

    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    r = cli("select", path, "--target", "label", "--n", "3", "--criterion", "miq", "--json", "-q")
    got = json.loads(r.stdout, parse_constant=refuse)
    assert got["score_unit"] == "ratio" and [p["score"] for p in got["selected"]] == [None, *sel.scores_[1:]]


def test_nan_target_is_one_line(cli, data, tmp_path):
    pytest.importorskip("sklearn")
    _, cols = data
    path = tmp_path / "nan.csv"
    with open(path, "w") as f:
        f.write("a,b,t\n")
        for i, (a, b) in enumerate(zip(cols["a"], cols["b"])):
            f.write(f"{float(a)!r},{float(b)!r},{'' if i == 5 else repr(float(a + b))}\n")
    for args in (("select", path, "--target", "t", "--n", "1"), ("test", path, "--x", "a", "--y", "t")):
        r = cli(*args)
        lines = r.stderr.splitlines()
        assert r.returncode == 2 and len(lines) == 1 and "'t'" in lines[0] and "missing" in lines[0], r.stderr


def test_test_equals_mi_test(cli, data):
    path, cols = data
    r = cli("test", path, "--x", "a", "--y", "b", "--z", "z", "--permutations", "30", "--json")
    assert r.returncode == 0
    got = json.loads(r.stdout)
    want = fastmi.mi_test(cols["a"], cols["b"], cols["z"], n_permutations=30, random_state=0)
    assert got["statistic"] == want.statistic and got["pvalue"] == want.pvalue
    assert got["unit"] == "bits"
    r = cli("test", path, "--x", "a", "--y", "b", "--permutations", "19")
    assert r.returncode == 0 and "p-value = 0.05 (19 permutations" in r.stdout


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("pairwise", "{path}", "--method", "binned", "--k", "3"), "--k applies to --method ksg"),
        (("pairwise", "{path}", "--columns", "a"), "at least two columns"),
        (("pairwise", "{path}", "--columns", "a,nope"), "unknown column 'nope'"),
        (("select", "{path}", "--target", "label", "--n", "9"), "--n 9 is more than the 5 feature columns"),
        (("test", "{path}", "--x", "a", "--y", "b", "--z", "z", "--shuffle-neighbors", "400"),
         "--shuffle-neighbors 400 needs more than 400 rows"),
        (("test", "{path}", "--x", "a", "--y", "b", "--k", "400"), "--k 400 needs more than 400 rows"),
        (("test", "{path}", "--x", "a", "--y", "b", "--permutations", "0"), "expected a positive integer"),
    ],
)
def test_errors(cli, data, args, fragment):
    path, _ = data
    r = cli(*[a.format(path=path) for a in args])
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastmi: error: ") and fragment in lines[0], r.stderr


# --------------------------------------------------------------------------- library messages

#: Python names of the library's arguments that a message of the command line must not show.
PYTHON_NAMES = re.compile(r"(?<![\w'-])(?:[xyzX]\[:, \d+\]|[xyzX] column \d|(?:[xyzX]|bins) (?:spans|is|has|gives)\b"
                          r"|of [xyzX]\b|shuffle_neighbors|n_neighbors|n_permutations|random_state"
                          r"|method=|mutual_info_\w+)")


@pytest.fixture
def awkward(tmp_path):
    """Columns that make the library refuse its input: a constant one, a copy of another,
    one spanning more than float64 holds, non-integer values; and wide.csv, whose column w
    puts each sample's 3rd neighbour 2e308 away."""
    rng = np.random.default_rng(4)
    n = 60
    a = rng.standard_normal(n)
    cols = {"a": a, "b": a + rng.standard_normal(n), "c": rng.standard_normal(n), "const": np.ones(n),
            "copy": a.copy(), "huge": np.where(np.arange(n) % 2, 1e308, -1e308), "fl": a + 0.5}
    path = tmp_path / "awkward.csv"
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for row in zip(*cols.values()):
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    wide = tmp_path / "wide.csv"
    w = [(1 if i < 3 else -1) * (1e308 - i * 1e300) for i in range(6)]
    wide.write_text("a,b,w\n" + "".join(f"{i * 0.37 % 1!r},{i * 0.61 % 1!r},{w[i]!r}\n" for i in range(6)))
    return path, wide


@pytest.mark.parametrize("argv, fragments", [
    (["mi", "{f}", "--x", "a", "--y", "b", "--estimator", "binned", "--bins", "300000000"],
     ["--bins gives 300000000 bins on one axis"]),
    (["mi", "{f}", "--x", "a", "--y", "b", "--z", "c", "--estimator", "binned", "--bins", "300000000"],
     ["--bins gives 300000000 bins"]),
    (["mi", "{f}", "--x", "huge", "--y", "b", "--estimator", "binned"],
     ["column 'huge' (--x) spans a range too large"]),
    (["mi", "{f}", "--x", "a", "--y", "b", "--z", "huge", "--estimator", "binned"],
     ["column 'huge' (--z) spans a range too large"]),
    (["mi", "{w}", "--x", "a", "--y", "w"], ["column 'w' (--y) spans more than"]),
    (["mi", "{w}", "--x", "a", "--y", "b", "--z", "w"], ["column 'w' (--z) spans more than"]),
    (["entropy", "{f}", "--x", "const"], ["every sample of column 'const' (--x)", "use --estimator discrete"]),
    (["entropy", "{f}", "--x", "a", "--x", "const"],
     ["column 'const' (--x) is constant", "--x (columns 'a', 'const') is singular", "--estimator discrete"]),
    (["entropy", "{f}", "--x", "a", "--x", "copy"], ["column 'a' (--x) and column 'copy' (--x) are identical"]),
    (["entropy", "{f}", "--x", "a", "--x", "b", "--x", "c", "--estimator", "binned", "--bins", "3000000"],
     ["--bins gives --x (columns 'a', 'b', 'c') a histogram"]),
    (["entropy", "{w}", "--x", "w"], ["column 'w' (--x) spans more than"]),
    (["test", "{f}", "--x", "a", "--y", "b", "--z", "c", "--shuffle-neighbors", "60"],
     ["--shuffle-neighbors 60 needs more than 60 rows"]),
    (["test", "{f}", "--x", "a", "--y", "huge"], ["column 'huge' (--y) spans more than 1.8e308"]),
    (["test", "{f}", "--x", "a", "--y", "b", "--z", "huge"], ["column 'huge' (--z) spans more than 1.8e308"]),
    (["rank", "{f}", "--target", "fl", "--task", "classification"],
     ["column 'fl' (--target) holds non-integer", "use --task regression"]),
    (["rank", "{f}", "--target", "a"], ["column 'huge' cannot be scaled"]),
    (["pairwise", "{f}", "--columns", "a,huge", "--method", "binned"],
     ["column 'huge' (--columns) spans a range too large"]),
    (["pairwise", "{f}", "--columns", "a,b", "--method", "binned", "--bins", "300000000"],
     ["--bins gives 300000000 bins"]),
    (["pairwise", "{w}", "--columns", "a,w"], ["column 'w' (--columns) spans more than"]),
    (["select", "{f}", "--target", "b", "--columns", "a,huge", "--n", "1"],
     ["column 'huge' (--columns) cannot be scaled"]),
    (["select", "{f}", "--target", "huge", "--columns", "a,b", "--n", "1"],
     ["column 'huge' (--target) cannot be scaled"]),
], ids=lambda v: " ".join(v) if isinstance(v, list) and v and v[0] in
    ("mi", "entropy", "test", "rank", "pairwise", "select") else None)
def test_library_errors_name_columns_and_options(cli, awkward, argv, fragments):
    """The library's ValueErrors named its Python arguments: "x[:, 1] is constant ... use
    method='discrete'", "shuffle_neighbors must be smaller", "bins gives ...", "X column 5"
    (an index into the features, not the file's column 5), "use mutual_info_regression".
    They name the columns and the options typed."""
    path, wide = awkward
    with warnings.catch_warnings():
        # numpy's "invalid value encountered in reduce" on the way to select's error
        warnings.simplefilter("ignore", RuntimeWarning)
        r = cli(*[a.format(f=path, w=wide) for a in argv], "-q")
    assert r.returncode == 2 and r.stdout == "", r.stderr
    error = [line for line in r.stderr.splitlines() if line.startswith("fastmi: error: ")]
    assert len(error) == 1, r.stderr
    for fragment in fragments:
        assert fragment in error[0], (fragment, error[0])
    assert not PYTHON_NAMES.search(error[0]), error[0]


def test_tie_warning_names_columns_not_python_arguments(cli, tmp_path):
    """The tie warning said "repeated values in y (...) ... (random_state seed 0)" and, in
    pairwise, "X[:, 1]"."""
    i = np.arange(300)
    path = tmp_path / "ties.csv"
    path.write_text("u,v,w\n" + "".join(f"{float(np.sin(k))!r},{k % 5},{k % 3}\n" for k in i))
    for argv, fragment in ((("mi", path, "--x", "u", "--y", "v"), "repeated values in column 'v' (--y)"),
                           (("pairwise", path, "--columns", "u,w"), "repeated values in column 'w' (--columns)"),
                           (("test", path, "--x", "u", "--y", "w", "--permutations", "9", "--random-state", "4"),
                            "(--random-state 4)")):
        r = cli(*argv, "-q")
        assert r.returncode == 0, r.stderr
        assert len(r.stderr.splitlines()) == 1 and fragment in r.stderr, r.stderr
        assert not PYTHON_NAMES.search(r.stderr), r.stderr


def test_wording_leaves_examples_alone():
    # "e.g. x - x.min()" in a library hint is an example, not the data argument x
    from fastmi.cli.wording import Words

    words = Words(data={"x": ("--x", ["foo"])})
    got = words("x holds the integer 5. Subtract an offset first (e.g. x - x.min()). Also: x is bad")
    assert got == ("column 'foo' (--x) holds the integer 5. Subtract an offset first (e.g. x - x.min()). "
                   "Also: column 'foo' (--x) is bad")


@pytest.fixture
def wide_after_gaps(tmp_path):
    """wide.csv's rows (each sample's 3rd neighbour 2e308 away) after two rows missing a and
    w, and a row missing b among them: with --dropna the library's samples are not the
    file's rows."""
    w = [(1 if i < 3 else -1) * (1e308 - i * 1e300) for i in range(6)]
    rows = [f"{i * 0.37 % 1!r},{i * 0.61 % 1!r},{w[i]!r}\n" for i in range(6)]
    rows.insert(2, f"0.5,,{w[2]!r}\n")
    path = tmp_path / "gaps.csv"
    path.write_text("a,b,w\n,0.5,\n,0.9,\n" + "".join(rows))
    return path


#: Each command, the columns it uses, and the library call on their complete rows.
_SAMPLE_CALLS = {
    "mi": (["mi", "{f}", "--x", "a", "--y", "w"], "aw", lambda c: fastmi.ksg_mi(c["a"], c["w"])),
    "cmi": (["mi", "{f}", "--x", "a", "--y", "b", "--z", "w"], "abw",
            lambda c: fastmi.conditional_mi(c["a"], c["b"], c["w"])),
    "entropy": (["entropy", "{f}", "--x", "w"], "w", lambda c: fastmi.entropy(c["w"], method="kl")),
    "pairwise": (["pairwise", "{f}", "--columns", "a,w"], "aw",
                 lambda c: fastmi.pairwise_mi(np.column_stack([c["a"], c["w"]]))),
    "pairwise-3": (["pairwise", "{f}", "--columns", "a,b,w"], "aw",  # (a, b) passes; (a, w) fails
                   lambda c: fastmi.pairwise_mi(np.column_stack([c["a"], c["w"]]))),
}


@pytest.mark.parametrize("case", list(_SAMPLE_CALLS))
def test_library_errors_name_the_files_data_row(cli, wide_after_gaps, case):
    """The library names a sample by its index (from 0) among the rows it was given ("from
    sample 4 to its k-th neighbour"): after --dropna that is not the file's row.  The message
    names the file's data row (from 1), as the command line's own messages number them."""
    argv, used, call = _SAMPLE_CALLS[case]
    table = np.genfromtxt(wide_after_gaps, delimiter=",", names=True)
    kept = np.flatnonzero(np.all([~np.isnan(table[c]) for c in used], axis=0))
    with pytest.raises(ValueError) as library:
        call({c: table[c][kept] for c in "abw"})
    sample = int(re.search(r"\bsample (\d+)", str(library.value)).group(1))
    row = int(kept[sample]) + 1
    assert row not in (sample, sample + 1)  # the two numberings differ here
    r = cli(*[a.format(f=wide_after_gaps) for a in argv], "--dropna", "-q")
    assert r.returncode == 2 and r.stdout == "", r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastmi: error: "), r.stderr
    assert f"from data row {row} to its k-th neighbour" in lines[0] and "sample" not in lines[0], lines[0]


def test_wording_maps_samples_to_data_rows():
    from fastmi.cli.wording import Words

    message = "the distance from sample 2 to its k-th neighbour; every sample of x"
    kept = np.array([False, True, False, True, True, True])
    assert Words({"x": ("--x", ["v"])}, rows=kept)(message) == \
        "the distance from data row 5 to its k-th neighbour; every sample of column 'v' (--x)"
    assert Words(rows=None)(message).startswith("the distance from data row 3 to")
    assert Words(rows=kept)("sample 9 is beyond the rows") == "sample 9 is beyond the rows"


@pytest.mark.parametrize("argv, lines", [
    (["rank", "{f}", "--target", "label", "--k", "4", "--random-state", "7"],
     [r"MI with 'label' \(classification, mutual_info_classif, --k 4, --random-state 7, n=400\), in bits:"]),
    (["select", "{f}", "--target", "label", "--n", "2", "--criterion", "jmi", "--k", "5", "--random-state", "3"],
     [r"mRMR selection for 'label' \(--criterion jmi, --k 5, --random-state 3, n=400\), relevance in bits, "
      r"score in bits:"]),
    (["test", "{f}", "--x", "a", "--y", "b", "--permutations", "9", "--random-state", "2", "--nats"],
     [r"I\(a; b\) = \d\.\d{4} nats \(KSG, k=3, n=400\)", r"p-value = \S+ \(9 permutations, --random-state 2\)"]),
    (["test", "{f}", "--x", "a", "--y", "b", "--z", "z", "--permutations", "9", "--shuffle-neighbors", "7"],
     [r"I\(a; b \| z\) = \d\.\d{4} bits \(KSG, k=3, n=400\)",
      r"p-value = \S+ \(9 local permutations, --shuffle-neighbors 7, --random-state 0\)"]),
], ids=["rank", "select", "test", "test-conditional"])
def test_headers_name_the_options_typed(cli, data, argv, lines):
    """The headers printed the Python parameters (shuffle_neighbors=5, n_neighbors=3,
    random_state=0, criterion=mid); they print the options that set them, and keep the unit."""
    pytest.importorskip("sklearn")
    path, _ = data
    r = cli(*[a.format(f=path) for a in argv], "-q")
    assert r.returncode == 0, r.stderr
    got = r.stdout.splitlines()
    for pattern, line in zip(lines, got):
        assert re.fullmatch(pattern, line), (pattern, line)
    assert not re.search(r"\b(?:shuffle_neighbors|n_neighbors|random_state|criterion)=", r.stdout), r.stdout


@pytest.fixture
def huge_values(tmp_path):
    rng = np.random.default_rng(4)
    n = 60
    a = rng.standard_normal(n)
    cols = {"a": a, "b": a + rng.standard_normal(n), "huge": np.where(np.arange(n) % 2, 1e308, -1e308),
            "big": a * 1e307, "t150": np.round(a * 1e150)}
    path = tmp_path / "huge.csv"
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for row in zip(*cols.values()):
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    return path


@pytest.mark.parametrize("argv, status", [
    (["select", "{f}", "--target", "b", "--columns", "a,huge", "--n", "1"], 2),
    (["select", "{f}", "--target", "huge", "--columns", "a,b", "--n", "1"], 2),
    (["select", "{f}", "--target", "big", "--columns", "a,b", "--n", "1"], 2),
    (["select", "{f}", "--target", "t150", "--columns", "a,b", "--n", "1"], 0),
], ids=["huge-feature", "huge-target", "big-target", "1e150-target"])
def test_select_on_huge_values_prints_no_runtime_warning(huge_values, argv, status):
    """``select`` on values near float64's limit printed numpy's RuntimeWarnings (one per
    scikit-learn check) before its one-line error, or before a correct result; under
    ``python -W error`` the first of them was the error.  Only the error (or nothing) belongs
    on stderr."""
    pytest.importorskip("sklearn")
    import subprocess
    import sys

    words = [a.format(f=huge_values) for a in argv]
    for flags in ([], ["-W", "error::RuntimeWarning"]):
        r = subprocess.run([sys.executable, *flags, "-m", "fastmi", *words, "-q"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == status, (flags, r.stderr)
        assert "RuntimeWarning" not in r.stderr and "warning" not in r.stderr, (flags, r.stderr)
        if status:
            assert r.stderr.count("\n") == 1 and "cannot be scaled" in r.stderr, (flags, r.stderr)
        else:
            assert r.stderr == "" and r.stdout.startswith("mRMR selection"), (flags, r.stderr)
