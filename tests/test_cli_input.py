"""The ``fastmi`` command line on real files: one unit for every command (--base, --nats),
missing values (--dropna), delimiters (--sep), standard input, categorical columns in
``rank`` (--discrete), no abbreviated flags, and the tie warning's CLI remedy."""

from __future__ import annotations

import gzip
import io
import json
import os
import math
import re
import subprocess
import sys
import types
import warnings

import numpy as np
import pytest

import fastmi

N = 200


def write(path, names, rows, sep=","):
    with open(path, "w", encoding="utf-8") as f:
        f.write(sep.join(names) + "\n")
        for row in rows:
            f.write(sep.join(v if isinstance(v, str) else repr(float(v)) for v in row) + "\n")
    return path


@pytest.fixture
def cols():
    rng = np.random.default_rng(11)
    a = rng.standard_normal(N)
    b = 0.8 * a + 0.6 * rng.standard_normal(N)
    c = rng.standard_normal(N)
    colour = np.array(["red", "green", "blue", "grey"])[(a > 0).astype(int) * 2 + (c > 0)]
    return {"a": a, "b": b, "c": c, "colour": colour}


@pytest.fixture
def plain(tmp_path, cols):
    names = list(cols)
    return write(tmp_path / "plain.csv", names, zip(*(cols[c] for c in names)))


def one_value(stdout):
    """The number and unit of a ``I(...) = v unit (...)`` or ``H(...) = ...`` line."""
    m = re.fullmatch(r"[IH]\(.+\) = (-?\d+\.\d{4}) (\S+(?: units)?) \(.+\)\n", stdout)
    assert m, stdout
    return float(m.group(1)), m.group(2)


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize("argv", [
    ["mi", "{f}", "--x", "a", "--y", "b"],
    ["mi", "{f}", "--x", "a", "--y", "b", "--estimator", "binned"],
    ["mi", "{f}", "--x", "a", "--y", "b", "--z", "c"],
    ["entropy", "{f}", "--x", "a"],
    ["entropy", "{f}", "--x", "colour", "--estimator", "discrete"],
])
def test_every_line_names_its_unit(cli, plain, argv):
    """Bits by default; --nats and --base 10 scale the same estimate by ln 2 and log10 2."""
    argv = [a.format(f=plain) for a in argv]
    bits, unit = one_value(cli(*argv).stdout)
    assert unit == "bits"
    nats, unit = one_value(cli(*argv, "--nats").stdout)
    assert unit == "nats" and nats == pytest.approx(bits * math.log(2), abs=1e-4)
    assert one_value(cli(*argv, "--base", "e").stdout) == (nats, "nats")
    hartleys, unit = one_value(cli(*argv, "--base", "10").stdout)
    assert unit == "hartleys" and hartleys == pytest.approx(bits * math.log10(2), abs=1e-4)
    assert one_value(cli(*argv, "--base", "2").stdout) == (bits, "bits")


def test_units_agree_across_commands(cli, plain, cols):
    """mi, pairwise, test and rank print the same quantity in the same unit: I(a; b) of
    mi, pairwise and test is ksg_mi's; rank's is scikit-learn's estimate, converted."""
    for base, name in ((None, "bits"), ("e", "nats")):
        extra = [] if base is None else ["--base", base]
        scale = 1.0 if base is None else math.log(2)
        mi, unit = one_value(cli("mi", plain, "--x", "a", "--y", "b", *extra).stdout)
        assert unit == name
        assert mi == pytest.approx(fastmi.ksg_mi(cols["a"], cols["b"]) * scale, abs=5e-5)
        pair = json.loads(cli("pairwise", plain, "--columns", "a,b", "--json", *extra).stdout)
        assert pair["unit"] == name and pair["matrix"][0][1] == pytest.approx(mi, abs=5e-5)
        test = json.loads(cli("test", plain, "--x", "a", "--y", "b", "--permutations", "5",
                              "--json", *extra).stdout)
        assert test["unit"] == name and test["statistic"] == pytest.approx(mi, abs=5e-5)
        rank = json.loads(cli("rank", plain, "--target", "b", "--task", "regression",
                              "--json", "-q", *extra).stdout)
        assert rank["unit"] == name
        row = next(r for r in rank["ranking"] if r["column"] == "a")
        X = np.column_stack([cols["a"], cols["c"], np.unique(cols["colour"], return_inverse=True)[1]])
        nats = fastmi.mutual_info_regression(X, cols["b"], random_state=0,
                                             discrete_features=[False, False, True])[0]
        assert row["mi"] == pytest.approx(nats / math.log(2) * scale, rel=1e-12)


