#!/usr/bin/env bash
# CI job: distribution and documentation. Called from .ci/run; runs on its own.
#   1. scripts/build_dist.sh: the sdist, and a manylinux wheel built from it and
#      repaired by auditwheel (libgomp inside)
#   2. the wheel in a fresh venv without build tools, where any compiler call
#      fails: the test suite (all but three timing-bound parts, run by the
#      main job) against the installed copy (pytest runs
#      outside the checkout; fastmi must come from that venv's site-packages
#      and be threaded); the wheel's size and contents
#   3. the sdist's own build in another fresh venv: a subset of the tests
#      against that install. `pip install fastmi-X.tar.gz` builds a wheel from
#      the sdist exactly as build_dist.sh's `pip wheel` did (build isolation,
#      the same backend and flags) and installs it; that wheel, before
#      auditwheel's repair (dist/raw/, linked to the system's libgomp), is
#      installed here instead of compiling the same sources a second time
#      (two minutes of CI)
#   4. the documentation: sphinx-build -W (nitpicky: every cross-reference
#      must resolve) with the gallery run, then linkcheck for local links
#      (external ones are not checked: no network)
# Set FASTMI_DIST_SDIST_TESTS=all to run the whole suite against the sdist too.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
t0=$SECONDS
# venvs and build output under build/dist-ci/ (cleared at the start, not at
# exit: deleting two venvs of scipy, scikit-learn and pyarrow takes a minute
# on a busy machine); tests and sphinx run from a scratch directory outside
# the checkout
venvs=$root/build/dist-ci
rm -rf "$venvs"
mkdir -p "$venvs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { echo "== dist [$((SECONDS - t0)) s]: $*"; }
# pip, quiet; its output is shown only if it fails
pip_q() {
    local log=$venvs/pip.log
    "$@" -q > "$log" 2>&1 || { grep -v "is ignored" "$log" >&2; echo "dist.sh: failed: $*" >&2; return 1; }
}
fresh_venv() {
    python3 -m venv "$1"
    pip_q "$1/bin/python" -m pip install --upgrade pip
}

# ---- 1. build ---------------------------------------------------------------------
step "building the sdist and the wheel (scripts/build_dist.sh)"
bash scripts/build_dist.sh
version=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n 1)
wheel=$(ls "$root"/dist/fastmi-"$version"-*manylinux*.whl)

# ---- 2. the wheel, no compiler ----------------------------------------------------------
step "wheel contents and size"
python3 - "$wheel" <<'EOF'
import sys, zipfile
path = sys.argv[1]
names = zipfile.ZipFile(path).namelist()
def need(pred, what):
    if not any(pred(n) for n in names):
        sys.exit(f"dist.sh: {path} has no {what}")
need(lambda n: n.startswith("fastmi/") and n.endswith(".so"), "extension module")
compiled = [n for n in names if n.startswith("fastmi/") and n.endswith(".so")]
if len(compiled) != 1:
    sys.exit(f"dist.sh: {path} should hold one extension module (fastmi._native), holds {compiled}")
