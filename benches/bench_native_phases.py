"""The per-phase cost of one ``mi_test`` permutation, measured in C++
(``benches/native/permutation_phases.cpp``, whose header says how to build and run it at
full size).

Here the smoke run only builds it and runs it small: the program first computes one
permutation's value through its phases and through the library's ``cmi_null`` and exits
with status 1 when they differ, so this keeps the measuring tool in step with the code it
measures. Skipped where no C++ compiler is found; not timed (``--benchmark-only`` skips it).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "benches" / "native" / "permutation_phases.cpp"


@pytest.fixture(scope="module")
def phases(tmp_path_factory):
    compiler = shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")
    if compiler is None or not (ROOT / "csrc").is_dir():
        pytest.skip("no C++ compiler, or no csrc/ beside the benchmarks")
    exe = tmp_path_factory.mktemp("phases") / "phases"
    # -O1: a quick build; the results are the same bits at any level (no -ffast-math, no contraction)
    subprocess.run([compiler, "-O1", "-std=c++17", "-ffp-contract=off", f"-I{ROOT / 'csrc'}", str(SOURCE),
                    "-o", str(exe)], check=True, capture_output=True, timeout=300)
    return exe


# dz = 1: the 1-D layout; dz = 2: the slab grid in four dimensions; dz = 5: the KD-tree (seven)
@pytest.mark.parametrize(("dz", "search"), [(1, "grid"), (2, "grid"), (5, "tree")])
def test_phases_match_the_library(phases, dz, search):
    r = subprocess.run([str(phases), "400", "5", "2", "1", str(dz)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "equal to cmi_null's" in r.stdout
    names = ["draw", f"knn ({search})"] + (["sweep"] if dz == 1 else ["count (x,z)"])
    assert all(name in r.stdout for name in names), r.stdout


def test_phases_refuse_bad_arguments(phases):
    r = subprocess.run([str(phases), "100", "100"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "usage" in r.stderr
