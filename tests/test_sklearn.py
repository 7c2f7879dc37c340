"""fastmi's scikit-learn drop-ins against scikit-learn itself.

mutual_info_regression / mutual_info_classif / mutual_info_score must give
scikit-learn's numbers (within 1e-10 per feature; in practice bit-identical)
for the same random_state, on continuous, discrete and mixed data, every way
of naming the discrete features, and awkward label layouts. The one known
difference (scikit-learn's imprecise brute-force distances for small
classes) is checked against an exact brute-force reference instead.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import warnings
from functools import partial

import numpy as np
import pytest
from scipy.special import digamma

import fastmi
from fastmi import reference
from fastmi.exceptions import InvalidParameterError

sklearn = pytest.importorskip("sklearn")
from sklearn import feature_selection as skfs  # noqa: E402
from sklearn import metrics as skm  # noqa: E402

TOL = 1e-10


def assert_close(a, b, tol=TOL):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    assert a.shape == b.shape
    assert np.max(np.abs(a - b), initial=0.0) <= tol, (a, b)


def balanced_labels(rng, n, n_classes):
    """Labels with every class of n // n_classes or more samples, shuffled."""
    return rng.permutation(np.arange(n) % n_classes)


# --------------------------------------------------------------------------- data


def make_features(rng, n, p, kind):
    if kind == "gauss":
        X = rng.standard_normal((n, p))
        X[:, 0] += np.linspace(-1, 1, n)
    elif kind == "heavy":
        X = rng.standard_cauchy((n, p))
    elif kind == "ties":  # few distinct values: only the noise separates them
        X = rng.integers(0, 5, (n, p)).astype(float)
    elif kind == "scaled":  # very different scales, one nearly constant
        X = rng.standard_normal((n, p)) * np.logspace(-6, 6, p)
        X[:, -1] = 3.0 + 1e-17 * rng.standard_normal(n)
    else:
        raise AssertionError(kind)
    return X


def regression_target(rng, X):
    return np.sin(X[:, 0]) + 0.5 * X[:, -1] + 0.3 * rng.standard_normal(X.shape[0])


# 24 random configurations: shapes, k, data kinds, tasks and masks
CONFIGS = []
_cfg_rng = np.random.default_rng(20240603)
for _seed in range(24):
    CONFIGS.append(
        dict(
            seed=_seed,
            n=int(_cfg_rng.choice([40, 97, 300, 1000, 2500])),
            p=int(_cfg_rng.integers(1, 7)),
            k=int(_cfg_rng.integers(1, 7)),
            kind=str(_cfg_rng.choice(["gauss", "heavy", "ties", "scaled"])),
            mask=str(_cfg_rng.choice(["auto", "none", "bool", "index", "negindex", "all"])),
            random_state=int(_cfg_rng.integers(0, 2**31)),
        )
    )


def _mask_arg(mask, p, rng):
    chosen = rng.random(p) < 0.5
    if mask == "auto":
        return "auto", np.zeros(p, bool)
    if mask == "none":
        return False, np.zeros(p, bool)
    if mask == "all":
        return True, np.ones(p, bool)
    if mask == "bool":
        return chosen, chosen
    idx = np.flatnonzero(chosen)
    if mask == "negindex":
        return idx - p, chosen
    return idx, chosen


def _discretise(rng, X, discrete, n_values, min_count):
    """Discrete columns: n_values values, each at least min_count times."""
    X = X.copy()
    n = X.shape[0]
    for j in np.flatnonzero(discrete):
        X[:, j] = rng.permutation(np.arange(n) % n_values) * 2.0 - 1.0
    assert n // n_values >= min_count
    return X


@pytest.mark.parametrize("cfg", CONFIGS, ids=[f"cfg{c['seed']}" for c in CONFIGS])
def test_random_configurations_match_sklearn(cfg):
    rng = np.random.default_rng(cfg["seed"])
    n, p, k = cfg["n"], cfg["p"], cfg["k"]
    X = make_features(rng, n, p, cfg["kind"])
    df_arg, discrete = _mask_arg(cfg["mask"], p, rng)
    # groups of >= 2k + 2 samples: scikit-learn's exact (KD-tree) path
    min_group = 2 * k + 2
    n_values = max(2, min(4, n // min_group))
    if n // n_values < min_group:
        pytest.skip("too few samples for classes of 2k + 2")
    X = _discretise(rng, X, discrete, n_values, min_group)
    rs = cfg["random_state"]

    y = regression_target(rng, X)
    got = fastmi.mutual_info_regression(X, y, discrete_features=df_arg, n_neighbors=k, random_state=rs)
    want = skfs.mutual_info_regression(X, y, discrete_features=df_arg, n_neighbors=k, random_state=rs)
    assert_close(got, want)

    yc = balanced_labels(rng, n, n_values)
    got = fastmi.mutual_info_classif(X, yc, discrete_features=df_arg, n_neighbors=k, random_state=rs)
    want = skfs.mutual_info_classif(X, yc, discrete_features=df_arg, n_neighbors=k, random_state=rs)
    assert_close(got, want)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 3, 7])
