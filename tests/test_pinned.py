"""Pinned values: every public estimator's result, bit for bit, on small seeded data.

The values were computed by fastmi before the restructure into one native stack
(issue 13, commit b943962) and must never change without a reason stated in the
commit that changes them: a layout change, a refactoring or a speed-up must
leave every number here identical (``float.hex`` compared with ``==``).
The cases cover every search path: 1-D KSG on strips and on the KD-tree
fallback, sorted and radix-sorted inputs, 2- to 9-D joint spaces in both
variants, the scikit-learn drop-ins with continuous, discrete and mixed
features against both kinds of target (dense and sparse), and the
contingency-table estimator.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import fastmi

sp = pytest.importorskip("scipy.sparse")


def _cases():
    """Every pinned quantity, recomputed: {name: float or list of floats}."""
    rng = np.random.default_rng(20261201)
    out = {}
    # binned
    x = rng.standard_normal(5000); y = 0.6 * x + rng.standard_normal(5000)
    out["discrete_mi/10"] = fastmi.discrete_mi(x, y)
    out["discrete_mi/(7,13)"] = fastmi.discrete_mi(x, y, bins=(7, 13))
    out["discrete_mi/edges"] = fastmi.discrete_mi(x, y, bins=np.linspace(-2, 2, 9))
    xi = rng.integers(0, 4, 3000).astype(float); yi = (xi + rng.integers(0, 2, 3000)) % 4
    out["discrete_mi/ints"] = fastmi.discrete_mi(xi, yi, bins=4)
    h = fastmi.histogram2d(x, y, bins=(5, 6))
    out["histogram2d"] = [float(v) for v in h.ravel()]
    # ksg
    for n in (300, 6000):
        a = rng.standard_normal(n); b = 0.8 * a + 0.6 * rng.standard_normal(n)
        for legacy in (False, True):
            for k in (1, 3, 10):
                out[f"ksg_mi/1d/n={n}/k={k}/legacy={legacy}"] = fastmi.ksg_mi(a, b, k, legacy=legacy)
    # 1-D with x nearly constant (KD-tree fallback of the strip search) and ties
    a = np.round(rng.standard_normal(4000), 1) * 1e-9 + 5.0; b = rng.standard_normal(4000)
    out["ksg_mi/1d/near-constant"] = fastmi.ksg_mi(a, b, 3, tie_breaking="off")  # the tied search paths
    a = rng.standard_normal(2000)
    b = a + 0.3 * rng.standard_normal(2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["ksg_mi/1d/rounded"] = fastmi.ksg_mi(np.round(a, 1), np.round(b, 1), 4, tie_breaking="off")
    for dx, dy in ((2, 1), (2, 2), (3, 1), (3, 3), (1, 4), (5, 4)):
        n = 1500
        X = rng.standard_normal((n, dx)); Y = X[:, :1] * 0.7 + rng.standard_normal((n, dy))
        for legacy in (False, True):
            out[f"ksg_mi/{dx}x{dy}/legacy={legacy}"] = fastmi.ksg_mi(X, Y, 3, legacy=legacy)
    # scikit-learn drop-ins
    n = 5000
    X = rng.standard_normal((n, 6))
    X[:, 2] = rng.integers(0, 5, n); X[:, 4] = rng.integers(0, 3, n)
    X[:, 5] = rng.integers(0, 2000, n)  # many labels, small classes
    yr = X[:, 0] + X[:, 2] + rng.standard_normal(n)
    yc = (X[:, 1] + 0.5 * X[:, 4] > 0.3).astype(int) + (X[:, 0] > 1)
    for disc in ("auto", [2, 4, 5], True):
        out[f"regression/{disc}"] = fastmi.mutual_info_regression(X, yr, discrete_features=disc, random_state=7).tolist()
        out[f"classif/{disc}"] = fastmi.mutual_info_classif(X, yc, discrete_features=disc, random_state=7, n_neighbors=4).tolist()
    out["regression/rs-instance"] = fastmi.mutual_info_regression(X[:, :3], yr, random_state=np.random.RandomState(3)).tolist()
    Xi = rng.integers(0, 3, (400, 5)) * (rng.random((400, 5)) < 0.5)
    yi = rng.integers(0, 3, 400)
    out["classif/sparse"] = fastmi.mutual_info_classif(sp.csc_matrix(Xi), yi, random_state=1).tolist()
    out["regression/sparse"] = fastmi.mutual_info_regression(sp.csc_matrix(Xi.astype(float)), yr[:400], random_state=1).tolist()
    la = rng.integers(0, 7, 3000); lb = (la + rng.integers(0, 3, 3000)) % 5
    out["mutual_info_score/labels"] = fastmi.mutual_info_score(la, lb)
    out["mutual_info_score/strings"] = fastmi.mutual_info_score([str(v) for v in la[:500]], lb[:500])
    table = np.histogram2d(la, lb, bins=(7, 5))[0].astype(int)
    out["mutual_info_score/contingency"] = fastmi.mutual_info_score(None, None, contingency=table)
    out["mutual_info_score/sparse-contingency"] = fastmi.mutual_info_score(None, None, contingency=sp.csr_matrix(table))
    for task, target in (("classification", yc), ("regression", yr)):
        top, scores = fastmi.mi_feature_selection(X[:2000], target[:2000], 3, task=task)
        out[f"mi_feature_selection/{task}"] = [float(v) for v in top] + scores.tolist()
    out.update(_toolkit_cases())
    return out


def _toolkit_cases():
    """The information toolkit (issue 15), on its own generator: entropy, conditional MI,
    KSG algorithm 2 and the joint-pmf measures, over every search path they take."""
    rng = np.random.default_rng(20261215)
    out = {}
    x1 = rng.standard_normal(6000)
    out["entropy/kl/1d"] = fastmi.entropy(x1)
    out["entropy/kl/1d/k=20"] = fastmi.entropy(x1, k=20)
    out["entropy/kl/2d"] = fastmi.entropy(rng.standard_normal((3000, 2)))
    out["entropy/kl/3d"] = fastmi.entropy(rng.standard_normal((3000, 3)))
    X = rng.standard_normal((3000, 2))
    out["entropy/binned"] = fastmi.entropy(X, method="binned", bins=[6, np.linspace(-2, 2, 5)])
    out["entropy/miller_madow"] = fastmi.entropy(X, method="miller_madow", bins=7)
    out["entropy/discrete"] = fastmi.entropy(np.round(X), method="discrete")
    z = rng.standard_normal(5000)
    a = z + rng.standard_normal(5000)
    b = 0.5 * a + z + rng.standard_normal(5000)
    out["conditional_mi/ksg/1d"] = fastmi.conditional_mi(a, b, z, k=5)
    out["conditional_mi/ksg/2x1x2"] = fastmi.conditional_mi(
        np.column_stack([a, rng.standard_normal(5000)]), b, np.column_stack([z, z ** 2]), k=3)
    out["conditional_mi/binned"] = fastmi.conditional_mi(a, b, z, method="binned", bins=6)
    out["conditional_mi/discrete"] = fastmi.conditional_mi(np.round(a), np.round(b), np.round(z), method="discrete")
    out["ksg_mi/algorithm=2/1x1"] = fastmi.ksg_mi(a, b, 3, algorithm=2)
    out["ksg_mi/algorithm=2/2x2"] = fastmi.ksg_mi(np.column_stack([a, z]), np.column_stack([b, z ** 2]), 4, algorithm=2)
    info = fastmi.info_from_pmf([[0.4, 0.1], [0.1, 0.4]])
    out["info_from_pmf/chapter"] = [info.entropy_x, info.entropy_y, info.joint_entropy, info.conditional_entropy_x,
                                    info.conditional_entropy_y, info.mutual_info, info.normalized_mi]
    return out


def _hexed(v):
    return [float(t).hex() for t in v] if isinstance(v, list) else float(v).hex()


PINNED = {
    'discrete_mi/10': '0x1.ad2c898b5714cp-3',
    'discrete_mi/(7,13)': '0x1.a2b3f5da3fe47p-3',
    'discrete_mi/edges': '0x1.252799bf0017ap-3',
    'discrete_mi/ints': '0x1.ffec28b03d54ap-1',
    'histogram2d': [
        '0x1.0000000000000p+2', '0x1.6000000000000p+4', '0x1.5000000000000p+4',
        '0x1.0000000000000p+2', '0x0.0p+0', '0x0.0p+0',
        '0x1.a000000000000p+3', '0x1.fc00000000000p+7', '0x1.0880000000000p+9',
        '0x1.6000000000000p+7', '0x1.6000000000000p+3', '0x0.0p+0',
        '0x1.8000000000000p+1', '0x1.c400000000000p+7', '0x1.5780000000000p+10',
        '0x1.0f00000000000p+10', '0x1.4000000000000p+7', '0x1.4000000000000p+2',
        '0x0.0p+0', '0x1.0000000000000p+4', '0x1.0700000000000p+8',
        '0x1.2600000000000p+9', '0x1.6c00000000000p+7', '0x1.a000000000000p+3',
        '0x0.0p+0', '0x0.0p+0', '0x1.0000000000000p+0',
        '0x1.7000000000000p+4', '0x1.7000000000000p+4', '0x1.4000000000000p+2',
    ],
    'ksg_mi/1d/n=300/k=1/legacy=False': '0x1.2fcac64df06adp-1',
    'ksg_mi/1d/n=300/k=3/legacy=False': '0x1.94b89f7d87eadp-1',
    'ksg_mi/1d/n=300/k=10/legacy=False': '0x1.849c34fe68540p-1',
    'ksg_mi/1d/n=300/k=1/legacy=True': '0x1.a869a62a7866cp-5',
    'ksg_mi/1d/n=300/k=3/legacy=True': '0x1.76b08a4132c48p-2',
    'ksg_mi/1d/n=300/k=10/legacy=True': '0x1.75774d7e66de0p-2',
    'ksg_mi/1d/n=6000/k=1/legacy=False': '0x1.7a8e7e0e86dc1p-1',
    'ksg_mi/1d/n=6000/k=3/legacy=False': '0x1.7c553c0c0e550p-1',
    'ksg_mi/1d/n=6000/k=10/legacy=False': '0x1.80582ff077cd2p-1',
    'ksg_mi/1d/n=6000/k=1/legacy=True': '0x1.62ff67d106315p-2',
    'ksg_mi/1d/n=6000/k=3/legacy=True': '0x1.876cfa1d14c9fp-2',
    'ksg_mi/1d/n=6000/k=10/legacy=True': '0x1.8bb96c09717e4p-2',
    'ksg_mi/1d/near-constant': '0x0.0p+0',
    'ksg_mi/1d/rounded': '0x1.5f44c70243bdep+0',
    # multivariate KSG: per-sample terms summed by sample index (tests/test_sum_order.py), not in
    # the count trees' leaf order; only 2x1 equals the value pinned before the restructure
    'ksg_mi/2x1/legacy=False': '0x1.4ba4ba51829a0p-2',
    'ksg_mi/2x1/legacy=True': '0x0.0p+0',
    'ksg_mi/2x2/legacy=False': '0x1.f7d74195cf9b2p-2',
    'ksg_mi/2x2/legacy=True': '0x0.0p+0',
    'ksg_mi/3x1/legacy=False': '0x1.37ed2728fbb4ep-2',
    'ksg_mi/3x1/legacy=True': '0x0.0p+0',
    'ksg_mi/3x3/legacy=False': '0x1.3d5067a4f6041p-1',
    'ksg_mi/3x3/legacy=True': '0x0.0p+0',
    'ksg_mi/1x4/legacy=False': '0x1.607ebc75b640dp-1',
    'ksg_mi/1x4/legacy=True': '0x0.0p+0',
    'ksg_mi/5x4/legacy=False': '0x1.326830f0cdaf4p-1',
    'ksg_mi/5x4/legacy=True': '0x0.0p+0',
    'regression/auto': [
        '0x1.23d44794fbb20p-3', '0x0.0p+0', '0x1.497d0f5107d48p-2',
        '0x0.0p+0', '0x0.0p+0', '0x1.51338b6ca8a00p-7',
    ],
    'classif/auto': [
        '0x1.f38972d7e9058p-3', '0x1.4374ea32ffd84p-2', '0x0.0p+0',
        '0x0.0p+0', '0x1.24392c0d4b680p-5', '0x1.20f3679822100p-7',
    ],
    'regression/[2, 4, 5]': [
        '0x1.23d44794fbb20p-3', '0x0.0p+0', '0x1.497a4f9e0ca18p-2',
        '0x0.0p+0', '0x0.0p+0', '0x1.b4f71bcd0bc00p-6',
    ],
    'classif/[2, 4, 5]': [
        '0x1.f38972d7e9058p-3', '0x1.4374ea32ffd84p-2', '0x1.3daee67d5ff00p-11',
        '0x0.0p+0', '0x1.53ad21e3cb1acp-5', '0x1.8be911512b9a2p-2',
    ],
    'regression/True': [
        '0x0.0p+0', '0x0.0p+0', '0x1.497a4f9e0ca18p-2',
        '0x0.0p+0', '0x0.0p+0', '0x1.b4f71bcd0bc00p-6',
    ],
    'classif/True': [
        '0x1.d8dd5efb89b08p-1', '0x1.d8dd5efb89b08p-1', '0x1.3daee67d5ff00p-11',
        '0x1.d8dd5efb89b07p-1', '0x1.53ad21e3cb1acp-5', '0x1.8be911512b9a2p-2',
    ],
    'regression/rs-instance': [
        '0x1.23d44794fbb20p-3', '0x0.0p+0', '0x1.495b3c86c7348p-2',
    ],
    'classif/sparse': [
        '0x1.369005c486640p-8', '0x1.fba8ce2848440p-10', '0x1.29ac882b4d6d0p-8',
        '0x1.88fc5ca055200p-11', '0x1.b30b0a5c78800p-9',
    ],
    'regression/sparse': [
        '0x1.b23d1830ff180p-5', '0x0.0p+0', '0x0.0p+0',
        '0x1.8d534458c1a80p-7', '0x1.057a242577b40p-4',
    ],
    'mutual_info_score/labels': '0x1.faca8f369e077p-2',
    'mutual_info_score/strings': '0x1.00378c299e0dbp-1',
    'mutual_info_score/contingency': '0x1.faca8f369e077p-2',
    'mutual_info_score/sparse-contingency': '0x1.faca8f369e077p-2',
    'mi_feature_selection/classification': [
        '0x1.0000000000000p+0', '0x0.0p+0', '0x1.0000000000000p+2',
        '0x1.3198d4aa2e1b8p-2', '0x1.cd3d94e565810p-3', '0x1.6071bd74115a0p-5',
    ],
    'mi_feature_selection/regression': [
        '0x1.0000000000000p+1', '0x0.0p+0', '0x1.4000000000000p+2',
        '0x1.4171c130f2438p-2', '0x1.30a526bf17da0p-3', '0x1.31509d63fc100p-6',
    ],
    # the information toolkit (issue 15), pinned when it was added
    'entropy/kl/1d': '0x1.06f8854019d93p+1',
    'entropy/kl/1d/k=20': '0x1.0635dc7305d87p+1',
    'entropy/kl/2d': '0x1.0354b50a504b2p+2',
    'entropy/kl/3d': '0x1.888506fd60a68p+2',
    'entropy/binned': '0x1.e56256505a9a9p+1',
    'entropy/miller_madow': '0x1.06a06e268c2a8p+2',
    'entropy/discrete': '0x1.0d2ce59705190p+2',
    'conditional_mi/ksg/1d': '0x1.2c9c8770db1eap-3',
    'conditional_mi/ksg/2x1x2': '0x1.3a5e6d1c3884fp-3',
    'conditional_mi/binned': '0x1.023c3de94ee2bp-3',
    'conditional_mi/discrete': '0x1.90575d602e499p-3',
    'ksg_mi/algorithm=2/1x1': '0x1.2b12f239c0823p-1',
    'ksg_mi/algorithm=2/2x2': '0x1.680670f5757d0p+1',
    'info_from_pmf/chapter': [
        '0x1.0000000000000p+0',
        '0x1.0000000000000p+0',
        '0x1.b8d047959ad4ap+0',
        '0x1.71a08f2b35a94p-1',
        '0x1.71a08f2b35a94p-1',
        '0x1.1cbee1a994adep-2',
        '0x1.1cbee1a994adep-2',
    ],
}


@pytest.fixture(scope="module")
def computed():
    return {name: _hexed(value) for name, value in _cases().items()}


def test_every_case_is_pinned(computed):
    assert sorted(computed) == sorted(PINNED)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned(computed, name):
    assert computed[name] == PINNED[name]
