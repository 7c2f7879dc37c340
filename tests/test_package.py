"""The installed package: one compiled module, and the public names where they were."""
from __future__ import annotations

import importlib.machinery
import os
import sys

import fastmi
from fastmi import _native


def test_one_compiled_module():
    here = os.path.dirname(_native.__file__)
    compiled = sorted(f for f in os.listdir(here) if f.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)))
    assert [f.split(".")[0] for f in compiled] == ["_native"], compiled


def test_public_names():
    from fastmi.sklearn import mi_feature_selection, mutual_info_classif, mutual_info_regression, mutual_info_score

    assert fastmi.mutual_info_regression is mutual_info_regression
    assert fastmi.mutual_info_classif is mutual_info_classif
    assert fastmi.mutual_info_score is mutual_info_score
    assert fastmi.mi_feature_selection is mi_feature_selection
    assert sorted(fastmi.__all__) == sorted([
        "TiedSamplesWarning", "__version__", "discrete_mi", "has_openmp", "histogram2d", "ksg_mi",
        "mi_feature_selection", "mutual_info_classif", "mutual_info_regression", "mutual_info_score",
        "PmfInfo", "conditional_mi", "entropy", "info_from_pmf",
        "MITestResult", "mi_test", "pairwise_mi",
    ])
    from fastmi.cmi import conditional_mi
    from fastmi.pmf import PmfInfo, info_from_pmf

    assert fastmi.conditional_mi is conditional_mi
    assert fastmi.info_from_pmf is info_from_pmf and fastmi.PmfInfo is PmfInfo
    assert fastmi.entropy is sys.modules["fastmi.entropy"].entropy  # the function shadows its module
    from fastmi.pairwise import pairwise_mi
    from fastmi.significance import MITestResult, mi_test

    assert fastmi.pairwise_mi is pairwise_mi and fastmi.mi_test is mi_test and fastmi.MITestResult is MITestResult
    assert "MRMRSelector" in dir(fastmi) and "MRMRSelector" not in fastmi.__all__  # lazy: imports scikit-learn


def test_broken_invariant_is_a_runtime_error():
    """Python validates first; should a check ever be missed, the native code refuses cleanly."""
    import numpy as np
    import pytest

    x = np.asfortranarray(np.arange(6.0).reshape(3, 2))
    with pytest.raises(RuntimeError, match="1 <= k < n"):
        _native.mi_cc(x, np.arange(3.0), 3, 1, False)
    with pytest.raises(RuntimeError, match="1 <= k < n"):
        _native.ksg_mi_nats(np.zeros((3, 1)), np.zeros((3, 1)), 0, _native.KsgVariant.published, 1, False)


def _modules_with_examples():
    """The names of fastmi's modules whose docstrings hold examples (``>>>``)."""
    import pkgutil

    root = os.path.dirname(fastmi.__file__)
    names = []
    for info in pkgutil.walk_packages([root], "fastmi."):
        path = os.path.join(root, *info.name.split(".")[1:])
        path = os.path.join(path, "__init__.py") if info.ispkg else path + ".py"
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                if ">>> " in f.read():
                    names.append(info.name)
    return names


def test_docstring_examples_run_as_printed():
    # the entropy example printed np.True_ under numpy 2 (a numpy bool, not True):
    # every example must print what its docstring shows (as
    # `python -m pytest --doctest-modules src/fastmi` checks)
    import doctest
    import importlib
    import warnings

    names = _modules_with_examples()
    assert "fastmi.entropy" in names and "fastmi.sklearn.estimate" in names, names
    failed = []
    for name in names:
        module = importlib.import_module(name)
        finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(verbose=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an example's warnings are not its output
            for test in finder.find(module, name):
                result = runner.run(test, out=lambda text: failed.append(text))
                assert result.failed == 0 or failed, test.name
    assert not failed, "".join(failed)