def test_regression_continuous_bit_identical(seed, k):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((800, 4))
    y = X[:, 0] * X[:, 1] + 0.2 * rng.standard_normal(800)
    got = fastmi.mutual_info_regression(X, y, n_neighbors=k, random_state=seed)
    want = skfs.mutual_info_regression(X, y, n_neighbors=k, random_state=seed)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("n_classes", [2, 3, 7])
def test_classif_continuous_bit_identical(seed, n_classes):
    rng = np.random.default_rng(seed)
    y = balanced_labels(rng, 900, n_classes)
    X = rng.standard_normal((900, 4))
    X[:, 0] += y
    got = fastmi.mutual_info_classif(X, y, random_state=seed)
    want = skfs.mutual_info_classif(X, y, random_state=seed)
    np.testing.assert_array_equal(got, want)


def test_larger_samples_every_search_path():
    # n = 20000: the k-th neighbour search runs on strips of the x-sorted
    # samples, or on the KD-tree where the strips do not fit (near-constant x
    # or y); both must give scikit-learn's numbers.
    rng = np.random.default_rng(30)
    n = 20_000
    X = np.column_stack(
        [
            rng.standard_normal(n),
            rng.standard_cauchy(n),
            np.floor(3 * rng.standard_normal(n)),  # ties, broken by the noise only
            np.full(n, 2.5),  # constant: the KD-tree path
            rng.standard_normal(n) ** 3,
        ]
    )
    y = X[:, 0] + np.tanh(X[:, 1]) + rng.standard_normal(n)
    for target in (y, np.round(y), np.zeros(n)):  # continuous, tied, constant
        assert_close(
            fastmi.mutual_info_regression(X, target, random_state=1),
            skfs.mutual_info_regression(X, target, random_state=1),
        )


def test_large_single_feature_identical_for_every_n_jobs():
    # one feature: all threads work inside it (parallel radix sort above 2**20 samples)
    rng = np.random.default_rng(31)
    n = 2**20 + 4321
    x = rng.standard_normal((n, 1))
    y = x[:, 0] + rng.standard_normal(n)
    runs = [fastmi.mutual_info_regression(x, y, random_state=0, n_jobs=j) for j in (1, 2, 4)]
    for r in runs[1:]:
        np.testing.assert_array_equal(r, runs[0])
    yc = (y > 0.5).astype(int)
    runs = [fastmi.mutual_info_classif(x, yc, random_state=0, n_jobs=j) for j in (1, 3)]
    np.testing.assert_array_equal(runs[1], runs[0])


def test_k_at_least_half_the_samples():
    # scikit-learn switches to brute force (Chebyshev, exact) when k >= n // 2
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 2))
    y = X[:, 0] + rng.standard_normal(30)
    for k in (14, 15, 29):
        assert_close(
            fastmi.mutual_info_regression(X, y, n_neighbors=k, random_state=0),
            skfs.mutual_info_regression(X, y, n_neighbors=k, random_state=0),
        )


def test_k_larger_than_classes():
    # within a class of m samples, min(k, m - 1) neighbours; k may exceed n
    rng = np.random.default_rng(4)
    y = balanced_labels(rng, 200, 2)
    X = rng.standard_normal((200, 2)) + y[:, None]
    got = fastmi.mutual_info_classif(X, y, n_neighbors=500, random_state=0)
    # scikit-learn takes the brute-force path for these classes; exact here
    np.testing.assert_allclose(got, ross_bruteforce_features(X, y, 500, random_state=0), atol=1e-12)
    want = skfs.mutual_info_classif(X, y, n_neighbors=500, random_state=0)
    assert_close(got, want, tol=1e-2)


# --------------------------------------------------------------------------- label layouts


def test_singleton_labels_are_dropped():
    rng = np.random.default_rng(5)
    y = balanced_labels(rng, 600, 3)
    y[:7] = np.arange(100, 107)  # seven classes of one sample each
    X = rng.standard_normal((600, 3)) + 0.3 * y[:, None] % 3
    assert_close(
        fastmi.mutual_info_classif(X, y, random_state=1), skfs.mutual_info_classif(X, y, random_state=1)
    )


def test_discrete_feature_with_singleton_values():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((500, 2))
    X[:, 1] = rng.permutation(np.arange(500) % 3)
    X[:4, 1] = [10, 11, 12, 13]
    y = X[:, 0] + X[:, 1] + rng.standard_normal(500)
    for df in ([1], [False, True]):
        assert_close(
            fastmi.mutual_info_regression(X, y, discrete_features=df, random_state=2),
            skfs.mutual_info_regression(X, y, discrete_features=df, random_state=2),
        )


