"""Benchmarks of fastmi's scikit-learn drop-ins against scikit-learn (issue 3 targets).

Run (plain ``pytest`` only collects ``tests/``)::

    python -m pytest benches/bench_sklearn.py -o python_files='bench_*.py' --benchmark-only -p no:cacheprovider

Groups (the ratio table printed at the end compares every case with the fastmi case of its
group, on MEDIAN times; see conftest.py):

``sklearn-classif-1e5x50``
    ``mutual_info_classif`` on ``make_classification`` data, n = 1e5 samples, 50 continuous
    features, scikit-learn with ``n_jobs=-1`` (target: fastmi >= 20x faster).
``sklearn-regression-1e5x50``
    ``mutual_info_regression`` on ``make_regression`` data of the same shape, scikit-learn with
    ``n_jobs=-1`` (target: fastmi >= 20x faster).
``sklearn-regression-1e6x1``, ``sklearn-classif-1e6x1``
    One continuous feature at n = 1e6 (target: fastmi >= 15x faster).
``sklearn-regression-heavy-1e5x10``
    ``mutual_info_regression`` on heavy-tailed data: 10 lognormal(0, 3) features and a
    lognormal target driven by three of them, n = 1e5, scikit-learn with ``n_jobs=-1``
    (no issue target: reported beside the Gaussian groups, where fastmi's searches are
    at their fastest; heavy tails send some of them to the KD-tree).
``mutual_info_score-1e7``, ``mi_feature_selection-1e5x50``
    The remaining public estimators: ``mutual_info_score`` on 1e7 pairs of labels against
    ``sklearn.metrics.mutual_info_score``; ``mi_feature_selection`` against the reference
    listing's (which calls scikit-learn with ``random_state=42``): same indices, same scores.
``sklearn-noise-1e6x50``
    ``mutual_info_regression`` at n = 1e6 x 50 next to drawing its tie-breaking noise alone,
    by numpy (``RandomState.standard_normal((n, 50))``, what scikit-learn spends) and by
    fastmi's native stream (the same values, on all threads; fastmi's default since numpy's
    draw was the largest serial part at 1e5 x 50). Not compared with scikit-learn (minutes).

Every fastmi case also checks its scores against scikit-learn's (same ``random_state``): at
most 1e-10 apart per feature. scikit-learn runs once per group (it takes tens of seconds);
its scores are shared with the fastmi case through ``expected_values``. Timing targets are
reported, never asserted (the machine is shared and noisy).
"""
from __future__ import annotations

import numpy as np
import pytest

import fastmi
import fastmi.reference
from fastmi.bench import baselines, data

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression  # noqa: E402

SEED = 0
TOL = 1e-10

# samples of each data set: timed, then in the smoke run (--benchmark-disable)
SIZES = {
    "classif-1e5x50": (100_000, 2_000),
    "regression-1e5x50": (100_000, 2_000),
    "regression-1e6x1": (1_000_000, 20_000),
    "classif-1e6x1": (1_000_000, 20_000),
    "regression-1e6x50": (1_000_000, 30_000),
    "labels-1e7": (10_000_000, 100_000),
    "regression-heavy-1e5x10": (100_000, 2_000),
}

_DATA: dict = {}


