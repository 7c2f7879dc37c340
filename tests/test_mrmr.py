"""fastmi.MRMRSelector: greedy mRMR against a slow reference written with the public estimators."""
from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")

import fastmi  # noqa: E402


def _features(rng, n=1500):
    """a, b, c relevant; a2 a near-duplicate of a; four noise features."""
    a, b, c = rng.standard_normal((3, n))
    a2 = a + 0.02 * rng.standard_normal(n)
    noise = rng.standard_normal((n, 4))
    X = np.column_stack([a, noise[:, 0], a2, b, noise[:, 1], c, noise[:, 2:]])
    return X, a, b, c


def _preprocessed(X, random_state, y=None):
    """scikit-learn's scaling and noise (mutual_info_*), written out with numpy."""
    rng = np.random.RandomState(random_state)
    Xs = X / np.std(X, axis=0)
    means = np.maximum(1, np.mean(np.abs(Xs), axis=0))
    Xs = Xs + 1e-10 * means * rng.standard_normal(size=X.shape)
    if y is None:
        return Xs, None
    ys = y / np.std(y)
    ys = ys + 1e-10 * np.maximum(1, np.mean(np.abs(ys))) * rng.standard_normal(size=y.shape[0])
    return Xs, ys


def _ross_brute(data, labels, k):
    """Ross's (2014) estimator of I(data; labels) in nats, brute force: for each sample the
    max-norm distance d to its min(k, N_c - 1)-th nearest of its own label (N_c samples),
    m the samples of any label strictly within d (itself included); labels seen once dropped."""
    from scipy.special import digamma

    _, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    keep = counts[codes] >= 2
    data, codes = data[keep], codes[keep]
    n = data.shape[0]
    dist = np.abs(data[:, None, :] - data[None, :, :]).max(axis=2)
    n_c = counts[codes]
    k_i = np.minimum(k, n_c - 1)
    same = codes[:, None] == codes[None, :]
    own = np.where(same, dist, np.inf)
    np.fill_diagonal(own, np.inf)
    d = np.sort(own, axis=1)[np.arange(n), k_i - 1]
    m = (dist < d[:, None]).sum(axis=1)  # itself included (distance 0)
    return float(digamma(n) + digamma(k_i).mean() - digamma(n_c).mean() - digamma(m).mean())


def _reference_greedy(X, y, m, criterion, random_state, k=3, classif=True):
    mi = fastmi.mutual_info_classif if classif else fastmi.mutual_info_regression
    rel = mi(X, y, n_neighbors=k, random_state=random_state)
    Xs, ys = _preprocessed(X, random_state, None if classif else y)
    p = X.shape[1]
    selected, scores = [], []
    acc = np.zeros(p)  # mid, miq: sum of I(f; s); jmi: sum of I(f, s; y)
    worst = np.full(p, np.inf)  # cmim: min of I(f, s; y) - I(s; y)
    for step in range(m):
        left = [f for f in range(p) if f not in selected]
        best = None
        for f in left:
            if step == 0:
                score = rel[f]
            elif criterion == "mid":
                score = rel[f] - acc[f] / len(selected)
            elif criterion == "miq":
                score = rel[f] / (acc[f] / len(selected) + 0.01)  # Peng's offset, 0.01 nats
            elif criterion == "jmi":
                score = acc[f]
            else:
                score = worst[f]
            key = (score, rel[f], -f)
            if best is None or key > best[0]:
                best = (key, f)
        s = best[1]
        selected.append(s)
        scores.append(best[0][0])
        for f in range(p):
            if f in selected:
                continue
            if criterion in ("mid", "miq"):
                acc[f] += fastmi.ksg_mi(Xs[:, f], Xs[:, s], k=k, base=math.e)
                continue
            pair = np.column_stack([Xs[:, f], Xs[:, s]])
            # I(f, s; y): KSG with a continuous target (unclipped, as the selector uses it), Ross with classes
            joint = _ross_brute(pair, y, k) if classif else _ksg_unclipped(pair, ys, k)
            if criterion == "jmi":
                acc[f] += joint
            else:
                worst[f] = min(worst[f], joint - rel[s])
    return np.array(selected), np.array(scores), rel


def _ksg_unclipped(a, b, k):
    """The KSG estimate in nats without the clipping at 0: the estimate plus the
    digamma terms of the public function, written out from brute-force counts."""
    from scipy.special import digamma

    n = a.shape[0]
    da = np.abs(a[:, None, :] - a[None, :, :]).max(axis=2)
    db = np.abs(b.reshape(n, -1)[:, None, :] - b.reshape(n, -1)[None, :, :]).max(axis=2)
    joint = np.maximum(da, db)
    eps = np.sort(joint, axis=1)[:, k]  # column 0: the sample itself
    na = (da < eps[:, None]).sum(axis=1) - 1
    nb = (db < eps[:, None]).sum(axis=1) - 1
    return float(digamma(k) + digamma(n) - np.mean(digamma(na + 1) + digamma(nb + 1)))