def test_all_labels_singletons_give_zero():
    # scikit-learn raises here (its issue #13711); fastmi's estimate is 0
    rng = np.random.default_rng(7)
    X = rng.standard_normal((50, 2))
    y = np.arange(50)
    np.testing.assert_array_equal(fastmi.mutual_info_classif(X, y, random_state=0), [0.0, 0.0])


def test_single_class():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((300, 3))
    X[:, 2] = rng.integers(0, 3, 300)
    y = np.full(300, 4)
    for df in ("auto", [2]):
        assert_close(
            fastmi.mutual_info_classif(X, y, discrete_features=df, random_state=0),
            skfs.mutual_info_classif(X, y, discrete_features=df, random_state=0),
        )
    assert fastmi.mutual_info_classif(X, y, discrete_features=[2], random_state=0)[2] == 0.0


def test_string_and_float_labels():
    rng = np.random.default_rng(9)
    codes = balanced_labels(rng, 400, 3)
    X = rng.standard_normal((400, 2)) + codes[:, None]
    for y in (np.array(["cat", "dog", "eel"])[codes], codes.astype(float) * 2.0 - 1, codes == 1):
        assert_close(
            fastmi.mutual_info_classif(X, y, random_state=0), skfs.mutual_info_classif(X, y, random_state=0)
        )


def test_constant_features():
    rng = np.random.default_rng(10)
    X = rng.standard_normal((500, 4))
    X[:, 1] = 5.0
    X[:, 2] = 0.0
    y = X[:, 0] + rng.standard_normal(500)
    yc = (y > 0).astype(int)
    assert_close(
        fastmi.mutual_info_regression(X, y, random_state=0), skfs.mutual_info_regression(X, y, random_state=0)
    )
    assert_close(
        fastmi.mutual_info_classif(X, yc, random_state=0), skfs.mutual_info_classif(X, yc, random_state=0)
    )
    # and a constant target
    c = np.full(500, 2.0)
    assert_close(
        fastmi.mutual_info_regression(X, c, random_state=0), skfs.mutual_info_regression(X, c, random_state=0)
    )


def test_integer_and_bool_features():
    rng = np.random.default_rng(11)
    Xi = rng.integers(-1000, 1000, (600, 3))
    y = Xi[:, 0] / 500 + rng.standard_normal(600)
    assert_close(
        fastmi.mutual_info_regression(Xi, y, random_state=0), skfs.mutual_info_regression(Xi, y, random_state=0)
    )
    Xi8 = rng.integers(0, 4, (600, 3)).astype(np.int8)
    yc = balanced_labels(rng, 600, 3)
    assert_close(
        fastmi.mutual_info_classif(Xi8, yc, discrete_features=True),
        skfs.mutual_info_classif(Xi8, yc, discrete_features=True),
    )
    Xb = rng.random((600, 2)) < 0.4
    assert_close(
        fastmi.mutual_info_classif(Xb, yc, discrete_features=True),
        skfs.mutual_info_classif(Xb, yc, discrete_features=True),
    )
    assert_close(
        fastmi.mutual_info_classif(Xb, yc, random_state=3), skfs.mutual_info_classif(Xb, yc, random_state=3)
    )


def test_huge_integer_discrete_features():
    # No continuous feature: X is never cast, so integers beyond 2**53 stay distinct
    rng = np.random.default_rng(12)
    base = np.int64(2**60)
    Xi = base + rng.integers(0, 3, (300, 2))
    yc = balanced_labels(rng, 300, 2)
    assert_close(
        fastmi.mutual_info_classif(Xi, yc, discrete_features=True),
        skfs.mutual_info_classif(Xi, yc, discrete_features=True),
    )


def test_float32_inputs():
    rng = np.random.default_rng(13)
    X = rng.standard_normal((500, 3)).astype(np.float32)
    y = (X[:, 0] + rng.standard_normal(500)).astype(np.float32)
    assert_close(
        fastmi.mutual_info_regression(X, y, random_state=5), skfs.mutual_info_regression(X, y, random_state=5)
    )