@pytest.mark.parametrize("argv, fragment", [
    (["--base", "1"], "--base: expected a logarithm base"),
    (["--base", "-2"], "--base: expected a logarithm base"),
    (["--base", "two"], "'two'"),
    (["--nats", "--base", "2"], "not allowed with argument"),
])
def test_bad_unit(cli, plain, argv, fragment):
    r = cli("mi", plain, "--x", "a", "--y", "b", *argv)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and fragment in r.stderr, r.stderr


# --------------------------------------------------------------------------- missing values


@pytest.fixture
def holes(tmp_path, cols):
    """plain.csv with a in rows 3 and 10 empty, c 'NA' in row 5, colour empty in row 7."""
    a = [""if i in (3, 10) else v for i, v in enumerate(cols["a"])]
    c = ["NA" if i == 5 else v for i, v in enumerate(cols["c"])]
    colour = ["" if i == 7 else v for i, v in enumerate(cols["colour"])]
    return write(tmp_path / "holes.csv", ["a", "b", "c", "colour"], zip(a, cols["b"], c, colour))


def test_missing_value_is_an_error_without_dropna(cli, holes):
    r = cli("mi", holes, "--x", "a", "--y", "b")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == ("fastmi: error: column 'a' (--x) has 2 missing or infinite value(s), the "
                        "first at data row 4 (missing (NaN)); drop or fill them first (or use "
                        "--dropna)\n")


def test_dropna_mi_uses_the_complete_rows_of_the_pair(cli, holes, cols):
    keep = np.ones(N, bool)
    keep[[3, 10]] = False
    r = cli("mi", holes, "--x", "a", "--y", "b", "--dropna")
    assert r.returncode == 0, r.stderr
    value, _ = one_value(r.stdout)
    assert f"n={N - 2})" in r.stdout
    assert value == pytest.approx(fastmi.ksg_mi(cols["a"][keep], cols["b"][keep]), abs=5e-5)
    assert r.stderr == f"fastmi: note: --dropna dropped 2 of {N} rows (missing values in 'a' 2)\n"
    r = cli("mi", holes, "--x", "b", "--y", "c", "--dropna", "-q")  # c misses row 5 only
    keep = np.arange(N) != 5
    assert r.stderr == "" and f"n={N - 1})" in r.stdout
    assert one_value(r.stdout)[0] == pytest.approx(
        fastmi.ksg_mi(cols["b"][keep], cols["c"][keep]), abs=5e-5)


def test_dropna_rank_is_pairwise_complete(cli, holes, cols):
    """Each (feature, target) pair drops only its own missing rows; complete features are
    estimated together, exactly as without --dropna."""
    r = cli("rank", holes, "--target", "b", "--task", "regression", "--dropna", "--json", "--nats")
    assert r.returncode == 0, r.stderr
    got = {row["column"]: row for row in json.loads(r.stdout)["ranking"]}
    assert {c: got[c]["n"] for c in got} == {"a": N - 2, "c": N - 1, "colour": N - 1}
    assert r.stderr == ("fastmi: note: --dropna dropped rows where the column or the target 'b' "
                        f"is missing: 'a' 2, 'c' 1, 'colour' 1 (of {N} rows)\n")
    for name, missing in (("a", [3, 10]), ("c", [5])):
        keep = ~np.isin(np.arange(N), missing)
        want = fastmi.mutual_info_regression(cols[name][keep, None], cols["b"][keep], random_state=0)
        assert got[name]["mi"] == want[0]
    keep = np.arange(N) != 7
    codes = np.unique(cols["colour"][keep], return_inverse=True)[1]
    want = fastmi.mutual_info_regression(codes[:, None], cols["b"][keep], discrete_features=[True],
                                         random_state=0)
    assert got["colour"]["mi"] == want[0]
    assert got["colour"]["discrete"] is True