@pytest.fixture(scope="session")
def dataset(sized):
    """dataset(name): the benchmark data set `name`, made once per session."""

    def get(name):
        if name not in _DATA:
            n = sized(*SIZES[name])
            if name == "classif-1e5x50":
                _DATA[name] = make_classification(
                    n_samples=n, n_features=50, n_informative=10, n_redundant=10, random_state=SEED
                )
            elif name == "regression-1e5x50":
                _DATA[name] = make_regression(
                    n_samples=n, n_features=50, n_informative=10, noise=10.0, random_state=SEED
                )
            elif name in ("regression-1e6x1", "classif-1e6x1"):
                x, y = data.gaussian_pair(n, seed=SEED)
                target = y if name.startswith("regression") else (y > 0.3).astype(np.int64) + (y > 1.2)
                _DATA[name] = (x[:, None], target)
            elif name == "regression-1e6x50":
                _DATA[name] = data.additive_data(n, 50, informative=5, seed=SEED)
            elif name == "regression-heavy-1e5x10":
                r = np.random.default_rng(SEED)
                Z = r.standard_normal((n, 10))
                _DATA[name] = (np.exp(3.0 * Z), np.exp(Z[:, :3].sum(axis=1) + r.standard_normal(n)))
            elif name == "labels-1e7":
                _DATA[name] = data.label_pair(n, seed=SEED)
            else:
                raise AssertionError(name)
        return _DATA[name]

    return get


SK_FN = {"classif": mutual_info_classif, "regression": mutual_info_regression}
FM_FN = {"classif": fastmi.mutual_info_classif, "regression": fastmi.mutual_info_regression}
CASES = [
    ("classif-1e5x50", 1 / 20, "fastmi >= 20x faster"),
    ("regression-1e5x50", 1 / 20, "fastmi >= 20x faster"),
    ("regression-1e6x1", 1 / 15, "fastmi >= 15x faster"),
    ("classif-1e6x1", 1 / 15, "fastmi >= 15x faster"),
    ("regression-heavy-1e5x10", None, None),
]
IDS = [c[0] for c in CASES]


def _sklearn_scores(expected_values, dataset, name):
    key = ("sklearn", name)
    if key not in expected_values:
        X, y = dataset(name)
        expected_values[key] = SK_FN[name.split("-")[0]](X, y, random_state=SEED, n_jobs=-1)
    return expected_values[key]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sklearn(benchmark, expected_values, dataset, case):
    name, max_ratio, target = case
    X, y = dataset(name)
    benchmark.group = f"sklearn-{name}"
    benchmark.extra_info.update(label=f"sklearn {SK_FN[name.split('-')[0]].__name__} n_jobs=-1")
    if max_ratio is not None:
        benchmark.extra_info.update(max_ratio=max_ratio, target=target)
    fn = SK_FN[name.split("-")[0]]
    baselines.warm_sklearn_pool()  # its worker processes start outside the timing
    scores = benchmark.pedantic(fn, args=(X, y), kwargs=dict(random_state=SEED, n_jobs=-1), rounds=1)
    expected_values[("sklearn", name)] = scores
    assert scores.shape == (X.shape[1],) and np.all(scores >= 0)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fastmi(benchmark, expected_values, dataset, case):
    name = case[0]
    X, y = dataset(name)
    benchmark.group = f"sklearn-{name}"
    fn = FM_FN[name.split("-")[0]]
    benchmark.extra_info.update(label=f"fastmi.{fn.__name__} n_jobs=-1", subject=True)
    scores = benchmark.pedantic(fn, args=(X, y), kwargs=dict(random_state=SEED, n_jobs=-1), rounds=3)
    want = _sklearn_scores(expected_values, dataset, name)
    diff = float(np.max(np.abs(scores - want)))
    benchmark.extra_info["note"] = f"{name}: max |fastmi - sklearn| = {diff:.3g} nats over {X.shape[1]} features"
    assert diff <= TOL


def _draw_noise(n, p):
    return np.random.RandomState(SEED).standard_normal((n, p))


