"""
A conditional-independence test
===============================

Two variables can be dependent and yet independent *given* a third, and the
other way round. Two Gaussian structures with the same three variables:

- **chain** ``X -> Z -> Y``: ``Z = X + noise``, ``Y = Z + noise``. X and Y
  are dependent (:math:`I(X;Y) = -\\tfrac12\\log_2(2/3) = 0.292` bits), but
  all X says about Y passes through Z: :math:`I(X;Y \\mid Z) = 0`.
- **collider** ``X -> Z <- Y``: X and Y independent, ``Z = X + Y + noise``.
  Now :math:`I(X;Y) = 0`, but knowing Z couples them (given Z, a large X
  means a small Y): their partial correlation is -1/2 and
  :math:`I(X;Y \\mid Z) = -\\tfrac12\\log_2(3/4) = 0.208` bits.

:func:`fastmi.mi_test` tests both hypotheses by permutation. Without ``z``
its statistic is the KSG estimate of I(X;Y) and its null distribution that
estimate with y shuffled. With ``z`` the statistic is the Frenzel-Pompe
estimate of I(X;Y|Z) (:func:`fastmi.conditional_mi`), and a plain shuffle
of y would draw from the wrong null: it breaks the dependence of Y on Z as
well, while the null of conditional independence keeps it (and the
estimator's bias depends on it). Runge's *local* permutation (2018) keeps
it: every sample gets the y of one of its ``shuffle_neighbors`` nearest
neighbours in z.
"""

import matplotlib.pyplot as plt
import numpy as np

import fastmi

rng = np.random.default_rng(0)


def chain(n):
    x = rng.standard_normal(n)
    z = x + rng.standard_normal(n)
    y = z + rng.standard_normal(n)
    return x, y, z


def collider(n):
    x = rng.standard_normal(n)
    y = rng.standard_normal(n)
    z = x + y + rng.standard_normal(n)
    return x, y, z


structures = {
    "chain X -> Z -> Y": chain,
    "collider X -> Z <- Y": collider,
}
truth = {  # (I(X;Y), I(X;Y|Z)) in bits
    "chain X -> Z -> Y": (-0.5 * np.log2(2 / 3), 0.0),
    "collider X -> Z <- Y": (0.0, -0.5 * np.log2(3 / 4)),
}

# %%
# The tests
# ---------
# 500 samples and 500 permutations per test: a p-value cannot be below
# 1/501 = 0.002.
n, n_permutations = 500, 500
results = {}
for name, draw in structures.items():
    x, y, z = draw(n)
    results[name] = (
        fastmi.mi_test(x, y, n_permutations=n_permutations,
                       random_state=0),
        fastmi.mi_test(x, y, z, n_permutations=n_permutations,
                       random_state=0),
    )
    for test, result in zip(("X, Y", "X, Y | Z"), results[name]):
        print(f"{name:>21}  {test:<9} "
              f"statistic {result.statistic:+.3f} bits, "
              f"p = {result.pvalue:.3f}")

# %%
# Null distributions and statistics
# ---------------------------------
# Each panel: the histogram of the estimate on the permuted data sets (the
# null distribution) and, in red, the estimate on the data. The p-value is
# the fraction of the null at or above the red line (plus one, over
# ``n_permutations`` plus one).
fig, axes = plt.subplots(2, 2, figsize=(9, 6), layout="constrained")
for row, (name, tests) in zip(axes, results.items()):
    for ax, result, label in zip(row, tests, ("I(X;Y)", "I(X;Y|Z)")):
        ax.hist(result.null_distribution, bins=30, color="0.65",
                label="null")
        ax.axvline(result.statistic, color="C3", lw=2,
                   label="statistic")
        ax.set_title(f"{name}: {label}, p = {result.pvalue:.3f}",
                     fontsize=10)
        ax.set_xlabel(f"KSG estimate of {label} (bits)")
axes[0, 0].legend()
fig.suptitle(f"mi_test, n = {n}, {n_permutations} permutations")
plt.show()

# %%
# Estimates against the truth
# ---------------------------
# The estimators themselves on 5000 samples: :func:`fastmi.ksg_mi` for
# I(X;Y), :func:`fastmi.conditional_mi` for I(X;Y|Z). ``conditional_mi``
# is not clipped at 0: under conditional independence it scatters around
# 0, as it must for the permutation test.
print("estimate / truth, bits")
print(f"{'':>21}  {'I(X;Y)':>15}  {'I(X;Y|Z)':>15}")
for name, draw in structures.items():
    x, y, z = draw(5000)
    mi, cmi = fastmi.ksg_mi(x, y), fastmi.conditional_mi(x, y, z)
    t_mi, t_cmi = truth[name]
    print(f"{name:>21}  {mi:+.3f} / {t_mi:.3f}"
          f"  {cmi:+.3f} / {t_cmi:.3f}")
