"""README.md's examples run as pasted.

Every ```python block is executed, in the order of the README, each in a fresh namespace (the
README promises that every block runs on its own: each defines every name it uses), all in
one temporary working directory, so a file that one block writes (the command-line tour's
``data.csv``) is there for the commands shown after it.

Every ``fastmi ...`` command in a ```bash block (also after ``&&`` in the set-up lines) must
parse with the real argument parser; the cheap ones, those that read a file an earlier block
wrote, are also run and must exit 0.  ``fastmi bench`` is only parsed (it takes seconds to
minutes; tests/test_bench.py runs it at tiny sizes).
"""
from __future__ import annotations

import contextlib
import io
import re
import shlex
import warnings
from pathlib import Path
from typing import List, Tuple

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> List[Tuple[int, str]]:
    """(line number, code) of every fenced block of that language in README.md."""
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(2))
            for m in FENCE.finditer(text) if m.group(1) == language]


def fastmi_commands() -> List[Tuple[int, List[str]]]:
    """(line number, argv after 'fastmi') of every fastmi command in the bash blocks."""
    commands = []
    for start, code in blocks("bash"):
        for offset, line in enumerate(code.splitlines()):
            for part in re.split(r"&&|\|\||;|\|", line):
                try:
                    words = shlex.split(part, comments=True)
                except ValueError:
                    continue
                if words[:1] == ["fastmi"]:
                    commands.append((start + 1 + offset, words[1:]))
    return commands


def test_readme_has_the_promised_examples() -> None:
    python = "\n".join(code for _, code in blocks("python"))
    for name in ("discrete_mi", "ksg_mi", "entropy", "conditional_mi", "info_from_pmf", "pairwise_mi",
                 "mi_test", "MRMRSelector", "mutual_info_regression", "mutual_info_classif"):
        assert f"fastmi.{name}(" in python, name
    commands = {argv[0] for _, argv in fastmi_commands() if argv}
    assert {"mi", "rank", "entropy", "pairwise", "select", "test", "bench"} <= commands
    text = README.read_text(encoding="utf-8")
    assert 'pip install ".[test]" && python -m pytest' in text  # CI's set-up command
    assert 'pip install ".[bench,plot]" && fastmi bench' in text  # installs what --plot needs


def test_python_blocks_run_as_pasted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sklearn")  # MRMRSelector and the listing's mi_feature_selection need it
    monkeypatch.chdir(tmp_path)
    found = blocks("python")
    assert found
    for line, code in found:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            try:
                exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "__readme__"})
            except Exception as exc:  # name the block, keep the traceback
                raise AssertionError(f"README.md python block at line {line} failed: {exc!r}") from exc


@pytest.mark.parametrize("line, argv", fastmi_commands(), ids=lambda v: str(v) if isinstance(v, int) else None)
def test_cli_lines_parse(line: int, argv: List[str]) -> None:
    from fastmi.cli.parser import build_parser

    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        raise AssertionError(f"README.md:{line}: 'fastmi {shlex.join(argv)}' does not parse") from exc
    assert args.command == argv[0]


def test_cli_lines_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: object) -> None:
    """The command-line tour on the file its python block writes."""
    pytest.importorskip("sklearn")
    monkeypatch.chdir(tmp_path)
    for line, code in blocks("python"):
        if "data.csv" in code:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "__readme__"})
    ran = 0
    for line, argv in fastmi_commands():
        if len(argv) < 2 or not (tmp_path / argv[1]).is_file():
            continue  # bench, and commands on files the README does not make
        if "--plot" in argv:
            pytest.importorskip("matplotlib")
        proc = cli(*argv)  # type: ignore[operator]
        assert proc.returncode == 0, f"README.md:{line}: fastmi {shlex.join(argv)}\n{proc.stderr}"
        ran += 1
    assert ran >= 8


def test_listing_bias_is_one_measured_number() -> None:
    """README, ksg_mi's docstring and the user guide quote the listing's bias as the same
    number, and it is what ``legacy=True`` returns on the case they describe (rho = 0.8,
    n = 100,000, k = 3)."""
    import numpy as np

    import fastmi

    docstring = " ".join((fastmi.ksg_mi.__doc__ or "").split())
    guide = " ".join((README.parent / "docs" / "user_guide" / "exactness.rst").read_text(encoding="utf-8").split())
    readme = README.read_text(encoding="utf-8")
    quoted = re.search(r"the listing returns \*\*(0\.\d+) bits\*\* at n = 100,000 \(k = 3\)", readme)
    assert quoted, "README no longer quotes the listing's bias as expected"
    number = quoted.group(1)
    assert f"biased low ({number} bits at n = 100,000, k = 3" in docstring
    assert f"the listing returns {number} bits at 100,000 samples (k = 3)" in guide
    rng = np.random.default_rng(0)
    x = rng.standard_normal(100_000)
    y = 0.8 * x + 0.6 * rng.standard_normal(100_000)
    legacy = fastmi.ksg_mi(x, y, k=3, legacy=True)
    assert f"{legacy:.2f}" == number, legacy  # 0.381; other seeds give 0.377-0.385
