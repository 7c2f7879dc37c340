#!/usr/bin/env bash
# Build fastmi's native extension with AddressSanitizer + UndefinedBehaviorSanitizer
# (signed integer overflow included, and checked to be instrumented) and run the
# test suite against that build (tests/test_overflow.py among it). Exits non-zero on any test failure
# or any sanitizer report (including reports from child processes).
#
#   bash scripts/sanitize.sh                             # own tool venv under build/sanitize/
#   FASTMI_VENV=/path/to/venv bash scripts/sanitize.sh   # reuse a venv that has the tools
#   bash scripts/sanitize.sh tests/test_ksg.py -k legacy # pytest arguments replace the default
#
# Everything goes under build/sanitize/ (CMake build dir, a --target install of
# the sanitized package, a small venv to run it), so the normal install is left
# alone. Needs Linux and gcc/g++ with libasan and libubsan. About 3.5 minutes on
# 2 cores once the tool venv exists (5 minutes from a clean checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/build/sanitize
site=$out/site
reports=$out/reports

# ---- tool venv: build backend, test dependencies ---------------------------
if [ -n "${FASTMI_VENV:-}" ]; then
    venv=$FASTMI_VENV
else
    venv=$out/venv
    if [ ! -f "$venv/.ready" ]; then
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install -q --upgrade pip
        "$venv/bin/python" -m pip install -q numpy scipy scikit-learn pandas pyarrow pytest pytest-benchmark \
            hypothesis cython cython-cmake scikit-build-core ninja cmake
        touch "$venv/.ready"
    fi
fi
py=$venv/bin/python

# ---- sanitizer runtimes -----------------------------------------------------
asan=$(gcc -print-file-name=libasan.so)
# Python is a C program: unless libstdc++ is loaded up front, ASan cannot find
# the real __cxa_throw and aborts on the first C++ exception.
cxx=$(g++ -print-file-name=libstdc++.so)
for lib in "$asan" "$cxx" "$(gcc -print-file-name=libubsan.so)"; do
    if [ ! -f "$lib" ]; then
        echo "sanitize.sh: $lib not found (install gcc's libasan and libubsan)" >&2
        exit 2
    fi
done

# ---- sanitized build ----------------------------------------------------------
echo "== building the extension with -fsanitize=address,undefined,signed-integer-overflow into $site"
rm -rf "$site"
"$py" -m pip install -q --no-build-isolation --no-deps --target "$site" \
    -C cmake.define.FASTMI_SANITIZE=ON \
    -C cmake.build-type=RelWithDebInfo \
    -C build-dir=build/sanitize/cmake \
    .
sos=("$site"/fastmi/*.so)
if [ "${#sos[@]}" -ne 1 ]; then
    echo "sanitize.sh: expected one compiled module, found: ${sos[*]}" >&2
    exit 2
fi
for so in "${sos[@]}"; do
    # grep reads all of nm's output: with -q it may exit first, and under
    # pipefail nm's SIGPIPE would then read as "not instrumented"
    if ! nm -D "$so" | grep "__asan_report" > /dev/null; then
        echo "sanitize.sh: $so is not instrumented by AddressSanitizer" >&2
        exit 2
    fi
    # signed-integer-overflow checks call these handlers
    if ! nm -D "$so" | grep -E "__ubsan_handle_(add|mul)_overflow" > /dev/null; then
        echo "sanitize.sh: $so has no signed-integer-overflow checks (UBSan)" >&2
        exit 2
    fi
done

# ---- the interpreter that runs the tests --------------------------------------
# A venv of the same Python whose one .pth file lists the sanitized build
# first, then the tool venv's packages. Directories listed in a .pth are not
# scanned for .pth files themselves, so an editable fastmi in the tool venv
# (an import hook installed by a .pth) stays inactive. Child processes started
# with sys.executable get the same packages.
run=$out/run-venv
rm -rf "$run"
"$py" -m venv --without-pip "$run"
rpy=$run/bin/python
"$py" -c 'import sysconfig; p = sysconfig.get_paths(); print(p["purelib"]); print(p["platlib"])' \
    | awk -v site="$site" 'BEGIN { print site } !seen[$0]++' \
    > "$("$rpy" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/fastmi_sanitize.pth"

# ---- run the tests -------------------------------------------------------------
if [ $# -eq 0 ]; then
    # The whole suite, except: the test that runs its own child under valgrind
    # (valgrind cannot run an ASan-instrumented process, and checks memory
    # itself); the GIL timing tests (ASan's slower code says nothing more about
    # the GIL); and the suites that run no native code of their own: mypy on the
    # sources, README's snippets, the bench harness, the command line (file and
    # process handling, option wording: test_cli*.py) and the Dask backend
    # (test_dask.py, test_dask_parity.py: graphs and argument checks over the
    # in-memory kernels; the native entries only Dask calls are tested on their
    # own in test_chunk_entries.py): their native calls are the estimators the
    # rest of the suite runs, each CLI test starts an instrumented interpreter
    # (seconds under ASan), and each Dask test a cluster.
    set -- tests -q -p no:cacheprovider \
        --deselect tests/test_binned.py::test_constant_axis_beyond_2_53_memory_safe \
        --ignore tests/test_typing.py --ignore tests/test_readme.py --ignore tests/test_bench.py \
        --ignore tests/test_cli.py --ignore tests/test_cli_input.py --ignore tests/test_cli_toolkit.py \
        --ignore tests/test_cli_workflows.py --ignore tests/test_dask.py --ignore tests/test_dask_parity.py \
        -k "not test_gil_released"
fi
rm -rf "$reports"
mkdir -p "$reports"
export LD_PRELOAD="$asan:$cxx${LD_PRELOAD:+:$LD_PRELOAD}"
# detect_leaks=0: CPython keeps objects alive until exit by design.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:log_path=$reports/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export PYTHONFAULTHANDLER=1

SANITIZE_SITE=$site "$rpy" -c '
import os, sys, fastmi, fastmi._native
if not fastmi._native.__file__.startswith(os.environ["SANITIZE_SITE"]):
    sys.exit("sanitize.sh: imported the wrong fastmi: " + fastmi._native.__file__)
print("== fastmi from", os.path.dirname(fastmi.__file__), "| openmp:", fastmi.has_openmp())
'

echo "== running: python -m pytest $*"
status=0
"$rpy" -m pytest "$@" || status=$?
unset LD_PRELOAD

# ---- verdict --------------------------------------------------------------------
if compgen -G "$reports/*" > /dev/null; then
    echo "== sanitizer reports:" >&2
    for f in "$reports"/*; do
        echo "--- $f" >&2
        cat "$f" >&2
    done
    exit 1
fi
if [ "$status" -ne 0 ]; then
    echo "== tests failed under the sanitizers (pytest exit $status)" >&2
    exit "$status"
fi
echo "== sanitizers: no reports; tests passed"
