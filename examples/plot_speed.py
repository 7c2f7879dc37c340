"""
Speed against the number of samples
===================================

Time to estimate the MI of one Gaussian pair with KSG (``k=3``), by
:func:`fastmi.ksg_mi` and scikit-learn's
``sklearn.feature_selection.mutual_info_regression`` (one feature), and
time to score 10 features against a class label with
:func:`fastmi.mutual_info_classif` and scikit-learn's function of the same
name. The sizes are kept small so that this page builds quickly; the
:doc:`/performance` page has the full benchmark, up to 10 million samples.

Times are the best of several runs (seven for fastmi, three for the slower
scikit-learn) on the machine that built this page, with fastmi on all its
cores (``n_jobs=None``) and scikit-learn with its defaults.
Both give the same numbers: the script checks that too.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn import feature_selection as skfs

import fastmi


def best_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


rng = np.random.default_rng(0)
sizes = [1_000, 3_000, 10_000, 30_000]
rows = []
for n in sizes:
    x = rng.standard_normal(n)
    y = 0.8 * x + 0.6 * rng.standard_normal(n)
    X = x.reshape(-1, 1)
    t_fm, v_fm = best_time(
        lambda: fastmi.mutual_info_regression(X, y, random_state=0), 7
    )
    t_sk, v_sk = best_time(
        lambda: skfs.mutual_info_regression(X, y, random_state=0), 3
    )
    assert np.array_equal(v_fm, v_sk), (v_fm, v_sk)
    t_ksg, _ = best_time(lambda: fastmi.ksg_mi(x, y), 7)

    labels = rng.integers(0, 3, n)
    shift = labels[:, None] * np.linspace(0, 1, 10)
    F = rng.standard_normal((n, 10)) + shift
    t_fc, c_fm = best_time(
        lambda: fastmi.mutual_info_classif(F, labels, random_state=0), 7
    )
    t_sc, c_sk = best_time(
        lambda: skfs.mutual_info_classif(F, labels, random_state=0), 3
    )
    assert np.allclose(c_fm, c_sk, rtol=0, atol=1e-10), (c_fm, c_sk)
    rows.append((n, t_ksg, t_fm, t_sk, t_fc, t_sc))

n, t_ksg, t_fm, t_sk, t_fc, t_sc = map(np.array, zip(*rows))

# %%
# Time against n
# --------------
fig, (ax1, ax2) = plt.subplots(
    1, 2, figsize=(9, 4), layout="constrained"
)
ax1.loglog(n, t_sk, "s-", label="scikit-learn mutual_info_regression")
ax1.loglog(n, t_fm, "o-", label="fastmi.mutual_info_regression")
ax1.loglog(n, t_ksg, "^--", label="fastmi.ksg_mi")
ax1.set_title("one continuous pair, KSG k=3")
ax2.loglog(n, t_sc, "s-", label="scikit-learn mutual_info_classif")
ax2.loglog(n, t_fc, "o-", label="fastmi.mutual_info_classif")
ax2.set_title("10 features against 3 classes")
for ax in (ax1, ax2):
    ax.set_xlabel("number of samples n")
    ax.set_ylabel("time (s), best of several runs")
    ax.legend(fontsize="small")
plt.show()

# %%
# Speedups
# --------
# How many times faster fastmi is than scikit-learn, per function and n.
print(f"{'n':>6} {'regression':>11} {'classif':>11}")
for size, _, fm, sk, fc, sc in rows:
    print(f"{size:>6} {sk / fm:>10.1f}x {sc / fc:>10.1f}x")
