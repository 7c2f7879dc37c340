"""``fastmi bench``'s case selection and its toolkit and workflow cases (a smoke run at tiny
sizes: every case runs, every baseline is compared with fastmi and agrees)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from fastmi import bench
from fastmi.bench import toolkit, workflows

#: Sizes small enough for the whole smoke run to take a few seconds; the baselines are
#: really run (and compared) at each, none extrapolated.
TINY_TOOLKIT: Dict[str, List[int]] = {"cmi": [300], "entropy": [2000], "ksg4d": [300]}
TINY_WORKFLOWS: Dict[str, List[int]] = {"mi_test": [150], "pairwise": [300], "mrmr": [600]}


def test_select_cases_groups_and_keys() -> None:
    assert bench.select_cases(["core"]) == list(bench.DEFAULT_CASES)
    assert bench.select_cases(["workflows", "toolkit"]) == ["cmi", "entropy", "ksg4d", "mi_test", "pairwise", "mrmr"]
    assert bench.select_cases(["mrmr", "ksg", "ksg"]) == ["ksg", "mrmr"]  # CASE_KEYS order, once each
    assert bench.select_cases(["all"]) == list(bench.CASE_KEYS)
    with pytest.raises(ValueError, match="unknown --cases bogus; choose from core, toolkit"):
        bench.select_cases(["ksg", "bogus"])


def test_default_cases_are_the_core_ones() -> None:
    assert [c.key for c in bench.build_cases(quick=True)] == ["binned", "ksg", "nonlinear", "classif", "regression"]


def test_cli_rejects_unknown_case_group(cli: Callable[..., Any]) -> None:
    proc = cli("bench", "--quick", "--cases", "toolkits")
    assert proc.returncode == 2
    assert "unknown --cases toolkits" in proc.stderr and "workflows" in proc.stderr


def test_toolkit_and_workflow_cases_smoke(cli: Callable[..., Any], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("scipy")
    pytest.importorskip("sklearn")
    monkeypatch.setattr(toolkit, "QUICK_SIZES", TINY_TOOLKIT)
    monkeypatch.setattr(workflows, "QUICK_SIZES", TINY_WORKFLOWS)
    out = tmp_path / "bench.json"
    proc = cli("bench", "--quick", "--cases", "toolkit,workflows", "--budget", "30", "-q", "--json", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(out.read_text())
    cases = {c["key"]: c for c in results["cases"]}
    assert list(cases) == ["cmi", "entropy", "ksg4d", "mi_test", "pairwise", "mrmr"]
    expected_baselines = {"cmi": ["scipy"], "entropy": ["scipy"], "ksg4d": ["scipy"], "mi_test": ["scipy"],
                          "pairwise": ["loop"], "mrmr": ["sklearn", "loop"]}
    for key, case in cases.items():
        impls = [i["key"] for i in case["implementations"]]
        assert impls[0] == "fastmi"
        assert set(expected_baselines[key]) <= set(impls[1:]), (key, impls)
        (row,) = case["results"]
        assert not any(t["extrapolated"] for t in row["timings"].values()), key
        assert set(row["agreement"]) == set(impls[1:]), key  # every baseline compared
        assert all(a["agree"] for a in row["agreement"].values()), (key, row)
        assert case["title"] in proc.stdout
    # the scalar estimates near their analytic values (loose: tiny n, the point is that the
    # case computes the named quantity, which a wrong data set or unit would miss by far)
    assert abs(cases["entropy"]["results"][0]["values"]["fastmi"] - cases["entropy"]["truth"]) < 0.1
    assert abs(cases["cmi"]["results"][0]["values"]["fastmi"] - cases["cmi"]["truth"]) < 0.15
    # mRMR: six features, the value shown is the selected set, the same in every loop
    picked = cases["mrmr"]["results"][0]["values"]["fastmi"]
    assert len(picked) == 6 and picked == sorted(picked)
    assert "selected by fastmi" in proc.stdout
