"""Sphinx configuration of fastmi's documentation site.

Build: ``pip install ".[docs]"`` then ``sphinx-build -W --keep-going -b html docs docs/_build/html``.
The API reference is generated from the public docstrings (numpydoc); the
gallery (``examples/``) runs at build time and draws its plots.
"""
from __future__ import annotations

import os
from pathlib import Path

import fastmi

HERE = Path(__file__).resolve().parent

project = "fastmi"
author = "the fastmi developers"
copyright = "2026, the fastmi developers"
version = release = fastmi.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "sphinx_design",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip"]

# Every cross-reference must resolve: a broken internal link fails the -W build.
nitpicky = True
nitpick_ignore_regex = [
    # numpydoc's free-text parameter types ("array-like of shape (n,)", ...)
    ("py:class", r"(array[-_]like|shape|ndarray|optional|default|keyword-only|of|or|int|float|bool|None).*"),
    # other projects' objects: no inventories offline (no intersphinx)
    ("py:.*", r"(numpy|scipy|sklearn|pandas)\..*"),
]

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
# numpydoc's docstring checks, as warnings (errors under -W): all of them except
# the optional sections (ES01 extended summary, SA01 See Also, EX01 Examples),
# RT02 (named returns, "mi : ndarray", as scikit-learn writes them), RT01
# (a one-line function may state what it returns in its summary) and PR07 /
# RT04 (terse parameter and return lines in fastmi.reference).
numpydoc_validation_checks = {"all", "ES01", "SA01", "EX01", "RT02", "RT01", "PR07", "RT04"}
# The result dataclasses (PmfInfo, MITestResult) document their fields as
# attributes (or in the Returns of the function that makes them), not as the
# constructor parameters numpydoc's PR01 asks a class for.
numpydoc_validation_exclude = {r"\.__init__$", r"^fastmi\.(PmfInfo|MITestResult)$"}
templates_path = ["_templates"]  # autosummary/class.rst: a class's own methods only

# No intersphinx: the build must work offline, so references to numpy,
# scipy and scikit-learn stay plain text (nitpick_ignore_regex above).

# -- Gallery -----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    "first_notebook_cell": None,
    "show_memory": False,
    "abort_on_example_error": True,
    "reset_modules": ("matplotlib",),
    "doc_module": ("fastmi",),
    "backreferences_dir": None,
}
os.environ.setdefault("MPLBACKEND", "Agg")

# -- Markdown (reliability.md, the changelog) ---------------------------------
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"fastmi {release}"
html_static_path = ["_static"]
html_css_files = ["fastmi.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# Top-level pages without sub-pages: no (empty) section navigation, more room
# for their wide tables
html_sidebars = {
    page: []
    for page in ("index", "install", "performance", "reliability", "contributing", "changelog")
}