def test_dropna_pairwise(cli, holes, cols):
    r = cli("pairwise", holes, "--columns", "a,b,c", "--dropna", "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["dropped"] == [[0, 2, 3], [2, 0, 1], [3, 1, 0]]
    m = got["matrix"]
    ok_a, ok_c = ~np.isin(np.arange(N), [3, 10]), np.arange(N) != 5
    assert m[0][1] == fastmi.ksg_mi(cols["a"][ok_a], cols["b"][ok_a])
    assert m[1][2] == fastmi.ksg_mi(cols["b"][ok_c], cols["c"][ok_c])
    both = ok_a & ok_c
    assert m[0][2] == m[2][0] == fastmi.ksg_mi(cols["a"][both], cols["c"][both])
    assert "up to 3 of 200 rows" in r.stderr and "'a' 2, 'c' 1" in r.stderr
    r = cli("pairwise", holes, "--columns", "a,c", "--dropna", "--method", "binned", "--json", "-q")
    diagonal = json.loads(r.stdout)["matrix"][0][0]
    assert diagonal == fastmi.pairwise_mi(np.column_stack([cols["a"][ok_a]] * 2), method="binned")[0, 0]


def test_dropna_leaves_no_rows(tmp_path, cli):
    path = tmp_path / "gaps.csv"
    path.write_text("a,b\n1,\n,2\n3,\n")
    r = cli("mi", path, "--x", "a", "--y", "b", "--dropna")
    assert r.returncode == 2 and "--dropna leaves no rows" in r.stderr


# --------------------------------------------------------------------------- reading


def test_sep_and_standard_input(tmp_path, cli, cols, plain, monkeypatch):
    expected = cli("mi", plain, "--x", "a", "--y", "b").stdout
    text = plain.read_text()
    semi = tmp_path / "semi.txt"
    semi.write_text(text.replace(",", ";"))
    assert cli("mi", semi, "--x", "a", "--y", "b", "--sep", ";").stdout == expected
    tabbed = tmp_path / "tabbed.txt"
    tabbed.write_text(text.replace(",", "\t"))
    assert cli("mi", tabbed, "--x", "a", "--y", "b", "--sep", "\\t").stdout == expected
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(text.encode())))
    assert cli("mi", "-", "--x", "a", "--y", "b").stdout == expected
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(b"")))
    r = cli("mi", "-", "--x", "a", "--y", "b")
    assert r.returncode == 2 and r.stderr == "fastmi: error: standard input is empty\n"
    r = cli("mi", semi, "--x", "a", "--y", "b", "--sep", ";;")
    assert r.returncode == 2 and "--sep: expected one character" in r.stderr


def test_standard_input_of_a_real_process(plain):
    proc = subprocess.run([sys.executable, "-m", "fastmi", "rank", "-", "--target", "b", "--json",
                           "-q"], input=plain.read_bytes(), capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert {r["column"] for r in json.loads(proc.stdout)["ranking"]} == {"a", "c", "colour"}


def test_cells_as_pyarrow_reads_them(tmp_path, cli):
    """Numbers with spaces, true/false, NA markers; text with an empty cell is categorical."""
    path = tmp_path / "cells.csv"
    path.write_text("x,flag,word\n 1.5 ,true,p\n2,false,\nNA,TRUE,q\n-3e1,false,p\n")
    from fastmi.cli.reader import load_table

    table = load_table(str(path))
    np.testing.assert_array_equal(table.data["x"], [1.5, 2.0, np.nan, -30.0])
    np.testing.assert_array_equal(table.data["flag"], [1.0, 0.0, 1.0, 0.0])
    assert table.data["word"].tolist() == ["p", None, "q", "p"]
    assert table.missing("word").tolist() == [False, True, False, False]


def test_ragged_row_and_unknown_sep_for_parquet(tmp_path, cli):
    path = tmp_path / "short.csv"
    path.write_text("a,b,c\n1,2,3\n\n4,5\n")
    r = cli("mi", path, "--x", "a", "--y", "b")
    assert r.stderr == ("fastmi: error: cannot parse " + str(path)
                        + " as CSV: data row 2 has 2 fields, the header has 3\n")
    pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"a": [1.0, 2.0], "b": [3.0, 4.0]}), tmp_path / "t.parquet")
    r = cli("mi", tmp_path / "t.parquet", "--x", "a", "--y", "b", "--sep", ";")
    assert r.returncode == 2 and "--sep applies to CSV files" in r.stderr


# --------------------------------------------------------------------------- rank, flags, ties


