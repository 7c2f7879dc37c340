"""End-to-end tests of the ``fastmi`` command line, run through ``python -m fastmi``."""

from __future__ import annotations

import io
import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest

import fastmi
from fastmi.cli import Progress

N = 300


def run_cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "fastmi", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def run_without(modules, argv, timeout=120):
    """Run the CLI in a subprocess where importing any of ``modules`` fails."""
    code = ("import sys\n"
            f"for name in {list(modules)!r}:\n"
            "    sys.modules[name] = None\n"
            "from fastmi.cli import main\n"
            f"sys.exit(main({[str(a) for a in argv]!r}))\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout)


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


def test_mi_ksg(data):
    path, cols = data
    x, y, value, how, n = parse_mi(run_cli("mi", path, "--x", "a", "--y", "b").stdout)
    assert (x, y, how, n) == ("a", "b", "KSG, k=3", N)
    assert value == pytest.approx(fastmi.ksg_mi(cols["a"], cols["b"], k=3), abs=5e-5)
    assert value > 0.4


def test_mi_ksg_options(data):
    path, cols = data
    proc = run_cli("mi", path, "--x", "a", "--y", "b", "--k", "5", "--legacy", "--n-jobs", "1")
    _, _, value, how, _ = parse_mi(proc.stdout)
    assert how == "KSG legacy, k=5"
    assert value == pytest.approx(fastmi.ksg_mi(cols["a"], cols["b"], k=5, legacy=True),
                                  abs=5e-5)


def test_mi_multivariate(data):
    path, cols = data
    proc = run_cli("mi", path, "--x", "a", "--x", "c", "--y", "b")
    x, y, value, _, _ = parse_mi(proc.stdout)
    assert (x, y) == ("a, c", "b")
    expected = fastmi.ksg_mi(np.column_stack([cols["a"], cols["c"]]), cols["b"], k=3)
    assert value == pytest.approx(expected, abs=5e-5)


def test_mi_binned(data):
    path, cols = data
    proc = run_cli("mi", path, "--x", "b", "--y", "a", "--estimator", "binned", "--bins", "8")
    x, y, value, how, n = parse_mi(proc.stdout)
    assert (x, y, how, n) == ("b", "a", "binned, bins=8", N)
    assert value == pytest.approx(fastmi.discrete_mi(cols["b"], cols["a"], bins=8), abs=5e-5)


def test_mi_parquet_matches_csv(data, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path, cols = data
    parquet = tmp_path / "data.parquet"
    pd.DataFrame(cols).to_parquet(parquet)
    args = ["--x", "a", "--y", "b"]
    assert run_cli("mi", parquet, *args).stdout == run_cli("mi", path, *args).stdout


def test_mi_without_pandas_matches(data):
    pytest.importorskip("pandas")
    path, _ = data
    argv = ["mi", path, "--x", "c", "--y", "b", "--estimator", "binned"]
    proc = run_without(["pandas"], argv)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == run_cli(*argv).stdout


def test_parquet_without_pandas_says_what_to_install(tmp_path):
    path = tmp_path / "data.parquet"
    path.write_bytes(b"PAR1 not really parquet")
    proc = run_without(["pandas", "pyarrow"], ["mi", path, "--x", "a", "--y", "b"])
    assert_usage_error(proc, "Parquet", "pandas", "pyarrow", "pip install 'fastmi[pandas]'")


def test_tsv(tmp_path):
    cols = sample_columns(50)
    path = tmp_path / "data.tsv"
    path.write_text("a\tb\n" + "".join(f"{float(u)!r}\t{float(v)!r}\n"
                                        for u, v in zip(cols["a"], cols["b"])))
    _, _, value, _, n = parse_mi(run_cli("mi", path, "--x", "a", "--y", "b").stdout)
    assert n == 50
    assert value == pytest.approx(fastmi.ksg_mi(cols["a"], cols["b"]), abs=5e-5)


# --------------------------------------------------------------------------- rank


def feature_matrix(cols, target):
    names = [c for c in ("a", "b", "c", "label") if c != target]
    return names, np.column_stack([np.asarray(cols[c], dtype=float) for c in names])


def test_rank_classification_table(data):
    path, cols = data
    proc = run_cli("rank", path, "--target", "label")
    assert proc.returncode == 0, proc.stderr
    names, X = feature_matrix(cols, "label")
    mi = fastmi.mutual_info_classif(X, cols["label"], n_neighbors=3, random_state=0)
    lines = proc.stdout.splitlines()
    assert "classification" in lines[0] and "nats" in lines[0]
    assert lines[1].split() == ["rank", "column", "MI", "(nats)"]
    rows = [line.split() for line in lines[2:]]
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert [r[1] for r in rows] == [names[j] for j in np.argsort(-mi, kind="stable")]
    assert rows[0][1] == "a"
    for r in rows:
        assert float(r[2]) == pytest.approx(mi[names.index(r[1])], abs=5e-5)
    assert "'name'" in proc.stderr  # the skipped text column is reported
    assert run_cli("rank", path, "--target", "label", "--quiet").stderr == ""


def test_rank_regression_json_top(data):
    path, cols = data
    proc = run_cli("rank", path, "--target", "b", "--task", "regression", "--json", "--top",
                   "2", "--k", "4", "--random-state", "3", "-q")
    assert proc.returncode == 0, proc.stderr
    ranked = json.loads(proc.stdout)
    names, X = feature_matrix(cols, "b")
    mi = fastmi.mutual_info_regression(X, cols["b"], n_neighbors=4, random_state=3)
    order = np.argsort(-mi, kind="stable")[:2]
    assert ranked == [{"rank": r + 1, "column": names[j], "mi_nats": pytest.approx(mi[j],
                                                                                 abs=1e-12)}
                      for r, j in enumerate(order)]
    assert ranked[0]["column"] == "a"


def test_rank_text_labels(tmp_path):
    cols = sample_columns(200)
    cols["label"] = ["low", "mid", "high"] * 66 + ["low", "mid"]
    path = write_csv(tmp_path / "labels.csv", cols)
    proc = run_cli("rank", path, "--target", "label", "--json", "-q")
    assert proc.returncode == 0, proc.stderr
    assert {r["column"] for r in json.loads(proc.stdout)} == {"a", "b", "c"}


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
    text_only = {"name": cols["name"], "label": cols["label"]}
    files["text"] = write_csv(tmp_path / "text.csv", text_only)
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
    ("rank no numeric features", ["rank", "{text}", "--target", "label"], ["no numeric column"]),
    ("rank empty", ["rank", "{empty}", "--target", "a"], ["is empty"]),
    ("rank top zero", ["rank", "{data}", "--target", "label", "--top", "0"], ["--top"]),
    ("rank k >= n", ["rank", "{data}", "--target", "label", "--k", "25"], ["--k 25"]),
    ("bench unknown case", ["bench", "--cases", "ksg,bogus"], ["bogus", "binned"]),
    ("bench json dir", ["bench", "--json", "{dir}/no/such/dir/out.json"], ["does not exist"]),
    ("bench budget", ["bench", "--budget", "-1"], ["--budget"]),
]


@pytest.mark.parametrize("argv, fragments", [c[1:] for c in BAD_INPUT],
                         ids=[c[0] for c in BAD_INPUT])
def test_bad_input(tmp_path, argv, fragments):
    files = {k: str(v) for k, v in _bad_files(tmp_path).items()}
    files["dir"] = str(tmp_path)
    assert_usage_error(run_cli(*(a.format(**files) for a in argv)), *fragments)


@pytest.mark.parametrize("name, argv, fragments", [
    ("non-numeric", ["mi", "{data}", "--x", "name", "--y", "b"], ["'name'", "not numeric"]),
    ("NaN", ["mi", "{nan}", "--x", "a", "--y", "b"], ["'b'", "missing", "row 5"]),
    ("blank", ["mi", "{blank}", "--x", "a", "--y", "b", "--k", "1"], ["'b'", "missing"]),
    ("empty", ["mi", "{empty}", "--x", "a", "--y", "b"], ["is empty"]),
    ("header only", ["mi", "{header}", "--x", "a", "--y", "b"], ["no data rows"]),
    ("ragged", ["mi", "{ragged}", "--x", "a", "--y", "b"], ["cannot parse", "line 3"]),
    ("unknown", ["rank", "{data}", "--target", "zz"], ["unknown column 'zz'"]),
])
def test_bad_input_without_pandas(tmp_path, name, argv, fragments):
    files = {k: str(v) for k, v in _bad_files(tmp_path).items()}
    proc = run_without(["pandas"], [a.format(**files) for a in argv])
    assert_usage_error(proc, *fragments)


def test_plot_without_matplotlib(tmp_path):
    proc = run_without(["matplotlib"], ["bench", "--quick", "--plot", tmp_path / "b.png"])
    assert_usage_error(proc)
    assert proc.stderr == ("fastmi: error: matplotlib is needed for --plot: "
                           "pip install 'fastmi[plot]'\n")


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
