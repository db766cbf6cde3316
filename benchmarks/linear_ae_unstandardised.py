"""LinearAE on tables a new user may not standardise: does it still find PCA, and does it say so?

The panel's bars (``defaults_panel.py``, ``defaults_carry_over.py``) are measured
on standardised tables. ``load_wine()`` and ``load_breast_cancer()`` as they come
hold features on scales from 1e-3 to 1e3, and PCA on them is well defined (the
answer a PCA user gets without a scaler). Their principal variances past the
first few are 1e-4 of the first, so gradient steps sized for the first
direction barely turn the code towards the later ones.

For each table and k in 1..5, at seeds 0-2 (70/30 splits, not standardised):
``LinearAE(k)`` at its defaults against ``PCA(k)``: held-out MSE ratio, largest
principal angle, ``pca_error_ratio_`` (the training error over PCA's) and
whether ``fit`` warned (``ConvergenceWarning``). Then the worst cells again
with ten times the step budget (``max_steps=40000``) and standardised.

    python benchmarks/linear_ae_unstandardised.py [--seeds 0 1 2] [--jobs 2]

Writes ``results/linear_ae_unstandardised.md``.
"""

import argparse
import time
import warnings

import numpy as np
from _common import write_result
from defaults_panel import largest_angle
from joblib import Parallel, delayed
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae import LinearAE

TABLES = {
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "iris": load_iris,
    "digits": load_digits,
}
LONGER = 40_000  # ten times the default budget's 4,000 steps on these tables


def held_out_mse(model, X):
    return float(np.mean((model.inverse_transform(model.transform(X)) - X) ** 2))


def cell(table, k, seed, standardise=False, max_steps="auto"):
    X, _ = TABLES[table](return_X_y=True)
    X_train, X_test = train_test_split(X.astype(np.float32), test_size=0.3, random_state=seed)
    if standardise:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    pca = PCA(k).fit(X_train)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = LinearAE(n_components=k, max_steps=max_steps, random_state=seed).fit(X_train)
    seconds = time.perf_counter() - start
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return {
        "table": table,
        "k": k,
        "seed": seed,
        "ratio": held_out_mse(model, X_test) / held_out_mse(pca, X_test),
        "angle": largest_angle(model, pca),
        "training ratio": model.pca_error_ratio_,
        "warned": warned,
        "seconds": seconds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    jobs = [
        (table, k, seed)
        for table, load in TABLES.items()
        for k in range(1, min(5, load().data.shape[1] - 1) + 1)
        for seed in args.seeds
    ]
    cells = Parallel(n_jobs=args.jobs)(delayed(cell)(*job) for job in jobs)

    lines = [
        f"Unstandardised 70/30 splits at seeds {args.seeds}; `LinearAE(n_components=k, "
        "random_state=seed)`, nothing else set. Bars of the standardised panel: held-out "
        "MSE within 1.02x of PCA's and 10° of its subspace. 'training ratio': "
        "`pca_error_ratio_`; 'warned': cells where `fit` raised a `ConvergenceWarning`.",
        "",
        "| table | k | worst held-out ratio | largest angle (°) | worst training ratio "
        "| seeds warned | seeds over a bar | mean fit (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    missed, agree = [], 0
    for table in TABLES:
        for k in range(1, 6):
            rows = [c for c in cells if c["table"] == table and c["k"] == k]
            if not rows:
                continue
            over = [c for c in rows if c["ratio"] > 1.02 or c["angle"] > 10]
            missed += over
            agree += sum((c in over) == c["warned"] for c in rows)
            lines.append(
                f"| {table} | {k} | {max(c['ratio'] for c in rows):.3f} "
                f"| {max(c['angle'] for c in rows):.1f} "
                f"| {max(c['training ratio'] for c in rows):.3f} "
                f"| {sum(c['warned'] for c in rows)} of {len(rows)} "
                f"| {len(over)} of {len(rows)} "
                f"| {np.mean([c['seconds'] for c in rows]):.1f} |"
            )
    lines += [
        "",
        f"{len(missed)} of {len(cells)} cells miss a bar; the warning and a missed bar "
        f"agree in {agree} of {len(cells)} cells.",
        "",
        "## The cells that miss, with ten times the steps and standardised",
        "",
        "| table | k | seed | default: held-out ratio, angle | max_steps=40000 "
        "| standardised (its own PCA) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    again = Parallel(n_jobs=args.jobs)(
        delayed(cell)(c["table"], c["k"], c["seed"], standardise, steps)
        for c in missed
        for standardise, steps in ((False, LONGER), (True, "auto"))
    )
    for c, longer, standardised in zip(missed, again[::2], again[1::2], strict=True):
        lines.append(
            f"| {c['table']} | {c['k']} | {c['seed']} | {c['ratio']:.3f}, {c['angle']:.1f}° "
            f"| {longer['ratio']:.3f}, {longer['angle']:.1f}° ({longer['seconds']:.0f} s) "
            f"| {standardised['ratio']:.3f}, {standardised['angle']:.1f}° |"
        )
    write_result("linear_ae_unstandardised", "\n".join(lines))


if __name__ == "__main__":
    main()