def test_rank_discrete_target_and_columns(tmp_path, cli, cols):
    """--discrete makes an integer target class labels (auto would take it as continuous:
    more than 20 values) and an integer feature a discrete one."""
    target = np.round(cols["a"] * 10)
    codes = (cols["c"] > 0).astype(int) + 2 * (cols["b"] > 0)
    path = write(tmp_path / "ints.csv", ["t", "a", "k"], zip(target, cols["a"], codes))
    auto = json.loads(cli("rank", path, "--target", "t", "--json", "-q").stdout)
    assert auto["task"] == "regression"
    got = json.loads(cli("rank", path, "--target", "t", "--discrete", "t,k", "--json", "-q",
                         "--nats").stdout)
    assert got["task"] == "classification"
    want = fastmi.mutual_info_classif(np.column_stack([cols["a"], codes]), target,
                                      discrete_features=[False, True], random_state=0)
    assert {r["column"]: r["mi"] for r in got["ranking"]} == {"a": want[0], "k": want[1]}
    r = cli("rank", path, "--target", "t", "--discrete", "t", "--task", "regression")
    assert r.returncode == 2 and "contradicts --discrete" in r.stderr
    r = cli("rank", path, "--target", "t", "--discrete", "zz")
    assert r.returncode == 2 and "unknown column 'zz' for --discrete" in r.stderr


@pytest.mark.parametrize("argv", [
    ["bench", "--case", "ksg"],
    ["mi", "{f}", "--x", "a", "--y", "b", "--est", "binned"],
    ["rank", "{f}", "--targ", "a"],
    ["pairwise", "{f}", "--col", "a,b"],
])
def test_abbreviated_flags_are_refused(cli, plain, argv):
    r = cli(*[a.format(f=plain) for a in argv])
    assert r.returncode == 2 and r.stdout == ""
    assert "unrecognized arguments" in r.stderr or "required" in r.stderr, r.stderr


def test_tie_warning_names_the_cli_remedy(tmp_path, cli):
    i = np.arange(300)
    path = write(tmp_path / "ties.csv", ["x", "y"], zip(i % 5, i % 3))
    r = cli("mi", path, "--x", "x", "--y", "y")
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastmi: warning: "), r.stderr
    assert "--estimator binned" in lines[0] and "fastmi." not in lines[0]
    r = cli("pairwise", path, "-q")
    assert r.stderr.count("warning") == 1 and "--method binned" in r.stderr


# --------------------------------------------------------------------------- column names


def write_named(path, columns):
    """A CSV written with the csv module (names with commas, quotes, line ends quoted)."""
    import csv

    names = list(columns)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for row in zip(*(columns[c] for c in names)):
            w.writerow([v if isinstance(v, str) else repr(float(v)) for v in row])
    return path


@pytest.fixture
def comma_names(tmp_path, cols):
    """Columns "a,b" (one column, its name holding a comma), a, b, c, z1, z2."""
    rng = np.random.default_rng(5)
    z1, z2 = rng.standard_normal(N), rng.standard_normal(N)
    columns = {"a,b": cols["a"] + z1, "a": cols["a"], "b": cols["b"], "c": cols["c"] + z2,
               "z1": z1, "z2": z2}
    return write_named(tmp_path / "commas.csv", columns), columns


def test_column_options_read_alike_in_every_command(cli, comma_names):
    """--x/--y/--z of ``test`` split every value at commas, those of ``mi`` never: "a,b" (a
    column) was unknown columns 'a' and 'b' to ``test``, and ``mi --z z1,z2`` an unknown
    column.  Now every command takes a value that is a column's name whole, and reads any
    other value as a comma-separated list (as --columns and ``test`` did)."""
    path, columns = comma_names

    def statistic(*argv):
        r = cli(*argv, "--json", "-q", "--permutations", "9")
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["statistic"]

    want = fastmi.mi_test(columns["a,b"], columns["c"], np.column_stack([columns["z1"], columns["z2"]]),
                          n_permutations=9, random_state=0).statistic
    # a name holding a comma, in every option of test
    assert statistic("test", path, "--x", "a,b", "--y", "c", "--z", "z1", "--z", "z2") == want
    # several z columns: repeated, or one comma-separated list (as test took them before)
    assert statistic("test", path, "--x", "a,b", "--y", "c", "--z", "z1,z2") == want
    assert statistic("test", path, "--x", "a,b", "--y", "c", "--z", "z1, z2", "--z", "z1") == want
    # mi reads them alike
    for z in (("--z", "z1", "--z", "z2"), ("--z", "z1,z2")):
        r = cli("mi", path, "--x", "a,b", "--y", "c", *z)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("I('a,b'; c | z1, z2) = ")
    r = cli("mi", path, "--x", "a,b", "--y", "c")
    assert r.returncode == 0 and r.stdout.startswith("I('a,b'; c) = "), r.stderr
    r = cli("mi", path, "--x", "a,c", "--y", "b")  # not a column: the columns a and c
    assert r.returncode == 0 and r.stdout.startswith("I(a, c; b) = "), r.stderr
    # pairwise, select and rank too
    r = cli("pairwise", path, "--columns", "a,b", "--columns", "c", "--json", "-q")
    assert r.returncode == 0 and json.loads(r.stdout)["columns"] == ["a,b", "c"], r.stderr
    r = cli("select", path, "--target", "c", "--columns", "a,b", "--columns", "z1,z2", "--n", "3",
            "--json", "-q")
    assert r.returncode == 0, r.stderr
    assert {s["column"] for s in json.loads(r.stdout)["selected"]} == {"a,b", "z1", "z2"}
    r = cli("rank", path, "--target", "c", "--discrete", "a,b", "--json", "-q")
    assert r.returncode == 0, r.stderr
    assert [s["column"] for s in json.loads(r.stdout)["ranking"] if s["discrete"]] == ["a,b"]
    # an unknown name in a list is named, and the whole value too
    r = cli("test", path, "--x", "a,q", "--y", "c")
    assert r.returncode == 2 and "unknown column 'q' for --x" in r.stderr, r.stderr
    assert "nor is 'a,q' a column" in r.stderr
    # the rule is in each command's --help
    for command in ("mi", "test", "pairwise"):
        out = cli(command, "--help").stdout
        assert "Column names:" in out and "--z c1 --z c2" in out, out