def test_pandas_input():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(14)
    n = 500
    df = pd.DataFrame(
        {
            "a": rng.standard_normal(n),
            "b": rng.integers(0, 3, n),
            "c": rng.standard_normal(n).astype(np.float32),
            "d": rng.standard_normal(n),
        }
    )
    y = pd.Series(df["a"] + df["b"] + rng.standard_normal(n), name="target")
    for dfm in ("auto", [1], np.array([False, True, False, False])):
        assert_close(
            fastmi.mutual_info_regression(df, y, discrete_features=dfm, random_state=0),
            skfs.mutual_info_regression(df, y, discrete_features=dfm, random_state=0),
        )
    yc = pd.Series(np.where(y > y.median(), "hi", "lo"))
    assert_close(
        fastmi.mutual_info_classif(df, yc, random_state=0), skfs.mutual_info_classif(df, yc, random_state=0)
    )
    # a single-dtype frame, as numpy would see it
    dfx = pd.DataFrame(rng.standard_normal((n, 3)))
    assert_close(
        fastmi.mutual_info_regression(dfx, y, random_state=0), skfs.mutual_info_regression(dfx, y, random_state=0)
    )


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_discrete_features(fmt):
    sp = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(15)
    dense = rng.integers(0, 4, (400, 5)) * (rng.random((400, 5)) < 0.4)
    X = sp.csr_matrix(dense).asformat(fmt)
    y = dense[:, 0] + rng.standard_normal(400)
    yc = balanced_labels(rng, 400, 2)
    assert_close(
        fastmi.mutual_info_regression(X, y, random_state=0), skfs.mutual_info_regression(X, y, random_state=0)
    )
    assert_close(
        fastmi.mutual_info_classif(X, yc, random_state=0), skfs.mutual_info_classif(X, yc, random_state=0)
    )
    # the same numbers as the dense matrix declared discrete
    assert_close(
        fastmi.mutual_info_classif(X, yc, random_state=0),
        fastmi.mutual_info_classif(dense, yc, discrete_features=True, random_state=0),
    )


def test_sparse_array_and_many_blocks(monkeypatch):
    sp = pytest.importorskip("scipy.sparse")
    from fastmi.sklearn import preprocess

    monkeypatch.setattr(preprocess, "_SPARSE_BLOCK_VALUES", 700)  # two columns per block
    rng = np.random.default_rng(16)
    dense = rng.integers(0, 3, (300, 7)) * (rng.random((300, 7)) < 0.5)
    yc = balanced_labels(rng, 300, 3)
    X = sp.csc_array(dense)
    assert_close(fastmi.mutual_info_classif(X, yc), skfs.mutual_info_classif(X, yc))


# --------------------------------------------------------------------------- random_state, copy, n_jobs


def test_random_state_none_uses_numpy_global_state():
    rng = np.random.default_rng(17)
    X = rng.standard_normal((300, 3))
    y = X[:, 0] + rng.standard_normal(300)
    np.random.seed(123)
    got = fastmi.mutual_info_regression(X, y)
    after_fastmi = np.random.random()
    np.random.seed(123)
    np.testing.assert_array_equal(fastmi.mutual_info_regression(X, y, random_state=np.random), got)
    np.random.seed(123)
    want = skfs.mutual_info_regression(X, y)
    after_sklearn = np.random.random()
    assert_close(got, want)
    assert after_fastmi == after_sklearn  # the global stream advanced identically


def test_random_state_instance_is_advanced_like_sklearn():
    rng = np.random.default_rng(18)
    X = rng.standard_normal((300, 3))
    y = X[:, 0] + rng.standard_normal(300)
    r1, r2 = np.random.RandomState(9), np.random.RandomState(9)
    for _ in range(2):  # the second call sees the advanced state
        assert_close(
            fastmi.mutual_info_regression(X, y, random_state=r1),
            skfs.mutual_info_regression(X, y, random_state=r2),
        )
    assert r1.random() == r2.random()


@pytest.mark.parametrize("pre", [0, 1, 3, "raw"])
@pytest.mark.parametrize("shape", [(1, 1), (2, 1), (3, 1), (5, 3), (999, 7), (70_001, 3), (40, 2000), (0, 4)])
def test_native_noise_stream_equals_numpy(shape, pre):
    """The tie-breaking noise drawn natively: numpy's RandomState.standard_normal value for
    value (row-major, times the column factor, added), and the RandomState left in numpy's
    state, including its cached second normal and an odd word position."""
    from fastmi.sklearn import noise as fastmi_noise

    seed = sum(shape) + 7
    r_np, r_fm = np.random.RandomState(seed), np.random.RandomState(seed)
    for r in (r_np, r_fm):  # leave a cached gauss (odd count) or an odd MT word position
        if pre == "raw":
            r.randint(0, 2**31, size=3)
        else:
            r.standard_normal(pre)
    base = np.asfortranarray(np.random.default_rng(seed).standard_normal(shape))
    c = np.linspace(1e-10, 3e-10, shape[1])
    want = base.copy(order="F")
    noise = r_np.standard_normal(size=shape)
    noise *= c
    want += noise
    got = base.copy(order="F")
    fastmi_noise.draw_noise(got, c, r_fm, 2, native=True)
    np.testing.assert_array_equal(got, want)
    s_np, s_fm = r_np.get_state(), r_fm.get_state()
    np.testing.assert_array_equal(s_np[1], s_fm[1])
    assert s_np[2:] == s_fm[2:]
    assert r_np.standard_normal(3).tolist() == r_fm.standard_normal(3).tolist()


