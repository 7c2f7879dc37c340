"""``fastmi mi FILE --x A --y B --z C`` (conditional MI) and ``fastmi entropy FILE --x A``:
the printed value is the library's (to the 4 printed decimals), the options are checked,
and misuse is one usage line with exit status 2."""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

import fastmi

N = 2000


@pytest.fixture
def data(tmp_path):
    rng = np.random.default_rng(11)
    z = rng.standard_normal(N)
    a = z + rng.standard_normal(N)
    b = 0.5 * a + z + rng.standard_normal(N)
    c = rng.standard_normal(N)
    cols = {"a": a, "b": b, "z": z, "c": c, "word": np.array(["x", "y", "z", "y"])[rng.integers(0, 4, N)]}
    path = tmp_path / "data.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(cols) + "\n")
        for i in range(N):
            f.write(",".join(str(v[i]) if isinstance(v[i], str) else repr(float(v[i])) for v in cols.values()) + "\n")
    return path, cols


def parse(stdout, head):
    m = re.fullmatch(rf"{head} = (-?\d+\.\d{{4}}) bits \((.+), n=(\d+)\)\n", stdout)
    assert m, stdout
    return float(m.group(1)), m.group(2), int(m.group(3))


def test_conditional_mi_ksg(data, cli):
    path, cols = data
    value, how, n = parse(cli("mi", path, "--x", "a", "--y", "b", "--z", "z", "--k", "5").stdout,
                          re.escape("I(a; b | z)"))
    assert (how, n) == ("KSG (Frenzel-Pompe), k=5", N)
    assert value == pytest.approx(fastmi.conditional_mi(cols["a"], cols["b"], cols["z"], k=5), abs=5e-5)
    assert value > 0.05


def test_conditional_mi_several_columns_and_binned(data, cli):
    path, cols = data
    proc = cli("mi", path, "--x", "a", "--x", "c", "--y", "b", "--z", "z", "--estimator", "binned", "--bins", "6")
    value, how, _ = parse(proc.stdout, re.escape("I(a, c; b | z)"))
    assert how == "binned, bins=6"
    want = fastmi.conditional_mi(np.column_stack([cols["a"], cols["c"]]), cols["b"], cols["z"], method="binned", bins=6)
    assert value == pytest.approx(want, abs=5e-5)


def test_conditional_mi_negative_estimate_printed(tmp_path, cli):
    """Unclipped: an estimate below 0 under conditional independence is printed as such."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        z = rng.standard_normal(300)
        a, b = z + rng.standard_normal(300), z + rng.standard_normal(300)
        want = fastmi.conditional_mi(a, b, z)
        if want < -1e-3:
            break
    else:
        pytest.fail("no negative estimate in 20 seeds")
    path = tmp_path / "ci.csv"
    path.write_text("a,b,z\n" + "".join(f"{float(p)!r},{float(q)!r},{float(r)!r}\n" for p, q, r in zip(a, b, z)))
    value, _, _ = parse(cli("mi", path, "--x", "a", "--y", "b", "--z", "z").stdout, re.escape("I(a; b | z)"))
    assert value == pytest.approx(want, abs=5e-5) and value < 0


@pytest.mark.parametrize(
    "estimator, extra, how",
    [
        ("kl", ["--k", "4"], "Kozachenko-Leonenko, k=4"),
        ("binned", ["--bins", "12"], "binned, bins=12"),
        ("miller_madow", [], "Miller-Madow, bins=10"),
    ],
)
def test_entropy(data, cli, estimator, extra, how):
    path, cols = data
    value, got_how, n = parse(cli("entropy", path, "--x", "a", "--estimator", estimator, *extra).stdout,
                              re.escape("H(a)"))
    assert (got_how, n) == (how, N)
    kw = {"k": 4} if estimator == "kl" else {"bins": 12 if extra else 10}
    assert value == pytest.approx(fastmi.entropy(cols["a"], method=estimator, **kw), abs=5e-5)


def test_entropy_joint_and_discrete(data, cli):
    path, cols = data
    value, how, _ = parse(cli("entropy", path, "--x", "a", "--x", "z").stdout, re.escape("H(a, z)"))
    assert how == "Kozachenko-Leonenko, k=3"
    assert value == pytest.approx(fastmi.entropy(np.column_stack([cols["a"], cols["z"]])), abs=5e-5)
    value, how, _ = parse(cli("entropy", path, "--x", "word", "--estimator", "discrete").stdout, re.escape("H(word)"))
    assert how == "discrete"
    assert value == pytest.approx(fastmi.entropy(cols["word"], method="discrete"), abs=5e-5)


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["mi", "{p}", "--x", "a", "--y", "b", "--z", "z", "--legacy"], "--legacy applies to the mutual information without --z"),
        (["mi", "{p}", "--x", "a", "--y", "b", "--z", "nope"], "unknown column 'nope' for --z"),
        (["mi", "{p}", "--x", "a", "--y", "b", "--z", "word"], "word"),
        (["mi", "{p}", "--x", "a", "--y", "b", "--z", "z", "--k", "5000"], "--k 5000 needs more than 5000 rows"),
        (["entropy", "{p}", "--x", "a", "--bins", "4"], "--bins applies to --estimator binned"),
        (["entropy", "{p}", "--x", "a", "--estimator", "binned", "--k", "4"], "--k applies to --estimator kl"),
        (["entropy", "{p}", "--x", "word"], "word"),
        (["entropy", "{p}", "--x", "a", "--estimator", "fancy"], "invalid choice"),
        (["entropy", "{p}"], "--x"),
    ],
)
def test_bad_use(data, cli, argv, fragment):
    path, _ = data
    proc = cli(*[str(path) if a == "{p}" else a for a in argv])
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastmi: error:"), proc.stderr
    assert fragment in lines[0], (fragment, lines[0])


def test_entropy_of_repeated_values_warns_once_naming_the_cli_remedy(tmp_path, cli):
    # two values, each repeated: read as rounded to a resolution of 1 (uniform noise of
    # width 1): about 1 bit, with one warning line that names the CLI's estimators
    path = tmp_path / "ints.csv"
    path.write_text("v\n" + "1\n2\n" * 2000)
    proc = cli("entropy", path, "--x", "v")
    assert proc.returncode == 0, proc.stderr
    assert "--estimator discrete" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    value = float(proc.stdout.split("=")[1].split()[0])
    assert abs(value - 1.0) < 0.05, proc.stdout


def test_help_lists_the_commands():
    proc = subprocess.run([sys.executable, "-m", "fastmi", "entropy", "--help"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "examples:" in proc.stdout and "fastmi entropy data.csv" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "fastmi", "mi", "--help"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "--z COL" in proc.stdout