# a name with a line end, a tab, an escape, a Unicode line separator, a backslash
ODD = ["x\ny", "t\tab", "esc\x1b[31m", "line\u2028sep", "back\\slash"]


@pytest.fixture
def odd_names(tmp_path, cols):
    rng = np.random.default_rng(9)
    columns = {name: cols["a"] + (j + 1) * rng.standard_normal(N) for j, name in enumerate(ODD)}
    columns["label"] = (cols["a"] > 0).astype(float)
    return write_named(tmp_path / "odd.csv", columns), columns


@pytest.mark.parametrize("argv, records", [
    (["mi", "{f}", "--x", ODD[0], "--y", ODD[1]], 1),
    (["mi", "{f}", "--x", ODD[0], "--y", ODD[1], "--z", ODD[2], "--z", ODD[3]], 1),
    (["entropy", "{f}", "--x", ODD[0], "--x", ODD[4]], 1),
    (["test", "{f}", "--x", ODD[0], "--y", ODD[1], "--z", ODD[3], "--permutations", "9"], 2),
    (["rank", "{f}", "--target", "label"], 2 + len(ODD)),
    (["pairwise", "{f}", "--columns", ",".join(ODD[1:]), "--columns", ODD[0]], 2 + len(ODD)),
    (["select", "{f}", "--target", "label", "--n", str(len(ODD))], 2 + len(ODD)),
], ids=["mi", "cmi", "entropy", "test", "rank", "pairwise", "select"])
def test_control_characters_in_names_keep_one_record_a_line(cli, odd_names, argv, records):
    """A column name holding a line end (or another control character) broke the line of
    the text output in two; it is now shown escaped and quoted (JSON keeps it exactly)."""
    path, _ = odd_names
    r = cli(*[a.format(f=path) for a in argv], "-q")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()  # splits at \n, \r, \x1c-\x1e, \x85, \u2028, \u2029 too
    assert len(lines) == records, r.stdout
    assert r.stdout.count("\n") == records and "\x1b" not in r.stdout and "\t" not in r.stdout
    shown = [repr(n) for n in ODD if any(n == a for a in argv) or argv[0] in ("rank", "pairwise", "select")]
    for name in shown:
        assert name in r.stdout, (name, r.stdout)
    # tables stay aligned
    if argv[0] == "pairwise":
        assert len({len(line) for line in lines[1:]}) == 1, lines
    if argv[0] in ("rank", "select", "pairwise"):  # JSON holds the exact names
        r = cli(*[a.format(f=path) for a in argv], "-q", "--json")
        got = json.loads(r.stdout)
        names = got.get("columns") or [s["column"] for s in got.get("ranking", got.get("selected", []))]
        assert sorted(names) == sorted(ODD), names


