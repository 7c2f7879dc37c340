"""Release metadata agrees with itself: version, license, citation, changelog.

These read the project files next to tests/ (a checkout or an unpacked sdist)
and the installed package; a file that is not there is skipped, not passed.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import fastmi

ROOT = Path(__file__).resolve().parent.parent


def _read(name: str) -> str:
    path = ROOT / name
    if not path.is_file():
        pytest.skip(f"{name} is not next to tests/ here")
    return path.read_text(encoding="utf-8")


def _pyproject_field(text: str, field: str) -> str:
    """A top-level string field of [project] (tomllib is not in Python 3.9-3.10)."""
    project = re.search(r"^\[project\]\n(.*?)(?=^\[)", text, re.S | re.M)
    assert project, "pyproject.toml has no [project] table"
    match = re.search(rf'^{field}\s*=\s*(?:{{\s*text\s*=\s*)?"([^"]+)"', project.group(1), re.M)
    assert match, f"[project] has no {field}"
    return match.group(1)


def test_version_is_the_same_everywhere():
    version = _pyproject_field(_read("pyproject.toml"), "version")
    assert fastmi.__version__ == version
    cff = re.search(r"^version:\s*\"?([^\"\n]+)\"?$", _read("CITATION.cff"), re.M)
    assert cff and cff.group(1) == version, "CITATION.cff version"
    top = re.search(r"^## (\S+)", _read("CHANGELOG.md"), re.M)
    assert top and top.group(1) == version, "CHANGELOG.md's newest entry"


def test_license_file_is_the_license_the_metadata_declares():
    declared = _pyproject_field(_read("pyproject.toml"), "license")
    assert declared == "BSD-3-Clause"
    text = _read("LICENSE")
    assert text.startswith("BSD 3-Clause License")
    assert "Neither the name of the copyright holder" in text  # clause 3
    assert re.search(r"^license:\s*BSD-3-Clause$", _read("CITATION.cff"), re.M)


def test_citation_is_cff_1_2_with_the_required_keys():
    text = _read("CITATION.cff")
    for key in ("cff-version: 1.2.0", "message:", "title:", "authors:"):
        assert re.search(rf"^{re.escape(key)}", text, re.M), key
