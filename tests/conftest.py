"""Shared pytest fixtures (small and generic)."""
from __future__ import annotations

import types
import zlib

import numpy as np
import pytest


@pytest.fixture
def rng(request):
    """A numpy Generator seeded from the test's node id: reproducible, distinct per test."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture
def cli(capsys):
    """Runs ``fastmi.cli.main(args)`` in this process: (returncode, stdout, stderr)."""
    from fastmi.cli import main

    def run(*args):
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return types.SimpleNamespace(returncode=code, stdout=out, stderr=err)

    return run