@pytest.mark.benchmark(group="sklearn-noise-1e6x50")
def test_noise_share_fastmi(benchmark, dataset):
    X, y = dataset("regression-1e6x50")
    benchmark.extra_info.update(label="fastmi.mutual_info_regression 1e6 x 50", subject=True)
    scores = benchmark.pedantic(fastmi.mutual_info_regression, args=(X, y), kwargs=dict(random_state=SEED), rounds=1)
    assert np.all(scores[:5] > 0.05) and np.all(scores[5:] < 0.01)
    # the same numbers on a slice, against scikit-learn (untimed)
    m = min(20_000, X.shape[0] // 4)
    want = mutual_info_regression(X[:m, :8], y[:m], random_state=SEED)
    got = fastmi.mutual_info_regression(X[:m, :8], y[:m], random_state=SEED)
    assert float(np.max(np.abs(got - want))) <= TOL


@pytest.mark.benchmark(group="sklearn-noise-1e6x50")
def test_noise_share_draw(benchmark, dataset):
    n, p = dataset("regression-1e6x50")[0].shape
    benchmark.extra_info.update(
        label="numpy RandomState.standard_normal((1e6, 50))",
        note="the noise rows' 'speedup' is each drawing's share of fastmi's total time",
    )
    Z = benchmark.pedantic(_draw_noise, args=(n, p), rounds=3)
    assert Z.shape == (n, p)


@pytest.mark.benchmark(group="sklearn-noise-1e6x50")
def test_noise_share_native(benchmark, dataset):
    from fastmi.sklearn import noise

    n, p = dataset("regression-1e6x50")[0].shape
    benchmark.extra_info.update(label="fastmi native noise (1e6 x 50, added in place)")
    block = np.zeros((n, p), order="F")
    c = np.ones(p)
    rounds = []

    def draw():
        noise.draw_noise(block, c, np.random.RandomState(SEED), 0, native=True)  # 0: all threads
        rounds.append(1)

    benchmark.pedantic(draw, rounds=3)
    # values equal numpy's stream (tests/test_sklearn.py checks it on every shape): spot check
    rows = np.random.RandomState(SEED).standard_normal((4, p))
    assert np.array_equal(block[:4], len(rounds) * rows)  # every round added in place


# ---------------------------------------------------------------- the remaining public estimators

@pytest.mark.benchmark(group="mutual_info_score-1e7")
def test_mutual_info_score_fastmi(benchmark, expected_values, dataset):
    a, b = dataset("labels-1e7")
    benchmark.extra_info.update(label="fastmi.mutual_info_score", subject=True)
    got = benchmark.pedantic(fastmi.mutual_info_score, args=(a, b), rounds=3)
    if "mis" not in expected_values:
        from sklearn.metrics import mutual_info_score

        expected_values["mis"] = mutual_info_score(a, b)
    assert abs(got - expected_values["mis"]) <= TOL


@pytest.mark.benchmark(group="mutual_info_score-1e7")
def test_mutual_info_score_sklearn(benchmark, expected_values, dataset):
    from sklearn.metrics import mutual_info_score

    a, b = dataset("labels-1e7")
    benchmark.extra_info.update(label="sklearn.metrics.mutual_info_score")
    expected_values["mis"] = benchmark.pedantic(mutual_info_score, args=(a, b), rounds=1)


@pytest.mark.benchmark(group="mi_feature_selection-1e5x50")
def test_mi_feature_selection_fastmi(benchmark, expected_values, dataset):
    X, y = dataset("classif-1e5x50")
    benchmark.extra_info.update(label="fastmi.mi_feature_selection", subject=True)
    idx, scores = benchmark.pedantic(fastmi.mi_feature_selection, args=(X, y, 10), rounds=3)
    if "mifs" not in expected_values:
        expected_values["mifs"] = fastmi.reference.mi_feature_selection(X, y, 10)
    want_idx, want_scores = expected_values["mifs"]
    assert np.array_equal(idx, want_idx)
    assert float(np.max(np.abs(scores - want_scores))) <= TOL


@pytest.mark.benchmark(group="mi_feature_selection-1e5x50")
def test_mi_feature_selection_reference(benchmark, expected_values, dataset):
    X, y = dataset("classif-1e5x50")
    benchmark.extra_info.update(label="fastmi.reference.mi_feature_selection (scikit-learn)")
    expected_values["mifs"] = benchmark.pedantic(fastmi.reference.mi_feature_selection, args=(X, y, 10), rounds=1)