def test_native_noise_holds_the_generator_lock():
    """A thread drawing from the same RandomState (e.g. numpy's global one) while the noise is
    drawn natively waits for it, as with numpy's own draw: both orders are consistent streams,
    never the same words used twice."""
    import threading

    from fastmi.sklearn import noise as fastmi_noise

    n, p = 2_000_000, 4
    rng = np.random.RandomState(0)
    block = np.zeros((n, p), order="F")
    res = {}

    def other():
        time.sleep(0.02)  # lands inside the draw (about 0.05-0.1 s)
        res["b"] = rng.random_sample()

    t = threading.Thread(target=other)
    t.start()
    fastmi_noise.draw_noise(block, np.ones(p), rng, 2, native=True)
    t.join()

    def matches(r, chunk=250_000):
        return all(np.array_equal(block[a : a + chunk], r.standard_normal((min(chunk, n - a), p))) for a in range(0, n, chunk))

    ref = np.random.RandomState(0)
    b_first = ref.random_sample()
    ok_b_first = res["b"] == b_first and matches(ref)
    ref = np.random.RandomState(0)
    ok_b_after = matches(ref) and res["b"] == ref.random_sample()
    assert ok_b_first or ok_b_after


def test_native_noise_self_check_and_other_bit_generators():
    from fastmi.sklearn import noise as fastmi_noise

    assert fastmi_noise.native_noise_ok()  # this platform's stream matches numpy's
    # a RandomState over another bit generator: numpy draws, same numbers as scikit-learn
    rng = np.random.default_rng(20)
    X = rng.standard_normal((300, 3))
    y = X[:, 0] + rng.standard_normal(300)
    r1 = np.random.RandomState(np.random.PCG64(5))
    r2 = np.random.RandomState(np.random.PCG64(5))
    assert fastmi_noise.mt19937_state(r1) is None
    assert_close(
        fastmi.mutual_info_regression(X, y, random_state=r1),
        skfs.mutual_info_regression(X, y, random_state=r2),
    )
    assert r1.random() == r2.random()


@pytest.mark.parametrize("discrete", [False, [1, 4, 5]])
def test_parallel_preprocessing_identical(monkeypatch, discrete):
    """Large inputs copy and scale column blocks on parallel threads: same numbers."""
    from fastmi.sklearn import preprocess

    monkeypatch.setattr(preprocess, "_PARALLEL_PREP", 1)
    rng = np.random.default_rng(21)
    X = rng.standard_normal((700, 9)) * rng.uniform(0.1, 50, 9)
    X[:, [1, 4, 5]] = rng.integers(0, 4, (700, 3))
    y = X[:, 0] + X[:, 6] + rng.standard_normal(700)
    for n_jobs in (None, 2, 3):
        got = fastmi.mutual_info_regression(X, y, discrete_features=discrete, random_state=4, n_jobs=n_jobs)
        want = skfs.mutual_info_regression(X, y, discrete_features=discrete, random_state=4)
        np.testing.assert_array_equal(got, want)


def test_copy_false_overwrites_like_sklearn():
    rng = np.random.default_rng(19)
    X = rng.standard_normal((200, 4))
    X[:, 3] = rng.integers(0, 3, 200)
    y = X[:, 0] + rng.standard_normal(200)
    a, b = X.copy(), X.copy()
    fastmi.mutual_info_regression(a, y, discrete_features=[3], copy=False, random_state=0)
    skfs.mutual_info_regression(b, y, discrete_features=[3], copy=False, random_state=0)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, X)
    c = X.copy()
    fastmi.mutual_info_regression(c, y, copy=True, random_state=0)
    np.testing.assert_array_equal(c, X)


def test_results_identical_for_every_n_jobs():
    # n large enough for several threads (the core uses one per 2**15 sample-values),
    # also inside a single feature
    rng = np.random.default_rng(20)
    n = 70_000
    X = rng.standard_normal((n, 5))
    X[:, 4] = rng.integers(0, 4, n)
    y = X[:, 0] + rng.standard_normal(n)
    yc = (y > 0).astype(int)
    for fn, target in ((fastmi.mutual_info_regression, y), (fastmi.mutual_info_classif, yc)):
        runs = [fn(X, target, discrete_features=[4], random_state=0, n_jobs=j) for j in (1, 2, 3, 8, -1, None)]
        for r in runs[1:]:
            np.testing.assert_array_equal(r, runs[0])
        # a single feature runs its kernels on all threads instead
        one = [fn(X[:, :1], target, random_state=0, n_jobs=j) for j in (1, 2, 4)]
        for r in one[1:]:
            np.testing.assert_array_equal(r, one[0])


def test_sklearn_not_needed_at_runtime():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["sklearn"] = None   # any import of scikit-learn now fails
        sys.modules["scipy"] = None     # scipy too: dense input never needs it
        import numpy as np, fastmi
        rng = np.random.default_rng(0)
        X = rng.standard_normal((200, 3)); y = X[:, 0] + rng.standard_normal(200)
        print(fastmi.mutual_info_regression(X, y, random_state=0).sum() > 0,
              fastmi.mutual_info_classif(X, y > 0, random_state=0).shape,
              fastmi.mutual_info_score([0, 1, 1], [1, 0, 0]) > 0,
              fastmi.mi_feature_selection(X, y, 2, task="regression")[0][0])
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "(3,)", "True", "0"]


