"""End-to-end tests of the ``fastmi`` command line: run through ``python -m fastmi`` in a
subprocess where the process matters (encodings, pipes, FIFOs, signals, permissions, the
exit status), else through ``fastmi.cli.main`` in this process (fast)."""

from __future__ import annotations

import bz2
import errno
import gzip
import io
import json
import lzma
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

import fastmi
from fastmi.cli.progress import Progress

N = 300


def run_cli(*args, timeout=120, **kwargs):
    return subprocess.run([sys.executable, "-m", "fastmi", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, **kwargs)


def assert_usage_error(proc, *fragments):
    """Exit status 2, nothing on stdout, one line ``fastmi: error: ...`` on stderr."""
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("fastmi: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def write_csv(path, columns):
    names = list(columns)
    rows = zip(*(columns[c] for c in names))
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(names) + "\n")
        for row in rows:
            f.write(",".join(v if isinstance(v, str) else repr(float(v)) for v in row) + "\n")
    return path


def sample_columns(n=N):
    rng = np.random.default_rng(7)
    a = rng.standard_normal(n)
    b = 0.8 * a + 0.6 * rng.standard_normal(n)
    c = rng.standard_normal(n)
    label = (a > 0.5).astype(int) + (a > -0.5).astype(int)
    return {"a": a, "b": b, "c": c, "label": label,
            "name": [f"s{i}" for i in range(n)]}


@pytest.fixture
def data(tmp_path):
    cols = sample_columns()
    return write_csv(tmp_path / "data.csv", cols), cols


def parse_mi(stdout):
    m = re.fullmatch(r"I\((.+); (.+)\) = (\d+\.\d{4}) bits \((.+), n=(\d+)\)\n", stdout)
    assert m, stdout
    return m.group(1), m.group(2), float(m.group(3)), m.group(4), int(m.group(5))


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize("command", [[], ["bench"], ["mi"], ["rank"]])
def test_help_has_an_example(command):
    proc = run_cli(*command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: fastmi")
    assert "examples:" in proc.stdout
    assert re.search(r"^  fastmi " + (command[0] if command else r"\w+"), proc.stdout, re.M)


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith(f"fastmi {fastmi.__version__} (")


# --------------------------------------------------------------------------- mi


def test_mi_ksg(data, cli):
    path, cols = data
    x, y, value, how, n = parse_mi(cli("mi", path, "--x", "a", "--y", "b").stdout)
    assert (x, y, how, n) == ("a", "b", "KSG, k=3", N)
    assert value == pytest.approx(fastmi.ksg_mi(cols["a"], cols["b"], k=3), abs=5e-5)
    assert value > 0.4


def test_mi_ksg_options(data, cli):
    path, cols = data
    proc = cli("mi", path, "--x", "a", "--y", "b", "--k", "5", "--legacy", "--n-jobs", "1")
    _, _, value, how, _ = parse_mi(proc.stdout)
    assert how == "KSG legacy, k=5"
    assert value == pytest.approx(fastmi.ksg_mi(cols["a"], cols["b"], k=5, legacy=True),
                                  abs=5e-5)


def test_mi_multivariate(data, cli):
    path, cols = data
    proc = cli("mi", path, "--x", "a", "--x", "c", "--y", "b")
    x, y, value, _, _ = parse_mi(proc.stdout)
    assert (x, y) == ("a, c", "b")
    expected = fastmi.ksg_mi(np.column_stack([cols["a"], cols["c"]]), cols["b"], k=3)
    assert value == pytest.approx(expected, abs=5e-5)


def test_mi_binned(data, cli):
    path, cols = data
    proc = cli("mi", path, "--x", "b", "--y", "a", "--estimator", "binned", "--bins", "8")
    x, y, value, how, n = parse_mi(proc.stdout)
    assert (x, y, how, n) == ("b", "a", "binned, bins=8", N)
    assert value == pytest.approx(fastmi.discrete_mi(cols["b"], cols["a"], bins=8), abs=5e-5)


def test_mi_parquet_matches_csv(data, tmp_path, cli):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path, cols = data
    parquet = tmp_path / "data.parquet"
    pd.DataFrame(cols).to_parquet(parquet)
    args = ["--x", "a", "--y", "b"]
    assert cli("mi", parquet, *args).stdout == cli("mi", path, *args).stdout


def test_mi_without_pandas_matches(data, cli, monkeypatch):
    pytest.importorskip("pandas")
    path, _ = data
    argv = ["mi", path, "--x", "c", "--y", "b", "--estimator", "binned"]
    with_pandas = cli(*argv).stdout
    monkeypatch.setitem(sys.modules, "pandas", None)
    proc = cli(*argv)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == with_pandas


@pytest.mark.parametrize("suffix, what", [("parquet", "Parquet"), ("csv", "CSV")])
def test_without_pyarrow_says_what_to_install(tmp_path, cli, monkeypatch, suffix, what):
    path = tmp_path / f"data.{suffix}"
    path.write_bytes(b"PAR1 not really parquet" if suffix == "parquet" else b"a,b\n1,2\n")
    for name in ("pandas", "pyarrow", "pyarrow.parquet", "pyarrow.csv"):
        monkeypatch.setitem(sys.modules, name, None)
    proc = cli("mi", path, "--x", "a", "--y", "b")
    assert_usage_error(proc, what, "needs pyarrow", 'pip install "fastmi[cli]"')


def test_tsv(tmp_path, cli):
    cols = sample_columns(50)
    path = tmp_path / "data.tsv"
    path.write_text("a\tb\n" + "".join(f"{float(u)!r}\t{float(v)!r}\n"
                                        for u, v in zip(cols["a"], cols["b"])))
    _, _, value, _, n = parse_mi(cli("mi", path, "--x", "a", "--y", "b").stdout)
    assert n == 50
    assert value == pytest.approx(fastmi.ksg_mi(cols["a"], cols["b"]), abs=5e-5)


# --------------------------------------------------------------------------- rank


def feature_matrix(cols, target):
    names = [c for c in ("a", "b", "c", "label") if c != target]
    return names, np.column_stack([np.asarray(cols[c], dtype=float) for c in names])


def test_rank_classification_table(data, cli):
    path, cols = data
    proc = cli("rank", path, "--target", "label")
    assert proc.returncode == 0, proc.stderr
    names, X = feature_matrix(cols, "label")
    mi = fastmi.mutual_info_classif(X, cols["label"], n_neighbors=3, random_state=0)
    lines = proc.stdout.splitlines()
    assert "classification" in lines[0] and "in bits" in lines[0] and "discrete: 'name'" in lines[0]
    assert lines[1].split() == ["rank", "column", "MI", "(bits)"]
    rows = {line.split()[1]: line.split() for line in lines[2:]}
    assert [r[0] for r in rows.values()] == ["1", "2", "3", "4"]
    assert set(rows) == {"a", "b", "c", "name"}  # the text column is ranked too (coded)
    order = [c for c in rows if c != "name"]
    assert order == [names[j] for j in np.argsort(-mi, kind="stable")]
    assert order[0] == "a"
    for name in order:  # bits: the library's nats / ln 2
        assert float(rows[name][2]) == pytest.approx(mi[names.index(name)] / math.log(2), abs=5e-5)
    assert proc.stderr == ""


def test_rank_regression_json_top(data, cli):
    path, cols = data
    argv = ["rank", path, "--target", "b", "--task", "regression", "--json", "--top", "2",
            "--k", "4", "--random-state", "3", "-q", "--discrete", "name"]
    proc = cli(*argv, "--nats")
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert (got["unit"], got["task"], got["n"], got["target"]) == ("nats", "regression", N, "b")
    names, X = feature_matrix(cols, "b")
    codes = np.unique(cols["name"], return_inverse=True)[1]
    X = np.column_stack([X, codes])
    mi = fastmi.mutual_info_regression(X, cols["b"], n_neighbors=4, random_state=3,
                                       discrete_features=[False] * 3 + [True])
    names = names + ["name"]
    order = np.argsort(-mi, kind="stable")[:2]
    assert [(r["rank"], r["column"], r["n"]) for r in got["ranking"]] == [
        (r + 1, names[j], N) for r, j in enumerate(order)]
    assert [r["mi"] for r in got["ranking"]] == [mi[j] for j in order]  # nats: exactly the library's
    assert got["ranking"][0]["column"] == "a"
    bits = json.loads(cli(*argv).stdout)
    assert bits["unit"] == "bits"
    assert [r["mi"] for r in bits["ranking"]] == pytest.approx([mi[j] / math.log(2) for j in order],
                                                               rel=1e-14)


def test_rank_text_labels(tmp_path, cli):
    cols = sample_columns(200)
    cols["label"] = ["low", "mid", "high"] * 66 + ["low", "mid"]
    path = write_csv(tmp_path / "labels.csv", cols)
    proc = cli("rank", path, "--target", "label", "--json", "-q")
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["task"] == "classification"
    assert {r["column"] for r in got["ranking"]} == {"a", "b", "c", "name"}


# --------------------------------------------------------------------------- bad input


def _bad_files(tmp_path):
    cols = sample_columns(20)
    files = {"data": write_csv(tmp_path / "data.csv", cols)}
    nan = dict(cols, b=[*cols["b"][:4], math.nan, *cols["b"][5:]])
    files["nan"] = write_csv(tmp_path / "nan.csv", nan)
    blank = tmp_path / "blank.csv"
    blank.write_text("a,b\n1,2\n3,\n5,6\n")
    files["blank"] = blank
    inf = dict(cols, c=[math.inf, *cols["c"][1:]])
    files["inf"] = write_csv(tmp_path / "inf.csv", inf)
    (tmp_path / "empty.csv").write_bytes(b"")
    files["empty"] = tmp_path / "empty.csv"
    (tmp_path / "header.csv").write_text("a,b,c\n")
    files["header"] = tmp_path / "header.csv"
    (tmp_path / "ragged.csv").write_text("a,b\n1,2\n3,4,5\n")
    files["ragged"] = tmp_path / "ragged.csv"
    (tmp_path / "binary.csv").write_bytes(bytes(range(128, 256)) * 4)
    files["binary"] = tmp_path / "binary.csv"
    files["single"] = write_csv(tmp_path / "single.csv", {"a": cols["a"]})
    # one cell not UTF-8 in a text file (the cast of string to string checked nothing: exit 1)
    (tmp_path / "latin1.csv").write_bytes(b"a,b\n1,\xe9\n2,3\n3,4\n4,6\n")
    files["latin1"] = tmp_path / "latin1.csv"
    return files


BAD_INPUT = [
    # (id, argv with {file} placeholders, fragments of the message)
    ("missing file", ["mi", "{dir}/nope.csv", "--x", "a", "--y", "b"],
     ["no such file", "nope.csv"]),
    ("directory", ["mi", "{dir}", "--x", "a", "--y", "b"], ["directory"]),
    ("unknown column", ["mi", "{data}", "--x", "a", "--y", "zz"],
     ["unknown column 'zz'", "available columns: 'a', 'b', 'c', 'label', 'name'"]),
    ("non-numeric column", ["mi", "{data}", "--x", "name", "--y", "b"],
     ["'name'", "not numeric", "'s0'"]),
    ("empty file", ["mi", "{empty}", "--x", "a", "--y", "b"], ["empty.csv", "is empty"]),
    ("header only", ["mi", "{header}", "--x", "a", "--y", "b"], ["no data rows"]),
    ("NaN", ["mi", "{nan}", "--x", "a", "--y", "b"], ["'b'", "missing", "row 5"]),
    ("blank cell", ["mi", "{blank}", "--x", "a", "--y", "b", "--k", "1"], ["'b'", "missing"]),
    ("infinity", ["mi", "{inf}", "--x", "c", "--y", "b"], ["'c'", "infinite", "row 1"]),
    ("ragged CSV", ["mi", "{ragged}", "--x", "a", "--y", "b"], ["cannot parse", "ragged.csv"]),
    ("not text", ["mi", "{binary}", "--x", "a", "--y", "b"], ["UTF-8"]),
    ("k zero", ["mi", "{data}", "--x", "a", "--y", "b", "--k", "0"], ["--k", "'0'"]),
    ("k negative", ["mi", "{data}", "--x", "a", "--y", "b", "--k", "-2"], ["--k", "'-2'"]),
    ("k not int", ["mi", "{data}", "--x", "a", "--y", "b", "--k", "2.5"], ["--k", "'2.5'"]),
    ("k >= n", ["mi", "{data}", "--x", "a", "--y", "b", "--k", "20"], ["--k 20", "has 20"]),
    ("bins zero", ["mi", "{data}", "--x", "a", "--y", "b", "--estimator", "binned",
                   "--bins", "0"], ["--bins", "'0'"]),
    ("bins text", ["mi", "{data}", "--x", "a", "--y", "b", "--estimator", "binned",
                   "--bins", "ten"], ["--bins", "'ten'"]),
    ("bins with ksg", ["mi", "{data}", "--x", "a", "--y", "b", "--bins", "5"], ["--bins"]),
    ("legacy with binned", ["mi", "{data}", "--x", "a", "--y", "b", "--estimator", "binned",
                            "--legacy"], ["--legacy"]),
    ("bad estimator", ["mi", "{data}", "--x", "a", "--y", "b", "--estimator", "kde"],
     ["--estimator", "'kde'"]),
    ("missing --y", ["mi", "{data}", "--x", "a"], ["--y"]),
    ("n-jobs zero", ["mi", "{data}", "--x", "a", "--y", "b", "--n-jobs", "0"], ["--n-jobs"]),
    ("no command", [], ["choose a command"]),
    ("unknown command", ["plot"], ["'plot'"]),
    ("rank unknown target", ["rank", "{data}", "--target", "zz"],
     ["unknown column 'zz'", "--target", "'label'"]),
    ("rank NaN feature", ["rank", "{nan}", "--target", "label"], ["'b'", "missing"]),
    ("rank NaN target", ["rank", "{nan}", "--target", "b"], ["'b'", "--target", "missing"]),
    ("rank text regression target", ["rank", "{data}", "--target", "name", "--task",
                                     "regression"], ["'name'", "not numeric"]),
    ("rank no features", ["rank", "{single}", "--target", "a"], ["no column besides the target"]),
    ("rank empty", ["rank", "{empty}", "--target", "a"], ["is empty"]),
    ("rank top zero", ["rank", "{data}", "--target", "label", "--top", "0"], ["--top"]),
    ("rank k >= n", ["rank", "{data}", "--target", "label", "--k", "25"], ["--k 25"]),
    ("bench unknown case", ["bench", "--cases", "ksg,bogus"], ["bogus", "binned"]),
    ("bench json dir", ["bench", "--json", "{dir}/no/such/dir/out.json"], ["does not exist"]),
    ("bench budget", ["bench", "--budget", "-1"], ["--budget"]),
    ("cell not UTF-8", ["mi", "{latin1}", "--x", "a", "--y", "b"], ["'b'", "UTF-8"]),
    ("bench dask with json", ["bench", "--dask", "--json", "{dir}/out.json"], ["--dask", "--json"]),
    ("select target among columns", ["select", "{data}", "--target", "label", "--columns", "label,a"],
     ["--columns", "target 'label'"]),
]


@pytest.mark.parametrize("argv, fragments", [c[1:] for c in BAD_INPUT],
                         ids=[c[0] for c in BAD_INPUT])
def test_bad_input(tmp_path, cli, argv, fragments):
    files = {k: str(v) for k, v in _bad_files(tmp_path).items()}
    files["dir"] = str(tmp_path)
    assert_usage_error(cli(*(a.format(**files) for a in argv)), *fragments)


def test_bad_input_exit_status_of_the_script(tmp_path):
    """The console script's process exits with the status main() returns."""
    assert_usage_error(run_cli("mi", tmp_path / "nope.csv", "--x", "a", "--y", "b"),
                       "no such file")


@pytest.mark.parametrize("name, argv, fragments", [
    ("non-numeric", ["mi", "{data}", "--x", "name", "--y", "b"], ["'name'", "not numeric"]),
    ("NaN", ["mi", "{nan}", "--x", "a", "--y", "b"], ["'b'", "missing", "row 5"]),
    ("blank", ["mi", "{blank}", "--x", "a", "--y", "b", "--k", "1"], ["'b'", "missing"]),
    ("empty", ["mi", "{empty}", "--x", "a", "--y", "b"], ["is empty"]),
    ("header only", ["mi", "{header}", "--x", "a", "--y", "b"], ["no data rows"]),
    ("ragged", ["mi", "{ragged}", "--x", "a", "--y", "b"], ["cannot parse", "data row 2 has 3 fields"]),
    ("unknown", ["rank", "{data}", "--target", "zz"], ["unknown column 'zz'"]),
])
def test_bad_input_without_pandas(tmp_path, cli, monkeypatch, name, argv, fragments):
    files = {k: str(v) for k, v in _bad_files(tmp_path).items()}
    monkeypatch.setitem(sys.modules, "pandas", None)
    assert_usage_error(cli(*(a.format(**files) for a in argv)), *fragments)


def test_plot_without_matplotlib(tmp_path, cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    proc = cli("bench", "--quick", "--plot", tmp_path / "b.png")
    assert_usage_error(proc)
    assert proc.stderr == ("fastmi: error: matplotlib is needed for --plot: "
                           "pip install 'fastmi[plot]'\n")


# --------------------------------------------------------------------------- odd files


def assert_one_line(proc, status, *fragments):
    """Exit ``status``, one line ``fastmi: error: ...`` on stderr, no traceback."""
    assert proc.returncode == status, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("fastmi: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def small_csv(tmp_path, name="small.csv"):
    cols = sample_columns(40)
    path = write_csv(tmp_path / name, {"a": cols["a"], "b": cols["b"]})
    return path, fastmi.ksg_mi(cols["a"], cols["b"], k=3)


def test_fields_longer_than_the_csv_module_limit(tmp_path, cli):
    """A 200,001-character column name and text field (the csv module's default limit is
    131,072) are read; the long name is shortened in messages."""
    cols = sample_columns(40)
    long = "x" * 200_001
    path = tmp_path / "long.csv"
    path.write_text(f"a,b,{long}\n" + "".join(f"{float(u)!r},{float(v)!r},{long}\n"
                                              for u, v in zip(cols["a"], cols["b"])))
    proc = cli("mi", path, "--x", "a", "--y", "b")
    assert proc.returncode == 0, proc.stderr
    assert parse_mi(proc.stdout)[2] == pytest.approx(fastmi.ksg_mi(cols["a"], cols["b"]),
                                                     abs=5e-5)
    proc = cli("mi", path, "--x", "a", "--y", "zz")
    assert_usage_error(proc, "unknown column 'zz'", "'xxxxxxxx")
    assert len(proc.stderr) < 300


def test_record_longer_than_16_mib(tmp_path, cli):
    """An unclosed quote makes the rest of the file one field: refused after 16 MiB."""
    path = tmp_path / "quote.csv"
    path.write_text('"a,b\n' + ("1.5," * 1023 + "2.5\n") * (17 << 8))
    assert_usage_error(cli("mi", path, "--x", "a", "--y", "b"),
                       "record starting at line 1 is longer than 16 MiB", "unclosed quote")
    if os.path.exists("/dev/zero"):
        assert_usage_error(cli("mi", "/dev/zero", "--x", "a", "--y", "b"),
                           "line 1 is longer than 16 MiB", "binary file")


def test_million_fields_refused_fast_in_bounded_memory(tmp_path):
    """The header is counted before anything is built from it (this file took over 100 s
    and 1.5 GB before); the child's peak memory is read from getrusage."""
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n" + "1," * 999_999
                    + "1\n")
    code = ("import resource, subprocess, sys\n"
            "p = subprocess.run([sys.executable, '-m', 'fastmi', 'mi', sys.argv[1], '--x',"
            " 'c0', '--y', 'c1'], capture_output=True, text=True)\n"
            "sys.stderr.write(p.stderr)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "sys.exit(p.returncode)\n")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, timeout=60)
    elapsed = time.monotonic() - start
    assert_one_line(proc, 2, "1,000,000 columns", "at most 100,000")
    assert elapsed < 30  # about 1 s of it is Python, numpy and pandas starting
    if sys.platform.startswith("linux"):
        assert int(proc.stdout) < 400_000  # KiB; reading it all took 1.5 GB


def test_million_fields_in_a_data_row(tmp_path, cli):
    path = tmp_path / "row.csv"
    path.write_text("a,b\n" + "1," * 999_999 + "1\n2,3\n")
    start = time.monotonic()
    assert_usage_error(cli("mi", path, "--x", "a", "--y", "b"),
                       "data row 1 has 1,000,000 fields, the header has 2")
    assert time.monotonic() - start < 10


def compressed(fmt, data):
    if fmt == "gz":
        return gzip.compress(data)
    if fmt == "bz2":
        return bz2.compress(data)
    if fmt == "xz":
        return lzma.compress(data)
    if fmt == "zst":
        return pytest.importorskip("zstandard").ZstdCompressor().compress(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.csv", data)
    return out.getvalue()


FORMATS = ["gz", "bz2", "xz", "zip", "zst"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_compressed_files(tmp_path, cli, fmt):
    """Valid data are read (also with no suffix: the first bytes tell); corrupt, truncated
    and empty files are refused in one line that says which."""
    plain, expected = small_csv(tmp_path)
    data = compressed(fmt, plain.read_bytes())
    good = tmp_path / f"good.csv.{fmt}"
    good.write_bytes(data)
    unnamed = tmp_path / "unnamed"
    unnamed.write_bytes(data)
    for path in (good, unnamed):
        proc = cli("mi", path, "--x", "a", "--y", "b")
        assert proc.returncode == 0, proc.stderr
        assert parse_mi(proc.stdout)[2] == pytest.approx(expected, abs=5e-5)

    corrupt = tmp_path / f"corrupt.csv.{fmt}"
    corrupt.write_bytes(b"this is not compressed at all\n")
    assert_usage_error(cli("mi", corrupt, "--x", "a", "--y", "b"),
                       f"corrupt.csv.{fmt}: it is not valid")
    truncated = tmp_path / f"truncated.csv.{fmt}"
    truncated.write_bytes(data[: len(data) // 2])
    what = "not valid zip data" if fmt == "zip" else "end early (a truncated file?)"
    assert_usage_error(cli("mi", truncated, "--x", "a", "--y", "b"), what)
    empty = tmp_path / f"empty.csv.{fmt}"
    empty.write_bytes(b"")
    assert_usage_error(cli("mi", empty, "--x", "a", "--y", "b"), "empty.csv", "is empty")
    if fmt != "zip":
        nothing = tmp_path / f"nothing.csv.{fmt}"
        nothing.write_bytes(compressed(fmt, b""))
        assert_usage_error(cli("mi", nothing, "--x", "a", "--y", "b"),
                           "is empty after", "decompression")


def test_zip_of_several_files(tmp_path, cli):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.csv", "a,b\n1,2\n")
        z.writestr("b.csv", "a,b\n1,2\n")
    assert_usage_error(cli("mi", path, "--x", "a", "--y", "b"),
                       "zip archive of 2 files (a.csv, b.csv)", "one file")


def test_zst_without_zstandard(tmp_path, cli, monkeypatch):
    path = tmp_path / "data.csv.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd not really")
    for name in ("zstandard", "compression", "compression.zstd"):
        monkeypatch.setitem(sys.modules, name, None)
    assert_usage_error(cli("mi", path, "--x", "a", "--y", "b"),
                       "data.csv.zst", "needs the zstandard module", "pip install zstandard")


def test_csv_variants_read_alike(tmp_path, cli):
    """A byte-order mark, blank lines before the header, old Mac line ends (a lone CR)."""
    plain, _ = small_csv(tmp_path)
    text = plain.read_text()
    expected = cli("mi", plain, "--x", "a", "--y", "b").stdout
    variants = {"bom.csv": b"\xef\xbb\xbf" + text.encode(),
                "blank.csv": b"\n\n" + text.encode(),
                "cr.csv": text.replace("\n", "\r").encode()}
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        assert cli("mi", tmp_path / name, "--x", "a", "--y", "b").stdout == expected, name


def test_parquet_without_suffix(tmp_path, cli):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    plain, expected = small_csv(tmp_path)
    path = tmp_path / "data"
    pd.read_csv(plain).to_parquet(path)
    proc = cli("mi", path, "--x", "a", "--y", "b")
    assert proc.returncode == 0, proc.stderr
    assert parse_mi(proc.stdout)[2] == pytest.approx(expected, abs=5e-5)


def test_duplicate_column_names(tmp_path, cli):
    cols = sample_columns(30)
    path = tmp_path / "dup.csv"
    path.write_text("a,b,a,c\n" + "".join(f"{float(a)!r},{float(b)!r},{float(c)!r},1\n"
                                         for a, b, c in zip(cols["a"], cols["b"], cols["c"])))
    assert_usage_error(cli("mi", path, "--x", "a", "--y", "b"),
                       "column name 'a' appears 2 times", "columns 1, 3")
    assert_usage_error(cli("rank", path, "--target", "b"), "'a' appears 2 times")
    assert cli("mi", path, "--x", "b", "--y", "c").returncode == 0  # 'a' is not used


def test_nul_bytes(tmp_path, cli):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"a,b\n1,\x002\n3,4\n")
    assert_usage_error(cli("mi", path, "--x", "a", "--y", "b"), "line 2 holds NUL bytes")


def test_path_through_a_file(tmp_path, cli):
    plain, _ = small_csv(tmp_path)
    assert_usage_error(cli("mi", plain / "x.csv", "--x", "a", "--y", "b"),
                       "no such file", "small.csv is a file, not a directory")
    assert_usage_error(cli("bench", "--json", plain / "out.json"),
                       "cannot write --json file", "small.csv is a file, not a directory")


def test_broken_symbolic_link(tmp_path, cli):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "gone.csv")
    assert_usage_error(cli("mi", link, "--x", "a", "--y", "b"),
                       "no such file", "a broken symbolic link to")


def test_parquet_odd_columns(tmp_path, cli):
    """Decimal columns are numbers; a target of lists is labelled by its text."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    import decimal

    cols = sample_columns(60)
    df = pd.DataFrame({"a": cols["a"],
                       "d": [decimal.Decimal(f"{v:.6f}") for v in cols["b"]],
                       "lists": [[int(v), 1] for v in cols["label"]]})
    path = tmp_path / "odd.parquet"
    df.to_parquet(path)
    proc = cli("mi", path, "--x", "a", "--y", "d")
    assert proc.returncode == 0, proc.stderr
    expected = fastmi.ksg_mi(cols["a"], np.round(cols["b"], 6))
    assert parse_mi(proc.stdout)[2] == pytest.approx(expected, abs=5e-5)
    proc = cli("rank", path, "--target", "lists", "--json", "-q")
    assert proc.returncode == 0, proc.stderr
    names, X = ["a", "d"], np.column_stack([cols["a"], np.round(cols["b"], 6)])
    mi = fastmi.mutual_info_classif(X, cols["label"], n_neighbors=3, random_state=0)
    assert {r["column"]: r["mi"] for r in json.loads(proc.stdout)["ranking"]} == {
        n: pytest.approx(m / math.log(2), abs=1e-12) for n, m in zip(names, mi)}


def test_internal_error_is_one_line(tmp_path, cli, monkeypatch):
    plain, _ = small_csv(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("something broke\nsecond line")

    monkeypatch.setattr(fastmi, "ksg_mi", broken)
    assert_one_line(cli("mi", plain, "--x", "a", "--y", "b"), 1,
                    "internal error", "RuntimeError: something broke")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_bench_output_file_that_cannot_be_written(cli, monkeypatch):
    """/dev/full accepts the open and fails the write, after the run: one line."""
    from fastmi import bench

    monkeypatch.setattr(bench, "run", lambda **kwargs: {"cases": []})
    assert_usage_error(cli("bench", "-q", "--json", "/dev/full"),
                       "cannot write --json file /dev/full", "No space left on device")


def test_bench_plot_format_checked_before_the_run(tmp_path, cli, monkeypatch):
    pytest.importorskip("matplotlib")
    from fastmi import bench

    def must_not_run(**kwargs):
        raise AssertionError("the benchmark ran")

    monkeypatch.setattr(bench, "run", must_not_run)
    assert_usage_error(cli("bench", "--plot", tmp_path / "b.xyz"),
                       "its extension .xyz is not an image format", ".png")
    assert_usage_error(cli("bench", "--plot", tmp_path / "b"), "it has no extension")


# --------------------------------------------------------------------------- processes


def test_non_ascii_names_on_an_ascii_terminal(tmp_path):
    plain, expected = small_csv(tmp_path)
    path = tmp_path / "names.csv"
    path.write_text(plain.read_text().replace("a,b", "\u00e9t\u00e9,b", 1), encoding="utf-8")
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    proc = run_cli("mi", path, "--x", "\u00e9t\u00e9", "--y", "b", env=env)
    assert proc.returncode == 0, proc.stderr
    x, y, value, _, _ = parse_mi(proc.stdout)
    assert (x, y) == ("\\xe9t\\xe9", "b")
    assert value == pytest.approx(expected, abs=5e-5)
    proc = run_cli("mi", path, "--x", "zz", "--y", "b", env=env)
    assert_one_line(proc, 2, "available columns: '\\xe9t\\xe9', 'b'")


def test_process_substitution(tmp_path):
    """``fastmi mi <(cat file.csv) ...``: a pipe, not a regular file."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    plain, expected = small_csv(tmp_path)
    proc = subprocess.run([bash, "-c", '"$0" -m fastmi mi <(cat "$1") --x a --y b',
                           sys.executable, str(plain)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert parse_mi(proc.stdout)[2] == pytest.approx(expected, abs=5e-5)


def open_fifo_for_writing(fifo, proc, timeout=60):
    """The write end of ``fifo``, once ``proc`` has opened its read end."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"fastmi exited without opening the FIFO: {out!r} {err!r}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("fastmi did not open the FIFO")
        time.sleep(0.02)


def test_named_fifo_of_gzip_data(tmp_path):
    plain, expected = small_csv(tmp_path)
    fifo = tmp_path / "stream"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-m", "fastmi", "mi", str(fifo), "--x", "a",
                             "--y", "b"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    fd = open_fifo_for_writing(fifo, proc)
    os.set_blocking(fd, True)
    with os.fdopen(fd, "wb") as f:
        f.write(gzip.compress(plain.read_bytes()))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert parse_mi(out)[2] == pytest.approx(expected, abs=5e-5)


def _default_sigint() -> None:
    """In the child, before exec: Ctrl-C's default disposition, so that Python installs its
    handler even when this test runs with SIGINT ignored (a background job of a
    non-interactive shell, nohup), which children inherit; fastmi itself keeps an ignored
    SIGINT ignored, as a background job should."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_interrupt_is_one_line(tmp_path):
    """Ctrl-C while fastmi waits for data: exit 130 and one line."""
    fifo = tmp_path / "slow.csv"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-m", "fastmi", "mi", str(fifo), "--x", "a",
                             "--y", "b"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=_default_sigint)
    fd = open_fifo_for_writing(fifo, proc)
    try:
        os.write(fd, b"a,b\n1.0,")
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(fd)
        if proc.poll() is None:  # no stray process left to the tests that follow
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert err == "fastmi: error: interrupted\n"
    assert out == ""


def test_output_pipe_closed_early(tmp_path):
    """``fastmi rank ... | head -1``: the reader goes away; fastmi stops quietly (141)."""
    plain, _ = small_csv(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "fastmi", "rank", str(plain), "--target",
                             "a", "--json", "-q"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # before fastmi writes anything
    err = proc.communicate(timeout=120)[1].decode()
    assert proc.returncode == 141, err
    assert err == ""


def run_into_closed_pipe(argv, unbuffered):
    """The CLI with standard output a pipe whose reader is gone before it starts."""
    read, write = os.pipe()
    os.close(read)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    try:
        return subprocess.run([sys.executable, "-m", "fastmi", *map(str, argv)], stdout=write,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    finally:
        os.close(write)


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("argv", [["--help"], ["mi", "--help"], ["test", "--help"], ["--version"],
                                  ["mi", "{plain}", "--x", "a", "--y", "b"]],
                         ids=["help", "mi-help", "test-help", "version", "mi"])
def test_help_into_a_closed_pipe_exits_141(tmp_path, argv, unbuffered):
    """``fastmi --help | head -0``: argparse ignores the failed write of its help, so the
    command exited 0 (with PYTHONUNBUFFERED=1, or help longer than the buffer).  It exits
    141, as a tool stopped by SIGPIPE, with nothing on stderr."""
    plain, _ = small_csv(tmp_path)
    proc = run_into_closed_pipe([a.format(plain=plain) for a in argv], unbuffered)
    assert proc.returncode == 141, proc.stderr
    assert proc.stderr == ""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
def test_help_into_a_full_disk_is_an_error(unbuffered):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "fastmi", "--help"], stdout=full,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    assert_one_line(proc, 2, "cannot write the output: No space left on device")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_output_write_error(tmp_path):
    plain, _ = small_csv(tmp_path)
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "fastmi", "mi", str(plain), "--x", "a",
                               "--y", "b"], stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=120)
    assert_one_line(proc, 2, "cannot write the output: No space left on device")


def run_cli_unprivileged(*args):
    """The CLI without root's power over file permissions: as root, its process gives up
    every capability (SECBIT_NOROOT) before Python starts, so mode bits apply to it."""
    code = ("import ctypes, os, sys\n"
            "if os.geteuid() == 0:\n"
            "    try:  # PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED\n"
            "        ok = ctypes.CDLL(None, use_errno=True).prctl(28, 3, 0, 0, 0) == 0\n"
            "    except (AttributeError, OSError):\n"
            "        ok = False\n"
            "    if not ok:\n"
            "        sys.exit(77)\n"
            "os.execv(sys.executable, [sys.executable, '-m', 'fastmi', *sys.argv[1:]])\n")
    proc = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                          text=True, timeout=120)
    if proc.returncode == 77:
        pytest.skip("cannot drop root's capabilities here")
    return proc


@pytest.fixture
def locked_dirs(tmp_path):
    plain, _ = small_csv(tmp_path)
    locked = tmp_path / "locked"  # cannot be searched
    locked.mkdir()
    shutil.copy(plain, locked / "data.csv")
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    locked.chmod(0o600)
    readonly.chmod(0o555)
    yield locked, readonly
    locked.chmod(0o700)
    readonly.chmod(0o700)


def test_permission_denied(locked_dirs):
    locked, readonly = locked_dirs
    proc = run_cli_unprivileged("mi", locked / "data.csv", "--x", "a", "--y", "b")
    assert_one_line(proc, 2, "permission denied", f"directory {locked} cannot be searched")
    proc = run_cli_unprivileged("bench", "--quick", "--cases", "binned", "--json",
                                readonly / "out.json")
    assert_one_line(proc, 2, "cannot write --json file", "permission denied")


# --------------------------------------------------------------------------- bench


@pytest.mark.slow
def test_bench_quick_json(tmp_path):
    out = tmp_path / "bench.json"
    args = ["bench", "--quick", "--json", out]
    try:
        import matplotlib  # noqa: F401
        has_plot = True
        args += ["--plot", tmp_path / "bench.png"]
    except ImportError:
        has_plot = False
    proc = run_cli(*args, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "\r" not in proc.stderr  # no progress bar when stderr is not a terminal
    results = json.loads(out.read_text())

    env = results["environment"]
    assert env["fastmi"] == fastmi.__version__
    assert env["numpy"] == np.__version__
    assert env["cpu_count"] >= 1 and env["cpu_model"]
    assert env["openmp"] is fastmi.has_openmp()
    assert results["quick"] is True and results["date"]

    cases = {c["key"]: c for c in results["cases"]}
    assert list(cases) == ["binned", "ksg", "nonlinear", "classif", "regression"]
    assert cases["ksg"]["truth"] == pytest.approx(-0.5 * math.log2(1 - 0.8**2))
    has_sklearn = env["sklearn"] is not None
    for case in cases.values():
        keys = [i["key"] for i in case["implementations"]]
        assert keys[0] == "fastmi"
        if case["key"] == "binned":
            assert keys == ["fastmi", "reference"]  # scikit-learn has no binned MI
        else:
            assert ("sklearn" in keys) == has_sklearn
        compared = set()
        for row in case["results"]:
            assert set(row["timings"]) == set(keys)
            assert row["timings"]["fastmi"]["extrapolated"] is False
            assert row["timings"]["fastmi"]["seconds"] > 0
            assert row["values"]["fastmi"] is not None
            for key, timing in row["timings"].items():
                assert timing["seconds"] > 0
                if timing["extrapolated"]:
                    assert timing["from_n"] < row["n"]
                    assert key not in row["values"]
                else:
                    assert key in row["values"]
            for key, agreement in row["agreement"].items():
                assert agreement["agree"], (case["key"], row["n"], key, agreement)
                compared.add(key)
            # the values behind the agreement flags really agree
            for key, agreement in row["agreement"].items():
                # fastmi's value on the input that implementation saw (scikit-learn adds
                # noise to its input), else fastmi's own value
                ours = agreement.get("fastmi_value", row["values"]["fastmi"])
                impl = next(i for i in case["implementations"] if i["key"] == key)
                np.testing.assert_allclose(row["values"][key], ours, rtol=impl["rtol"],
                                           atol=impl["atol"])
        assert compared == set(keys[1:])  # every baseline was really compared at some n
    assert "reference" in cases["binned"]["results"][-1]["values"]
    if has_sklearn:
        ksg_rows = cases["ksg"]["results"]
        assert any(r["timings"]["reference"]["extrapolated"] for r in ksg_rows)
        assert "~" in proc.stdout and "extrapolated" in proc.stdout
    if has_plot:
        assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- progress bar


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_on_a_terminal_only():
    tty = FakeTTY()
    out = io.StringIO()
    with Progress(total=4, stream=tty, out=out) as bar:
        bar.set("ksg  n=1,000")
        bar.advance()
        bar.write("a table")
    assert "[#####...............] 1/4  ksg  n=1,000" in tty.getvalue()
    assert tty.getvalue().endswith("\r\x1b[K")  # cleared when done
    assert out.getvalue() == "a table\n"

    pipe = io.StringIO()
    with Progress(total=4, stream=pipe, out=out) as bar:
        bar.set("x")
        bar.advance()
    assert pipe.getvalue() == ""

    quiet = FakeTTY()
    with Progress(total=4, stream=quiet, enabled=False) as bar:
        bar.set("x")
    assert quiet.getvalue() == ""