need(lambda n: n.startswith("fastmi.libs/libgomp"), "bundled libgomp (fastmi.libs/)")
need(lambda n: n == "fastmi/py.typed", "py.typed")
need(lambda n: n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE"), "LICENSE")
stray = [n for n in names if n.split("/")[0] in ("tests", "csrc", "docs", "build")]
if stray:
    sys.exit(f"dist.sh: {path} carries files that are not the package: {stray[:5]}")
EOF
size=$(stat -c %s "$wheel")
echo "   $(basename "$wheel"): $((size / 1024)) KiB"
if [ "$size" -gt $((5 * 1024 * 1024)) ]; then
    echo "dist.sh: the wheel is over 5 MiB" >&2
    exit 1
fi

step "wheel: fresh venv, binary packages only, no compiler"
# Stand-ins for every compiler on PATH: if anything tries to build, it fails.
mkdir -p "$work/no-compiler"
for cc in cc c++ gcc g++ clang clang++ cmake ninja; do
    printf '#!/bin/sh\necho "dist.sh: $0 called: the wheel install must not compile" >&2\nexit 1\n' \
        > "$work/no-compiler/$cc"
    chmod +x "$work/no-compiler/$cc"
done
wvenv=$venvs/wheel-venv
fresh_venv "$wvenv"
wpy=$wvenv/bin/python
PATH="$work/no-compiler:$PATH" CC=false CXX=false \
    pip_q "$wpy" -m pip install --only-binary=:all: "$wheel[test]"
site=$("$wpy" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
# pytest is started outside the checkout; a plugin checks, inside the pytest
# process, which fastmi the tests import
cat > "$work/dist_check.py" <<'EOF'
import os

import fastmi


def pytest_report_header(config):
    return f"fastmi {fastmi.__version__} from {os.path.dirname(fastmi.__file__)}, openmp {fastmi.has_openmp()}"


def pytest_sessionstart(session):
    site = os.path.realpath(os.environ["DIST_SITE"])
    where = os.path.realpath(fastmi.__file__)
    assert where.startswith(site + os.sep), f"fastmi imported from {where}, not from {site}"
    assert fastmi.has_openmp(), "the installed fastmi has no OpenMP"
EOF
"$wpy" - <<'EOF'
import importlib.util, sys
tools = [m for m in ("cmake", "ninja", "Cython", "scikit_build_core") if importlib.util.find_spec(m)]
if tools:
    sys.exit(f"dist.sh: the wheel venv has build tools: {tools}")
EOF
step "wheel: the test suite against the installed package"
# All of it except the GIL-release tests (they time a Python thread against a
# native call, fail when other jobs load the 2 cores), the Ctrl-C and
# input-mutation scenarios (about a minute of waiting on timers and threads)
# and the Dask argument-parity table (pure Python, a few hundred cases): the
# main CI job runs all four on the same .pyx and C++ code, the sanitizer job
# the middle two.
(cd "$work" && PATH="$work/no-compiler:$PATH" CC=false CXX=false DIST_SITE="$site" PYTHONPATH="$work" \
    "$wpy" -m pytest "$root/tests" -k "not test_gil_released" --ignore "$root/tests/test_interrupt.py" \
    --ignore "$root/tests/test_races.py" --ignore "$root/tests/test_dask_parity.py" -p dist_check \
    -p no:cacheprovider -q)

# ---- 3. the sdist ----------------------------------------------------------------------
step "sdist: fresh venv, the wheel pip built from the sdist (dist/raw/)"
raw=$(ls "$root"/dist/raw/fastmi-"$version"-*.whl)
svenv=$venvs/sdist-venv
fresh_venv "$svenv"
spy=$svenv/bin/python
pip_q "$spy" -m pip install "$raw[test]"
ssite=$("$spy" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
if [ "${FASTMI_DIST_SDIST_TESTS:-subset}" = all ]; then
    subset=("$root/tests")
else
    # every public function on every input form (test_inputs), the binned
    # estimator against numpy and the reference (test_binned), KSG and the
    # scikit-learn drop-ins against scikit-learn bit for bit, the metadata
    subset=()
    for f in test_inputs.py test_binned.py test_sklearn.py test_dist.py; do
        [ -f "$root/tests/$f" ] && subset+=("$root/tests/$f")
    done
    if [ ${#subset[@]} -gt 0 ]; then
        subset+=(-k "not test_sklearn.py or bit_identical")
    else
        subset=("$root/tests")
    fi
fi
step "sdist: tests against the installed package: ${subset[*]#$root/}"
(cd "$work" && DIST_SITE="$ssite" PYTHONPATH="$work" \
    "$spy" -m pytest "${subset[@]}" -p dist_check -p no:cacheprovider -q)

# ---- 4. documentation ------------------------------------------------------------------
step "docs: sphinx-build -W (html, gallery run), against the installed wheel"
pip_q "$wpy" -m pip install --only-binary=:all: "$wheel[docs]"
html=$venvs/html
(cd "$work" && "$wvenv/bin/sphinx-build" -W --keep-going -q -b html -d "$venvs/doctrees" "$root/docs" "$html")
for page in index.html api.html auto_examples/index.html reliability.html; do
    test -f "$html/$page" || { echo "dist.sh: docs lack $page" >&2; exit 1; }
done
n_png=$(ls "$html"/_images/sphx_glr_plot_*_001.png 2> /dev/null | wc -l)
n_ex=$(ls "$root"/examples/plot_*.py | wc -l)
if [ "$n_png" -ne "$n_ex" ]; then
    echo "dist.sh: $n_ex gallery examples but $n_png first figures in the html" >&2
    exit 1
fi
echo "   html in $html: $(find "$html" -name '*.html' | wc -l) pages, $n_png gallery examples with figures"
step "docs: linkcheck (local links; external ones skipped)"
(cd "$work" && "$wvenv/bin/sphinx-build" -W --keep-going -q -b linkcheck -d "$venvs/doctrees" \
    -D 'linkcheck_ignore=^https?://' "$root/docs" "$venvs/linkcheck")
step "done"