# --------------------------------------------------------------------------- known exception: small classes


def ross_bruteforce(c, d, k):
    """Ross (2014) as scikit-learn defines it, with exact |c_i - c_j| distances."""
    labels, inverse, counts = np.unique(d, return_inverse=True, return_counts=True)
    count = counts[inverse]
    keep = count > 1
    c, inverse, count = c[keep], inverse[keep], count[keep]
    if c.size == 0:
        return 0.0
    dist = np.abs(c[:, None] - c[None, :])
    ks, ms = [], []
    for i in range(c.size):
        kl = min(k, count[i] - 1)
        same = np.sort(dist[i, inverse == inverse[i]])  # self first, at 0
        r = np.nextafter(same[kl], 0)
        ks.append(kl)
        ms.append(np.sum(dist[i] <= r))
    mi = digamma(c.size) + np.mean(digamma(ks)) - np.mean(digamma(count)) - np.mean(digamma(ms))
    return max(0.0, mi)


def ross_bruteforce_features(X, y, k, random_state):
    # the preprocessed features, as fastmi (and scikit-learn) hand them to the estimator
    Xp = np.array(X, dtype=float)
    fastmi.mutual_info_classif(Xp, y, n_neighbors=k, copy=False, random_state=random_state)
    return np.array([ross_bruteforce(Xp[:, j], y, k) for j in range(X.shape[1])])


@pytest.mark.parametrize("seed", range(4))
def test_small_classes_exact_distances(seed):
    # Classes of <= 2k + 1 samples: scikit-learn's brute-force kNN computes
    # sqrt(a^2 - 2ab + b^2) and loses precision; fastmi's distances are exact.
    rng = np.random.default_rng(seed)
    n = 240
    y = rng.integers(0, 48, n)  # classes of about 5 samples
    X = rng.standard_normal((n, 3)) * [1.0, 1e3, 1e-3]
    X[:, 0] += 0.1 * y
    got = fastmi.mutual_info_classif(X, y, random_state=seed)
    np.testing.assert_allclose(got, ross_bruteforce_features(X, y, 3, seed), rtol=0, atol=1e-12)
    want = skfs.mutual_info_classif(X, y, random_state=seed)
    assert_close(got, want, tol=0.01)


