"""Shared fixtures and the ratio table for the fastmi benchmarks.

Run the suite (plain ``pytest`` only collects ``tests/``)::

    python -m pytest benches -o python_files='bench_*.py' --benchmark-only -p no:cacheprovider

In CI the suite runs as a smoke test, every benchmark once at a small size with its value
checks (``--benchmark-disable``, as boost-histogram does)::

    python -m pytest benches -o python_files='bench_*.py' --benchmark-disable -q -p no:cacheprovider

Fixtures
--------
``sized(n, smoke_n)``
    The size of a case: ``n`` when timed, ``smoke_n`` in the smoke run.
``gaussian_pair(n, rho=0.8, seed=0)``
    1-D ``x, y`` (float64, contiguous), a bivariate Gaussian with correlation ``rho``,
    each standardised to unit sample variance (``ddof=0``): ``fastmi.bench.data``'s, the
    data of ``fastmi bench``.  scikit-learn's ``mutual_info_regression`` rescales x and y
    exactly that way before its KSG; handing every estimator already-standardised data
    makes all of them see the same points, so values can be compared to 1e-4 nats and
    tighter.  True MI: ``-log2(1 - rho**2) / 2``.
``gaussian_4d4d(n, rho=0.8, seed=1)``
    ``X, Y`` of shape ``(n, 4)``: four independent pairs ``Y[:, j] = rho X[:, j] +
    sqrt(1 - rho**2) E[:, j]`` (``fastmi.bench.data.gaussian_blocks``).  True MI:
    ``4 * (-log2(1 - rho**2) / 2)``.
``expected_values``
    A session-wide dict for slow baseline values (a reference run at n = 1e7 takes
    seconds): the baseline's benchmark stores its result, the fastmi case reuses it and
    computes it only when run on its own.

The data fixtures are session-scoped factories that cache what they make, so the 1e7
arrays are drawn once.

Ratio table
-----------
At the end of the session, after pytest-benchmark's own table, one block per group is
printed: every case's rounds, mean and min time, and ``fastmi/case``, the time of the
group's *subject* (the fastmi case) divided by that case's time, both MEDIAN times, plus
its inverse (``speedup``: how many times faster fastmi is).  The median on both sides, not
the min: fastmi runs 3-5 rounds and a slow baseline one or two, and the min of five against
a single run would favour fastmi by the spread of its rounds (5-10% here).

Conventions a benchmark may follow (``benchmark.extra_info`` keys, all optional):

``subject``   True on the case the others are compared to; default: the case whose
              test name contains ``fastmi``.
``label``     Short name shown in the table (default: the test name).
``max_ratio`` Target: ``fastmi/case`` must be at most this (e.g. ``1/25`` for "fastmi at
              least 25x faster", ``2.5`` for "fastmi at most 2.5x this case's time").
              The table prints whether it is met; no test fails on timing.
``target``    Text describing that target.
``note``      Anything else worth a line under the group (e.g. a memory figure).
"""
from __future__ import annotations

import pytest

from fastmi.bench import data


# --------------------------------------------------------------------------- data


@pytest.fixture(scope="session")
def sized(request):
    """sized(n, smoke_n): n for the timed runs, smoke_n under ``--benchmark-disable`` (the CI
    smoke run, where every case runs once, its value checks included, in seconds)."""
    smoke = bool(request.config.getoption("benchmark_disable", False))
    return lambda n, smoke_n: int(smoke_n if smoke else n)


def _cached(make):
    cache: dict = {}

    def get(*args):
        if args not in cache:
            cache[args] = make(*args)
        return cache[args]

    return get


@pytest.fixture(scope="session")
def gaussian_pair():
    return _cached(lambda n, rho=0.8, seed=0: data.gaussian_pair(int(n), rho, seed))


@pytest.fixture(scope="session")
def gaussian_4d4d():
    return _cached(lambda n, rho=0.8, seed=1: data.gaussian_blocks(int(n), 4, rho, seed))


@pytest.fixture(scope="session")
def expected_values():
    return {}


# --------------------------------------------------------------------------- ratio table


def _fmt_time(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:8.3f} s "
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds * 1e6:8.1f} us"


def _collect(config):
    session = getattr(config, "_benchmarksession", None)
    if session is None:
        return {}
    groups: dict[str, list] = {}
    for bench in session.benchmarks:
        if getattr(bench, "has_error", False):
            continue
        stats = bench.stats
        if not getattr(stats, "data", None):
            continue
        groups.setdefault(bench.group or "(no group)", []).append(bench)
    return groups


def _subject(cases):
    for case in cases:
        if case.extra_info.get("subject"):
            return case
    for case in cases:
        if "fastmi" in case.name:
            return case
    return None


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    groups = _collect(config)
    if not groups:
        return
    tr = terminalreporter
    tr.ensure_newline()
    tr.section("fastmi ratio table", sep="=")
    tr.write_line(
        "fastmi/case = fastmi MEDIAN time / case MEDIAN time (medians on both sides: "
        "baselines run fewer rounds); speedup = 1 / that."
    )
    for group in sorted(groups):
        cases = groups[group]
        subject = _subject(cases)
        tr.write_line("")
        tr.write_line(
            f"[{group}]  subject: "
            + (subject.extra_info.get("label", subject.name) if subject else "(none)")
        )
        header = (
            f"  {'case':<44} {'rounds':>6} {'mean':>11} {'min':>11}"
            f" {'median':>11} {'fastmi/case':>11} {'speedup':>9}  target"
        )
        tr.write_line(header)
        order = sorted(cases, key=lambda c: (c is not subject, c.name))
        for case in order:
            st = case.stats
            label = str(case.extra_info.get("label", case.name))[:44]
            ratio_txt = speed_txt = ""
            target_txt = ""
            if subject is not None and case is not subject and st.median > 0:
                ratio = subject.stats.median / st.median
                ratio_txt = f"{ratio:11.4f}"
                speed_txt = f"{1.0 / ratio:8.2f}x"
                max_ratio = case.extra_info.get("max_ratio")
                if max_ratio is not None:
                    met = "MET" if ratio <= max_ratio else "NOT MET"
                    desc = case.extra_info.get("target", f"fastmi/case <= {max_ratio:g}")
                    target_txt = f"{desc}: {met}"
            elif case is subject:
                ratio_txt = f"{'1':>11}"
                speed_txt = f"{'(subject)':>9}"
            tr.write_line(
                f"  {label:<44} {st.rounds:>6d} {_fmt_time(st.mean):>11} {_fmt_time(st.min):>11} {_fmt_time(st.median):>11}"
                f" {ratio_txt:>11} {speed_txt:>9}  {target_txt}".rstrip()
            )
        for case in order:
            note = case.extra_info.get("note")
            if note:
                tr.write_line(f"  note: {note}")
