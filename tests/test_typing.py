"""Static typing: ``mypy --strict`` on src/fastmi is clean, the public signatures
refuse what they should (``ksg_mi(x, x, k="3")``) and reveal real types (an
ndarray of float64 for the drop-ins, not Any), and the native module's stub
lists every function of the built module with its parameter names.

mypy runs once, in a subprocess, on src/fastmi and a small snippet together,
with pyproject.toml's [tool.mypy] settings (about 5 s of CPU without a cache).
"""
from __future__ import annotations

import ast
import inspect
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

SNIPPET = textwrap.dedent(
    """\
    import numpy as np
    import fastmi
    from fastmi.sklearn import mutual_info_regression

    x = np.zeros(10)
    fastmi.ksg_mi(x, x, k="3")  # line 6: must be refused
    reveal_type(fastmi.mutual_info_classif(np.zeros((10, 2)), np.zeros(10)))
    reveal_type(mutual_info_regression(np.zeros((10, 2)), np.zeros(10)))
    reveal_type(fastmi.ksg_mi(x, x))
    reveal_type(fastmi.mi_feature_selection(np.zeros((10, 2)), np.zeros(10), random_state=0))
    fastmi.mi_feature_selection(np.zeros((10, 2)), np.zeros(10), 2, "classification", 0)  # line 11: keyword-only
    """
)


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str]:
    pytest.importorskip("mypy")
    if not (SRC / "fastmi").is_dir() or "[tool.mypy]" not in (ROOT / "pyproject.toml").read_text():
        pytest.skip("needs the source tree (src/fastmi and pyproject.toml's [tool.mypy])")
    tmp = tmp_path_factory.mktemp("typing")
    snippet = tmp / "snippet.py"
    snippet.write_text(SNIPPET)
    env = {**os.environ, "MYPYPATH": str(SRC)}
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp / "cache"), "--no-error-summary",
         "--config-file", str(ROOT / "pyproject.toml"), str(SRC / "fastmi"), str(snippet)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    return proc.returncode, proc.stdout + proc.stderr


def _lines(output: str, where: str) -> list[str]:
    return [line for line in output.splitlines() if where in line]


def test_mypy_strict_clean_on_src(mypy_output: tuple[int, str]) -> None:
    _, output = mypy_output
    src_errors = [line for line in output.splitlines() if "snippet.py" not in line and line.strip()]
    assert not src_errors, "\n".join(src_errors)


def test_signatures_refuse_and_reveal(mypy_output: tuple[int, str]) -> None:
    code, output = mypy_output
    assert code == 1, output  # the snippet's deliberate errors, and only those
    errors = [line for line in _lines(output, "snippet.py") if ": error:" in line]
    assert len(errors) == 2, output
    assert re.search(r"snippet\.py:6: error: .*\"k\" to \"ksg_mi\" has incompatible type \"str\"", errors[0]), output
    assert "snippet.py:11: error:" in errors[1], output
    revealed = [line.split("Revealed type is ", 1)[1].strip('"') for line in _lines(output, "Revealed type is")]
    assert len(revealed) == 4, output
    for dropin in revealed[:2]:  # mutual_info_classif, mutual_info_regression
        assert re.fullmatch(r"numpy\.ndarray\[.*numpy\.dtype\[numpy\.float64\]\]", dropin), dropin
    assert revealed[2] in ("float", "builtins.float")
    assert revealed[3].startswith("tuple[numpy.ndarray[") and "numpy.float64" in revealed[3], revealed[3]


def test_native_stub_matches_the_module() -> None:
    from fastmi import _native

    stub = ast.parse((Path(inspect.getfile(sys.modules["fastmi"])).parent / "_native.pyi").read_text())
    stubbed = {node.name: node for node in stub.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    public = {name for name in dir(_native) if not name.startswith("_") and name != "np"}
    assert public == set(stubbed), (public ^ set(stubbed))
    for name, node in stubbed.items():
        runtime = getattr(_native, name)
        if isinstance(node, ast.ClassDef):  # the enums: the same members
            members = {t.id for s in node.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)}
            assert members == set(runtime.__members__), name
            continue
        params = [a.arg for a in node.args.args]
        assert params == list(inspect.signature(runtime).parameters), name