def test_ross_matches_bruteforce_on_large_classes():
    rng = np.random.default_rng(21)
    y = balanced_labels(rng, 300, 3)
    X = rng.standard_normal((300, 2)) + y[:, None]
    got = fastmi.mutual_info_classif(X, y, n_neighbors=4, random_state=0)
    np.testing.assert_allclose(got, ross_bruteforce_features(X, y, 4, 0), rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- mutual_info_score


@pytest.mark.parametrize("seed", range(6))
def test_mutual_info_score_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    a = rng.integers(0, int(rng.integers(1, 12)), n)
    b = (a + rng.integers(0, int(rng.integers(1, 6)), n)) % 7
    assert_close(fastmi.mutual_info_score(a, b), skm.mutual_info_score(a, b))
    assert_close(fastmi.mutual_info_score(b, a), skm.mutual_info_score(b, a))
    table = skm.cluster.contingency_matrix(a, b)
    assert_close(fastmi.mutual_info_score(None, None, contingency=table), skm.mutual_info_score(a, b))


def test_mutual_info_score_labels_and_tables():
    sp = pytest.importorskip("scipy.sparse")
    a = np.array(["x", "y", "y", "z", "x", "x"])
    b = np.array([1.5, 2.0, 2.0, 1.5, 1.5, -0.0])
    b0 = np.where(b == 0, 0.0, b)  # -0.0 and 0.0 are one label
    with pytest.warns(UserWarning, match="continuous"):  # scikit-learn's warning; fastmi has none
        want = skm.mutual_info_score(a, b0)
    assert_close(fastmi.mutual_info_score(a, b), want)
    assert fastmi.mutual_info_score(a, np.zeros(6)) == 0.0  # single class
    with pytest.raises(ValueError, match="labels_true is empty"):
        fastmi.mutual_info_score([], [])
    assert_close(fastmi.mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0]), np.log(2))
    table = np.array([[10, 0, 3], [0, 0, 0], [2, 5, 1]])
    want = skm.mutual_info_score(None, None, contingency=table)
    for t in (table, table.astype(float), sp.csr_matrix(table), sp.coo_array(table), table.tolist()):
        assert_close(fastmi.mutual_info_score(None, None, contingency=t), want)
    assert fastmi.mutual_info_score(None, None, contingency=[[3, 4, 5]]) == 0.0
    with pytest.raises(ValueError, match="non-negative"):
        fastmi.mutual_info_score(None, None, contingency=[[1, -1], [2, 2]])
    with pytest.raises(ValueError, match="integer counts"):
        fastmi.mutual_info_score(None, None, contingency=[[1.5, 1], [2, 2]])
    with pytest.raises(ValueError, match="same length"):
        fastmi.mutual_info_score([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="labels_true must be 1-D"):
        fastmi.mutual_info_score([[0, 1]], [0, 1])
    with pytest.raises(ValueError, match="labels_pred must be 1-D"):
        fastmi.mutual_info_score([0, 1], [[0, 1], [1, 1]])
    with pytest.raises(ValueError, match="NaN"):
        fastmi.mutual_info_score([0.0, np.nan], [0, 1])


# --------------------------------------------------------------------------- feature selection, scikit-learn tools


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("seed", range(3))
def test_mi_feature_selection_matches_reference(task, seed):
    from sklearn.datasets import make_classification, make_regression

    if task == "classification":
        X, y = make_classification(n_samples=1500, n_features=12, n_informative=4, random_state=seed)
    else:
        X, y = make_regression(n_samples=1500, n_features=12, n_informative=4, noise=5.0, random_state=seed)
    for n_features in (1, 5, 12, 20):
        top, scores = fastmi.mi_feature_selection(X, y, n_features=n_features, task=task)
        ref_top, ref_scores = reference.mi_feature_selection(X, y, n_features=n_features, task=task)
        np.testing.assert_array_equal(top, ref_top)
        assert_close(scores, ref_scores)


def test_mi_feature_selection_errors():
    X = np.random.default_rng(0).standard_normal((50, 3))
    with pytest.raises(ValueError, match="task"):
        fastmi.mi_feature_selection(X, X[:, 0], task="ranking")
    with pytest.raises(ValueError, match="n_features"):
        fastmi.mi_feature_selection(X, X[:, 0] > 0, n_features=-1)


def test_select_k_best_and_pipeline():
    from sklearn.datasets import make_classification
    from sklearn.feature_selection import SelectKBest
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X, y = make_classification(n_samples=600, n_features=15, n_informative=3, random_state=0)
    ours = SelectKBest(score_func=partial(fastmi.mutual_info_classif, random_state=0), k=4).fit(X, y)
    theirs = SelectKBest(score_func=partial(skfs.mutual_info_classif, random_state=0), k=4).fit(X, y)
    np.testing.assert_array_equal(ours.get_support(), theirs.get_support())
    assert_close(ours.scores_, theirs.scores_)

    pipe = make_pipeline(
        SelectKBest(score_func=partial(fastmi.mutual_info_classif, random_state=0), k=4),
        LogisticRegression(),
    )
    ref = make_pipeline(
        SelectKBest(score_func=partial(skfs.mutual_info_classif, random_state=0), k=4),
        LogisticRegression(),
    )
    np.testing.assert_array_equal(pipe.fit(X, y).predict(X), ref.fit(X, y).predict(X))
    np.testing.assert_array_equal(pipe[0].get_support(), theirs.get_support())

    reg = SelectKBest(score_func=partial(fastmi.mutual_info_regression, random_state=0), k=2)
    assert reg.fit_transform(X, X[:, 5] + 0.1 * y).shape == (600, 2)


# --------------------------------------------------------------------------- validation


@pytest.fixture
def data():
    rng = np.random.default_rng(22)
    X = rng.standard_normal((60, 3))
    return X, X[:, 0] + rng.standard_normal(60)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(n_neighbors=0), ValueError, "n_neighbors must be >= 1"),
        (dict(n_neighbors=2.5), TypeError, "n_neighbors must be an integer"),
        (dict(n_neighbors=True), TypeError, "n_neighbors must be an integer"),
        (dict(n_neighbors=60), ValueError, "n_neighbors must be smaller"),
        (dict(discrete_features="yes"), ValueError, "discrete_features must be 'auto'"),
        (dict(discrete_features=[True, False]), ValueError, "one entry per feature"),
        (dict(discrete_features=[3]), ValueError, "outside"),
        (dict(discrete_features=[0.5]), TypeError, "integer feature indices"),
        (dict(discrete_features=[[0]]), ValueError, "1-D"),
        (dict(copy="no"), TypeError, "copy"),
        (dict(random_state=np.random.default_rng(0)), TypeError, "random_state"),
        (dict(random_state=-1), ValueError, "random_state"),
        (dict(random_state="seed"), TypeError, "random_state"),
        (dict(n_jobs=0), ValueError, "n_jobs"),
        (dict(n_jobs=1.5), TypeError, "n_jobs"),
    ],
)
def test_argument_errors(data, kwargs, exc, match):
    X, y = data
    with pytest.raises(exc, match=match):
        fastmi.mutual_info_regression(X, y, **kwargs)


