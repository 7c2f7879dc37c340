"""The benchmark behind ``fastmi bench``.

Each case runs one fastmi estimator next to its baselines (the numpy reference in
``fastmi.reference`` and, when installed, scikit-learn; for the toolkit and workflow cases
the same computation on scipy's cKDTree, a Python loop, scikit-learn or ennemi, from
:mod:`~fastmi.bench.baselines`) over a ladder of sample sizes on synthetic data drawn from a
fixed seed.  The core cases run by default; ``CASE_GROUPS`` names the others.  For every
size it records the time of each implementation, the values they return and whether those
agree within the tolerances the test-suite uses.

A baseline whose next run would exceed the time budget is not run at that size: its time
is extrapolated from the largest size it was really timed at, using its known growth
(linear, n log n or quadratic), and marked as extrapolated.  Nothing is skipped silently.

The data sets (:mod:`fastmi.bench.data`) are shared with the pytest-benchmark suite in
``benches/``; :mod:`~fastmi.bench.cases` defines the cases, :mod:`~fastmi.bench.runner`
runs them, :mod:`~fastmi.bench.report` renders the results. The command-line parsing lives
in :mod:`fastmi.cli`; nothing here parses arguments, so that it can be driven from Python
as well::

    from fastmi import bench
    results = bench.run(quick=True)
    for case in results["cases"]:
        print(bench.format_case(case))
"""

from .cases import CASE_GROUPS, CASE_KEYS, DEFAULT_CASES, build_cases, select_cases, unavailable_cases
from .report import format_case, format_header, plot, write_json
from .runner import disagreements, run, run_case

__all__ = [
    "CASE_GROUPS",
    "CASE_KEYS",
    "DEFAULT_CASES",
    "build_cases",
    "disagreements",
    "format_case",
    "format_header",
    "plot",
    "run",
    "run_case",
    "select_cases",
    "unavailable_cases",
    "write_json",
]
