"""
mRMR against relevance ranking
==============================

Ranking features by their mutual information with the target (their
*relevance*) and keeping the top few is the simplest MI feature selection,
and it fails on redundant features: a near-copy of a good feature is just as
relevant as the original, so the top of the ranking fills up with copies of
one signal. Minimum-redundancy maximum-relevance (mRMR, Peng, Long and Ding
2005) picks greedily instead: each next feature maximises its relevance
minus its mean MI with the features already picked (``criterion="mid"``),
so a copy of a picked feature scores about zero.

The data: a class label that depends on three independent signals ``a``,
``b`` and ``c`` (``a`` the strongest), each present in the table as three
near-copies (the signal plus 1 % noise), and six pure-noise features.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

import fastmi

rng = np.random.default_rng(0)
n = 1000
# the weight of each signal in the label
weights = {"a": 1.0, "b": 0.7, "c": 0.5}
signals = {name: rng.standard_normal(n) for name in weights}
columns, names = [], []
for name, s in signals.items():
    for copy in range(3):
        columns.append(s + 0.01 * rng.standard_normal(n))
        names.append(f"{name}{copy + 1}")
for j in range(6):
    columns.append(rng.standard_normal(n))
    names.append(f"noise{j + 1}")
X = np.column_stack(columns)
logit = sum(weights[name] * s for name, s in signals.items())
y = (logit + 0.5 * rng.standard_normal(n) > 0).astype(int)

n_select = 3

# %%
# Relevance ranking and mRMR
# --------------------------
# :func:`fastmi.mutual_info_classif` is scikit-learn's estimator (Ross's,
# for continuous features against a class label), in nats. The selector's
# ``relevance_`` is exactly that, with the same ``random_state``.
relevance = fastmi.mutual_info_classif(X, y, random_state=0)
by_relevance = np.argsort(-relevance, kind="stable")[:n_select]

selector = fastmi.MRMRSelector(n_features_to_select=n_select,
                               random_state=0)
selector.fit(X, y)
by_mrmr = selector.selected_
assert np.array_equal(selector.relevance_, relevance)

print("relevance ranking picks:", [names[i] for i in by_relevance])
print("mRMR picks:             ", [names[i] for i in by_mrmr])
# each pick's score: relevance minus mean redundancy, nats
print("mRMR scores:", np.round(selector.scores_, 3))

# %%
# The relevance of every feature, and what each method picked
# -----------------------------------------------------------
# The copies of ``a`` are the three most relevant features, so ranking
# picks all three and never sees ``b`` or ``c``; mRMR picks one copy of each
# signal (which copy is a coin toss: their relevances differ by noise).
fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
colors = ["C0"] * 3 + ["C1"] * 3 + ["C2"] * 3 + ["0.6"] * 6
x = np.arange(len(names))
ax.bar(x, relevance, color=colors)
top = relevance.max()
ranking = dict(marker="v", color="k", ms=9, ls="none")
mrmr = dict(marker="o", mfc="none", mec="C3", mew=2, ms=10,
            ls="none")
for picks, style, lift, color in ((by_relevance, ranking, 0.06, "k"),
                                  (by_mrmr, mrmr, 0.16, "C3")):
    for rank, i in enumerate(picks, start=1):
        at = (i, relevance[i] + lift * top)
        ax.plot(*at, **style)
        ax.annotate(str(rank), at, xytext=(8, -4), fontsize=9,
                    textcoords="offset points", color=color)
ax.plot([], [], **ranking, label=f"relevance ranking, top {n_select}")
ax.plot([], [], **mrmr,
        label=f"mRMR (criterion='mid'), {n_select} picks")
ax.set_xticks(x, names, rotation=45, ha="right")
ax.set_ylabel("relevance I(feature; label) (nats)")
ax.set_ylim(0, 1.3 * top)
ax.set_title("Three signals, three near-copies of each, "
             "six noise features")
ax.legend(loc="upper right")
plt.show()

# %%
# Why: the copies are redundant
# -----------------------------
# :func:`fastmi.pairwise_mi` gives the MI (KSG, bits) between every pair of
# features; the 3 x 3 blocks of copies stand out. Its diagonal is NaN: the
# MI of a continuous variable with itself is infinite.
M = fastmi.pairwise_mi(X)
fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
image = ax.imshow(M, cmap="viridis")
ax.set_xticks(x, names, rotation=90)
ax.set_yticks(x, names)
fig.colorbar(image, ax=ax, label="I(feature i; feature j) (bits)")
ax.set_title("pairwise_mi: MI between features")
plt.show()

# %%
# What it is worth to a classifier
# --------------------------------
# A logistic regression on three copies of ``a`` knows only ``a``; on the
# mRMR picks it sees all three signals.
model = LogisticRegression()
for label, picked in (("relevance ranking", by_relevance),
                      ("mRMR", by_mrmr)):
    accuracy = cross_val_score(model, X[:, picked], y, cv=5).mean()
    print(f"{label:>17}: 5-fold accuracy {accuracy:.3f}")