def test_data_errors(data):
    X, y = data
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        fastmi.mutual_info_regression(bad, y)
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="X contains infinity"):
        fastmi.mutual_info_classif(bad, y > 0)
    ybad = y.copy()
    ybad[0] = np.inf
    with pytest.raises(ValueError, match="y contains infinity"):
        fastmi.mutual_info_regression(X, ybad)
    with pytest.raises(ValueError, match="y contains NaN"):
        fastmi.mutual_info_classif(X, np.where(y > 0, 1.0, np.nan))
    with pytest.raises(ValueError, match="same number of samples"):
        fastmi.mutual_info_regression(X, y[:-1])
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        fastmi.mutual_info_regression(X[:, 0], y)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        fastmi.mutual_info_regression(X[None], y)
    with pytest.raises(ValueError, match="at least one feature"):
        fastmi.mutual_info_regression(X[:, :0], y)
    with pytest.raises(ValueError, match="at least one sample"):
        fastmi.mutual_info_regression(X[:0], y[:0])
    with pytest.raises(ValueError, match="y must be 1-D"):
        fastmi.mutual_info_regression(X, np.c_[y, y])
    with pytest.raises(TypeError, match="y must hold real numbers"):
        fastmi.mutual_info_regression(X, np.array(["a"] * 60))
    with pytest.raises(TypeError, match="X must hold real numbers"):
        fastmi.mutual_info_regression(np.array([["a"]] * 60), y)
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        fastmi.mutual_info_classif(X, y)
    with pytest.raises(ValueError, match="cannot be compared"):
        fastmi.mutual_info_classif(X, np.array([1, "a"] * 30, dtype=object))


def test_sparse_continuous_refused():
    sp = pytest.importorskip("scipy.sparse")
    X = sp.random(50, 3, density=0.5, random_state=0, format="csr")
    y = np.arange(50.0)
    with pytest.raises(ValueError, match="can't have continuous features"):
        fastmi.mutual_info_regression(X, y, discrete_features=False)
    with pytest.raises(ValueError, match="can't have continuous features"):
        fastmi.mutual_info_regression(X, y, discrete_features=[0, 1])
    bad = X.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        fastmi.mutual_info_regression(bad, y)


def test_column_vector_target_accepted(data):
    X, y = data
    np.testing.assert_array_equal(
        fastmi.mutual_info_regression(X, y[:, None], random_state=0),
        fastmi.mutual_info_regression(X, y, random_state=0),
    )


def test_mutual_info_score_refuses_columns():
    # scikit-learn refuses (n, 1) labellings ("labels_true must be 1D"); they were flattened
    for a, b in (([[0], [1], [1]], [0, 1, 1]), ([0, 1, 1], np.array([[0], [1], [1]]))):
        with pytest.raises(ValueError, match="must be 1-D"):
            fastmi.mutual_info_score(a, b)


def _missing_label_cases():
    pd = pytest.importorskip("pandas")
    yield "NaN among numbers", np.array([1.0, np.nan, np.nan, 2.0, 1.0, np.nan] * 10, dtype=object)
    yield "NaN among text", np.array(["a", np.nan, "b", "a", "b", "a"] * 10, dtype=object)
    yield "None among text", np.array(["a", None, "b", "a", "b", "a"] * 10, dtype=object)
    yield "None among ints", np.array([1, None, 2, 1, 2, 1] * 10, dtype=object)
    yield "pd.NA among text", np.array(["a", pd.NA, "b", "a", "b", "a"] * 10, dtype=object)
    yield "NaT", np.array([1.0, pd.NaT, 2.0, 1.0, 2.0, 1.0] * 10, dtype=object)
    yield "string column", pd.Series(["a", None, "b", "a", "b", "a"] * 10, dtype="string")
    yield "categorical column", pd.Series(["a", None, "b", "a", "b", "a"] * 10, dtype="category")


@pytest.mark.parametrize("which", ["labels_true", "labels_pred", "classif y"])
def test_missing_labels_raise_what_scikit_learn_raises(which):
    # object labels with NaN were taken: NaN != NaN made each a class of its own
    # (mutual_info_score 0.693 where scikit-learn raises "Input contains NaN",
    # mutual_info_classif numbers where it raises "Unknown label type"); now refused
    # with the row, by an exception of the class scikit-learn raises (ValueError for
    # NaN, TypeError for None or NA among text: InvalidParameterError is both)
    other = np.array([0, 1, 1, 0, 0, 1] * 10)
    X = np.random.default_rng(0).standard_normal((60, 2))
    for label, labels in _missing_label_cases():
        if which == "classif y":
            calls = [partial(f, X, labels, random_state=0) for f in (skfs.mutual_info_classif,
                                                                      fastmi.mutual_info_classif)]
        else:
            pair = (labels, other) if which == "labels_true" else (other, labels)
            calls = [partial(f, *pair) for f in (skm.mutual_info_score, fastmi.mutual_info_score)]
        with pytest.raises(Exception) as theirs, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn's cast of NaN to int
            calls[0]()
        with pytest.raises(type(theirs.value), match=rf"{which.split()[-1]} contains .* at row 1") as ours:
            calls[1]()
        assert isinstance(ours.value, InvalidParameterError), label