@pytest.mark.parametrize("criterion", ["mid", "miq"])
@pytest.mark.parametrize("classif", [True, False])
def test_equals_reference_greedy(criterion, classif, rng):
    X, a, b, c = _features(rng)
    y = (a + b + 0.5 * c > 0).astype(int) if classif else a + b + 0.5 * c + 0.3 * rng.standard_normal(len(a))
    sel = fastmi.MRMRSelector(5, criterion=criterion, random_state=3).fit(X, y)
    want_sel, want_scores, rel = _reference_greedy(X, y, 5, criterion, 3, classif=classif)
    assert np.array_equal(sel.relevance_, rel)  # the drop-ins' numbers, bit for bit
    assert np.array_equal(sel.selected_, want_sel)
    assert np.allclose(sel.scores_, want_scores, rtol=1e-12, atol=0)


@pytest.mark.parametrize("criterion", ["jmi", "cmim"])
@pytest.mark.parametrize("classif", [True, False])
def test_joint_criteria_equal_reference_greedy(criterion, classif, rng):
    # I(f, s; y) from brute-force KSG (continuous y) or brute-force Ross (classes);
    # scores agree to 1e-9 relative (digamma sums in another order)
    X, a, b, c = _features(rng, 600)
    y = (a + b + 0.5 * c > 0).astype(int) if classif else a + b + 0.5 * c + 0.3 * rng.standard_normal(len(a))
    sel = fastmi.MRMRSelector(4, criterion=criterion, random_state=1).fit(X, y)
    want_sel, want_scores, _ = _reference_greedy(X, y, 4, criterion, 1, classif=classif)
    assert np.array_equal(sel.selected_, want_sel)
    assert np.allclose(sel.scores_, want_scores, rtol=1e-9, atol=1e-12)


def test_miq_prefers_information_over_noise(rng):
    # b correlated with a, y = a + b: a redundancy estimated at exactly 0 must not
    # give a noise feature with a small positive relevance an infinite score
    n = 1000
    a = rng.standard_normal(n)
    b = 0.5 * a + rng.standard_normal(n)
    X = np.column_stack([a, b, rng.standard_normal((n, 10))])
    y = a + b + 0.3 * rng.standard_normal(n)
    sel = fastmi.MRMRSelector(2, criterion="miq", random_state=0).fit(X, y)
    assert sorted(sel.selected_.tolist()) == [0, 1]
    assert np.isfinite(sel.scores_).all()


def test_never_picks_near_duplicate(rng):
    X, a, b, c = _features(rng)
    y = (a + b + 0.5 * c > 0).astype(int)
    rel = fastmi.mutual_info_classif(X, y, random_state=0)
    top = set(np.argsort(rel)[::-1][:3].tolist())
    assert {0, 2} <= top  # pure relevance ranking keeps both copies of a
    for criterion in ("mid", "miq", "cmim"):
        picked = set(fastmi.MRMRSelector(3, criterion=criterion, random_state=0).fit(X, y).selected_.tolist())
        assert len(picked & {0, 2}) == 1, (criterion, picked)
        assert 3 in picked  # b instead


def test_discrete_features_use_plugin(rng):
    n = 2000
    a, b = rng.integers(0, 3, (2, n))
    X = np.column_stack([a, a, b, rng.integers(0, 3, n)])  # column 1 an exact copy of 0
    y = (a + b) % 4
    sel = fastmi.MRMRSelector(2, discrete_features=True, random_state=0).fit(X, y)
    assert sel.relevance_.tolist() == fastmi.mutual_info_classif(X, y, discrete_features=True).tolist()
    assert sel.selected_.tolist() in ([0, 2], [2, 0])
    red = fastmi.mutual_info_score(X[:, sel.selected_[1]], X[:, sel.selected_[0]])
    assert sel.scores_[1] == pytest.approx(sel.relevance_[sel.selected_[1]] - red, rel=1e-12)
    jmi = fastmi.MRMRSelector(2, criterion="jmi", discrete_features=True).fit(X, y)
    # I(a, b; y) is all of H(y); I(a, a; y) only I(a; y): never both copies of a
    assert sorted(jmi.selected_.tolist()) == [0, 2]


def test_n_jobs_identical(rng):
    X, a, b, c = _features(rng, 5000)
    y = (a + b > 0).astype(int)
    ref = fastmi.MRMRSelector(4, random_state=0, n_jobs=1).fit(X, y)
    for n_jobs in (2, -1):
        got = fastmi.MRMRSelector(4, random_state=0, n_jobs=n_jobs).fit(X, y)
        assert np.array_equal(got.selected_, ref.selected_) and np.array_equal(got.scores_, ref.scores_)