def test_pairwise_shows_names_in_full(tmp_path, cli, cols):
    """The pairwise table cut names to 10 characters: measurement_alpha and measurement_beta
    were both "measuremen"."""
    columns = {"measurement_alpha": cols["a"], "measurement_beta": cols["b"], "c": cols["c"]}
    path = write(tmp_path / "long.csv", list(columns), zip(*columns.values()))
    for unit in ((), ("--base", "10")):
        r = cli("pairwise", path, "-q", *unit)
        assert r.returncode == 0, r.stderr
        header, *rows = r.stdout.splitlines()[1:]
        assert header.split()[1:] == list(columns), header
        assert [row.split()[0] for row in rows] == list(columns)
        # each value right-aligned under its column's name
        ends = [m.end() for m in re.finditer(r"\S+", header)][1:]
        for row in rows:
            assert [m.end() for m in re.finditer(r"\S+", row)][1:] == ends, (header, row)


# --------------------------------------------------------------------------- paths and wide names


#: A directory name that would forge a line of its own if printed raw, with an escape too.
FORGED = "d\nfastmi: error: forged\x1b[31m"


@pytest.fixture
def forged_dir(tmp_path, cols):
    d = tmp_path / FORGED
    d.mkdir()
    write(d / "ok.csv", ["a", "b"], zip(cols["a"], cols["b"]))
    (d / "header.csv").write_text("a,b\n")
    data = gzip.compress((d / "ok.csv").read_bytes())
    (d / "t.csv.gz").write_bytes(data[: len(data) // 2])  # truncated
    return d


@pytest.mark.skipif(sys.platform == "win32", reason="NTFS takes no line end or escape in a file name")
def test_control_characters_in_paths_are_escaped(cli, forged_dir):
    """A path was printed raw: a line end in it forged a line (``fastmi: error: forged``)
    and an escape reached the terminal.  It is escaped and quoted, as a column name is
    (the cases that need no such directory run everywhere, in the test below)."""
    pytest.importorskip("matplotlib")
    d = str(forged_dir)
    shown = repr(d)  # how the output shows the directory: quoted, with backslash escapes
    cases = [
        (("mi", d + "/none.csv", "--x", "a", "--y", "b"), "no such file: " + repr(d + "/none.csv")),
        (("mi", d + "/header.csv", "--x", "a", "--y", "b"), repr(d + "/header.csv") + " has a header but no"),
        (("mi", d + "/ok.csv", "--x", "a", "--y", "q"), "for --y in " + repr(d + "/ok.csv")),
        (("mi", d, "--x", "a", "--y", "b"), shown + " is a directory"),
        (("mi", d + "/t.csv.gz", "--x", "a", "--y", "b"), "cannot read " + repr(d + "/t.csv.gz")),
        (("mi", d + "/ok.csv", "--x", "a", "--y", "b", "--k", "900"), "rows; " + repr(d + "/ok.csv") + " has"),
        (("pairwise", d + "/ok.csv", "--plot", d + "/p.p\x1bng"), "its extension '.p\\x1bng'"),
        (("pairwise", d + "/ok.csv", "--plot", d + "/no/p.png"), "directory " + repr(os.path.join(d, "no"))),
        (("pairwise", d + "/ok.csv", d + "/extra"), "unrecognized arguments: " + repr(d + "/extra")),
    ]
    for argv, fragment in cases:
        r = cli(*argv)
        assert r.returncode == 2 and r.stdout == "", (argv, r.stdout, r.stderr)
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("fastmi: error: "), (argv, r.stderr)
        assert "\x1b" not in r.stderr and fragment in r.stderr, (argv, fragment, r.stderr)
    # what is printed on standard output too
    plot = d + "/p.png"
    r = cli("pairwise", d + "/ok.csv", "--plot", plot, "-q")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == r.stdout.count("\n") == 5 and lines[-1] == "wrote " + repr(plot), r.stdout
    assert "\x1b" not in r.stdout


def test_paths_keep_their_backslashes(cli, plain, tmp_path):
    """Paths were shown as column names are: every backslash doubled and the path quoted,
    so every Windows path printed as ``'C:\\\\Users\\\\me\\\\data.csv'``.  Backslashes now pass
    through; only control and other non-printable characters are escaped (and the path
    quoted).  Runs everywhere: no directory with such a name is made."""
    pytest.importorskip("matplotlib")
    from fastmi.cli.render import path

    assert path(r"C:\Users\me\data.csv") == r"C:\Users\me\data.csv"
    assert path(r"\\server\share\x.csv") == r"\\server\share\x.csv"
    assert path("C:\\tmp\\new\nline.csv") == r"'C:\tmp\new\nline.csv'"  # the line end escaped, not the backslashes
    assert path(" C:\\x.csv") == r"' C:\x.csv'" and path("'q.csv") == repr("'q.csv") and path("") == "''"
    assert path(FORGED) == repr(FORGED) and path("a\u200bb") == repr("a\u200bb")
    missing = str(tmp_path) + "\\no\\data.csv"  # a name with backslashes, or a Windows path
    r = cli("mi", missing, "--x", "a", "--y", "b")
    assert r.returncode == 2 and r.stderr == f"fastmi: error: no such file: {missing}\n", r.stderr
    word = r"C:\Users\me\extra.csv"
    r = cli("mi", plain, "--x", "a", "--y", "b", word, FORGED)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "\x1b" not in r.stderr, r.stderr
    assert f"unrecognized arguments: {word} {FORGED!r}" in r.stderr, r.stderr
    plot = r"C:\out\p.p" + "\x1bng"
    r = cli("pairwise", plain, "--plot", plot)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "\x1b" not in r.stderr, r.stderr
    assert r"cannot write --plot file 'C:\out\p.p\x1bng': its extension '.p\x1bng'" in r.stderr, r.stderr


def display_width(text):
    """Terminal cells: 2 for East Asian wide and full-width characters, 0 for combining ones."""
    import unicodedata

    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


@pytest.fixture
def wide_names(tmp_path, cols):
    """Names of East Asian wide characters (CJK, full-width Latin) and with a combining accent."""
    rng = np.random.default_rng(5)
    columns = {"身長": cols["a"], "体重kg": cols["b"], "ｆｕｌｌ": rng.standard_normal(N),
               "cafe\u0301": rng.standard_normal(N), "label": (cols["a"] > 0).astype(float)}
    return write_named(tmp_path / "wide.csv", columns)


@pytest.mark.parametrize("argv", [
    ["rank", "{f}", "--target", "label"],
    ["pairwise", "{f}"],
    ["pairwise", "{f}", "--base", "10"],
    ["select", "{f}", "--target", "label", "--n", "4"],
], ids=["rank", "pairwise", "pairwise-base-10", "select"])
def test_wide_characters_keep_tables_aligned(cli, wide_names, argv):
    """Tables were padded by len(): a CJK name took more cells than its length, and every
    column after it was pushed right."""
    r = cli(*[a.format(f=wide_names) for a in argv], "-q")
    assert r.returncode == 0, r.stderr
    table = r.stdout.splitlines()[1:]  # after the title line
    assert len(table) == 1 + (5 if argv[0] == "pairwise" else 4), r.stdout
    assert any("身長" in line for line in table) and any("cafe\u0301" in line for line in table)
    assert len({display_width(line) for line in table}) == 1, [(display_width(s), s) for s in table]
    if argv[0] == "pairwise":  # each value ends in the cell where its column's name ends
        ends = [display_width(table[0][:m.end()]) for m in re.finditer(r"\S+", table[0])][1:]
        for line in table[1:]:
            assert [display_width(line[:m.end()]) for m in re.finditer(r"\S+", line)][1:] == ends, line


def test_render_width_and_pad():
    from fastmi.cli.render import pad, width

    assert width("abc") == 3 and width("身長") == 4 and width("ｆｕｌｌ") == 8 and width("cafe\u0301") == 4
    assert pad("身長", 6) == "身長  " and pad("身長", 6, ">") == "  身長" and pad("身長", 3) == "身長"


# --------------------------------------------------------------------------- integers beyond 2**53


@pytest.fixture(params=["csv", "csv-signed", "parquet"])
def big_ints(request, tmp_path):
    """A file whose column 'big' holds 200 distinct integers beyond 2**53, among 400
    consecutive ones (float64, 2 apart there, rounds them to fewer values), 'small' the
    same less 2**53, 'f' floats; "csv-signed" writes the integers with a leading '+' (which
    the float reading takes and an integer one did not)."""
    rng = np.random.default_rng(3)
    big = 2**53 + rng.choice(400, N, replace=False).astype(np.int64)
    assert np.unique(big.astype(np.float64)).size < N
    f = rng.standard_normal(N)
    if request.param.startswith("csv"):
        path = tmp_path / "big.csv"
        sign = "+" if request.param == "csv-signed" else ""
        with open(path, "w", encoding="utf-8") as out:
            out.write("big,small,f\n")
            for b, v in zip(big, f):
                out.write(f"{sign}{b},{sign}{b - 2**53},{float(v)!r}\n")
    else:
        pa = pytest.importorskip("pyarrow")
        import pyarrow.parquet as pq

        path = tmp_path / "big.parquet"
        pq.write_table(pa.table({"big": pa.array(big, pa.int64()), "small": pa.array(big - 2**53, pa.int64()),
                                 "f": pa.array(f)}), path)
    return path, big


@pytest.mark.parametrize("argv, option, remedy", [
    (["mi", "{f}", "--x", "big", "--y", "f"], "--x", "or use --estimator binned"),
    (["mi", "{f}", "--x", "f", "--y", "big", "--legacy"], "--y", "or use --estimator binned"),
    (["mi", "{f}", "--x", "f", "--y", "small", "--z", "big"], "--z", "or use --estimator binned"),
    (["entropy", "{f}", "--x", "big"], "--x", "or use --estimator discrete or --estimator binned"),
    (["pairwise", "{f}"], "--columns", "or use --method binned"),
    (["test", "{f}", "--x", "big", "--y", "f", "--permutations", "5"], "--x",
     "or compare with 'fastmi mi --estimator binned'"),
])
def test_integers_beyond_2_53_refused_where_the_library_refuses_them(cli, big_ints, argv, option, remedy):
    # the column was cast to float64 as read: 200 distinct integers became fewer values,
    # reported as "repeated values" the file does not hold, where the Python call refuses them
    path, big = big_ints
    r = cli(*(a.format(f=path) for a in argv))
    assert r.returncode == 2 and r.stdout == "", r.stderr
    with pytest.raises(ValueError) as api:
        fastmi.ksg_mi(big, big[::-1].copy())
    # the library's words after the value, but for its Python remedy ("x - x.min()", "a
    # discrete estimator"): the command's own options
    wording = re.sub(r"^x holds the integer \d+", "", str(api.value))
    wording = wording[: wording.index("Subtract an offset first")]
    assert re.fullmatch(rf"fastmi: error: column 'big' \({option}\) holds the integer \d+"
                        rf"{re.escape(wording)}Subtract an offset from the column first \(its minimum, when "
                        rf"its span is below 2\*\*53\), {re.escape(remedy)}\n", r.stderr), r.stderr


def test_integers_beyond_2_53_taken_by_the_binned_and_discrete_estimators(cli, big_ints):
    path, big = big_ints
    for argv in (["mi", path, "--x", "big", "--y", "f", "--estimator", "binned"],
                 ["mi", path, "--x", "f", "--y", "small", "--z", "big", "--estimator", "binned"],
                 ["entropy", path, "--x", "big", "--estimator", "binned"],
                 ["pairwise", path, "--method", "binned"],
                 ["mi", path, "--x", "small", "--y", "f"]):  # within 2**53: exact
        r = cli(*argv, "-q")
        assert r.returncode == 0, (argv, r.stderr)
    # the discrete entropy counts them exactly: read as float64, distinct integers became
    # one label (fewer than the 200 in the file)
    r = cli("entropy", path, "--x", "big", "--estimator", "discrete")
    assert r.returncode == 0, r.stderr
    value, _ = one_value(r.stdout)
    assert value == round(fastmi.entropy(big, method="discrete"), 4) == round(math.log2(N), 4)


# --------------------------------------------------------------------------- mi of a column with itself


def test_mi_of_a_column_with_itself_warns(cli, plain):
    # I(a; a) printed psi(n) - psi(k) silently: an infinite quantity, not an estimate
    with warnings.catch_warnings():
        warnings.simplefilter("always", RuntimeWarning)  # as outside pytest (which makes it an error)
        r = cli("mi", plain, "--x", "a", "--y", "a")
    assert r.returncode == 0
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "fastmi: warning: column 'a' (--x) and column 'a' (--y) are the same samples: the mutual "
        "information of a continuous variable with itself is infinite"), r.stderr
    assert lines[0].endswith("use 'fastmi entropy' of the --x columns") and "fastmi." not in lines[0]
    assert cli("mi", plain, "--x", "a", "--y", "a", "--estimator", "binned").stderr == ""


# --------------------------------------------------------------------------- --n-jobs


@pytest.mark.parametrize("n_jobs", ["-2", "-100"])
def test_negative_n_jobs_taken_as_the_library_takes_them(cli, plain, n_jobs):
    # the library takes -2 (all cores but one), ..., -100 (one thread), as joblib does;
    # --n-jobs refused everything below -1
    want = cli("mi", plain, "--x", "a", "--y", "b", "--n-jobs", "1").stdout
    r = cli("mi", plain, "--x", "a", "--y", "b", "--n-jobs", n_jobs)
    assert r.returncode == 0 and r.stdout == want, r.stderr