def test_pipeline_clone_set_output(rng):
    pd = pytest.importorskip("pandas")
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X, a, b, c = _features(rng, 600)
    y = (a + b > 0).astype(int)
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    sel = fastmi.MRMRSelector(2, random_state=0)
    pipe = make_pipeline(sel, LogisticRegression()).fit(df, y)
    assert pipe.score(df, y) > 0.9
    fitted = pipe[0]
    assert fitted.get_support().sum() == 2
    assert list(fitted.get_feature_names_out()) == [f"f{i}" for i in sorted(fitted.selected_)]
    copy = clone(sel)
    assert copy.get_params() == sel.get_params() and not hasattr(copy, "selected_")
    out = fastmi.MRMRSelector(2, random_state=0).set_output(transform="pandas").fit(df, y).transform(df)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list(fitted.get_feature_names_out())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_check_estimator():
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(fastmi.MRMRSelector(1, random_state=0), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])) for r in results if r["status"] == "failed"]
    assert failed == []


def test_import_fastmi_does_not_import_sklearn():
    code = (
        "import sys, fastmi; assert 'sklearn' not in sys.modules; "
        "fastmi.MRMRSelector; assert 'sklearn' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "params, data, exc, match",
    [
        ({"n_features_to_select": 9}, None, ValueError, r"n_features_to_select must be in \[1, n_features = 8\]"),
        ({"n_features_to_select": 0}, None, ValueError, "n_features_to_select"),
        ({"n_features_to_select": 2.0}, None, TypeError, "n_features_to_select must be an integer"),
        ({"criterion": "mrmr"}, None, ValueError, "criterion"),
        ({"n_neighbors": 0}, None, ValueError, "n_neighbors"),
        ({}, "nan_y", ValueError, "y contains NaN"),
        ({}, "nan_X", ValueError, "X contains NaN"),
        ({"criterion": "jmi", "discrete_features": [1]}, None, ValueError, "every feature continuous"),
    ],
)
def test_errors(params, data, exc, match, rng):
    X = rng.standard_normal((50, 8))
    y = rng.standard_normal(50)
    if data == "nan_y":
        y[3] = np.nan
    if data == "nan_X":
        X[3, 3] = np.nan
    with pytest.raises(exc, match=match):
        fastmi.MRMRSelector(**{"n_features_to_select": 3, **params}).fit(X, y)


@pytest.mark.parametrize("missing", ["None", "nan", "pd.NA"])
def test_missing_labels_named(missing, rng):
    # text labels with a missing value: type_of_target failed on them with a bare TypeError
    # ("'<' not supported between 'NoneType' and 'str'", "boolean value of NA is ambiguous")
    pd = pytest.importorskip("pandas")
    X = rng.standard_normal((50, 4))
    y = np.array(["a", "b"] * 25, dtype=object)
    y[4] = {"None": None, "nan": np.nan, "pd.NA": pd.NA}[missing]
    with pytest.raises(fastmi.exceptions.InvalidParameterError, match=r"^y contains .* at row 4; every sample "
                                                                       r"must have a label"):
        fastmi.MRMRSelector(2).fit(X, y)
    with pytest.raises(fastmi.exceptions.InvalidParameterError, match="at row 4"):
        fastmi.MRMRSelector(2).fit(X, pd.Series(y, dtype="string" if missing != "nan" else object))
    with pytest.raises(fastmi.exceptions.InvalidParameterError, match="at row 4"):
        fastmi.MRMRSelector(2).fit(X, y.reshape(-1, 1))  # a column, as scikit-learn takes it


def test_lazy_evaluation_skips_hopeless_candidates(rng, monkeypatch):
    from fastmi import mrmr

    X, a, b, c = _features(rng, 1000)
    X = np.column_stack([X, rng.standard_normal((1000, 12))])  # many irrelevant features
    y = (a + b + 0.5 * c > 0).astype(int)
    pairs = []
    original = mrmr._Data.redundancy_pairs

    def counting(self, fs, ss):
        pairs.extend(zip(fs.tolist(), ss.tolist()))
        return original(self, fs, ss)

    monkeypatch.setattr(mrmr._Data, "redundancy_pairs", counting)
    sel = fastmi.MRMRSelector(4, random_state=2).fit(X, y)
    want_sel, want_scores, _ = _reference_greedy(X, y, 4, "mid", 2)
    assert np.array_equal(sel.selected_, want_sel) and np.allclose(sel.scores_, want_scores, rtol=1e-12, atol=0)
    eager = sum(X.shape[1] - t for t in range(1, 4))  # every candidate against every new pick
    assert len(set(pairs)) == len(pairs) and len(pairs) < eager / 2
