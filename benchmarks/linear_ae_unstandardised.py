"""LinearAE on tables a new user may not standardise: does it still find PCA, and does it say so?

The panel's bars (``defaults_panel.py``, ``defaults_carry_over.py``) are measured
on standardised tables. ``load_wine()`` and ``load_breast_cancer()`` as they come
hold features on scales from 1e-3 to 1e3, and PCA on them is well defined (the
answer a PCA user gets without a scaler). Their principal variances past the
first few are 1e-4 of the first, so gradient steps sized for the first
direction barely turn the code towards the later ones.

For each table and k in 1..5, at seeds 0-2 (70/30 splits, not standardised):
``LinearAE(k)`` at its defaults against ``PCA(k)``: held-out MSE ratio, largest
principal angle, ``pca_error_ratio_`` (the training error over PCA's), the
steps taken and whether ``fit`` warned (``ConvergenceWarning``). At its
defaults a fit still short of PCA's error continues with further budgets;
the same fit stopped after one budget (``max_steps=4000``, what the defaults
did before) is the second arm. Then the cells that one budget leaves short,
again standardised.

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
ONE_BUDGET = 4_000  # the step budget's floor, which every table here gets


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
        "steps": sum(len(epoch["batches"]) for epoch in model.history_),
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
    run = Parallel(n_jobs=args.jobs)
    cells = run(delayed(cell)(*job) for job in jobs)
    once = run(delayed(cell)(*job, max_steps=ONE_BUDGET) for job in jobs)

    def over(c):
        return c["ratio"] > 1.02 or c["angle"] > 10

    lines = [
        f"Unstandardised 70/30 splits at seeds {args.seeds}; `LinearAE(n_components=k, "
        "random_state=seed)`, nothing else set. Bars of the standardised panel: held-out "
        "MSE within 1.02x of PCA's and 10° of its subspace. 'training ratio': "
        "`pca_error_ratio_`; 'warned': cells where `fit` raised a `ConvergenceWarning`; "
        f"'one budget': the same fit with `max_steps={ONE_BUDGET}`.",
        "",
        "| table | k | worst held-out ratio | largest angle (°) | worst training ratio "
        "| seeds warned | seeds over a bar | mean steps | mean fit (s) "
        "| one budget: worst held-out ratio | one budget: seeds over a bar |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for table in TABLES:
        for k in range(1, 6):
            rows = [c for c in cells if c["table"] == table and c["k"] == k]
            short = [c for c in once if c["table"] == table and c["k"] == k]
            if not rows:
                continue
            lines.append(
                f"| {table} | {k} | {max(c['ratio'] for c in rows):.3f} "
                f"| {max(c['angle'] for c in rows):.1f} "
                f"| {max(c['training ratio'] for c in rows):.3f} "
                f"| {sum(c['warned'] for c in rows)} of {len(rows)} "
                f"| {sum(map(over, rows))} of {len(rows)} "
                f"| {np.mean([c['steps'] for c in rows]):.0f} "
                f"| {np.mean([c['seconds'] for c in rows]):.1f} "
                f"| {max(c['ratio'] for c in short):.3f} "
                f"| {sum(map(over, short))} of {len(short)} |"
            )
    missed = [c for c in once if over(c)]
    agree = sum(over(c) == c["warned"] for c in once)
    lines += [
        "",
        f"At the defaults {sum(map(over, cells))} of {len(cells)} cells miss a bar "
        f"({sum(c['warned'] for c in cells)} warned); after one budget "
        f"{len(missed)} of {len(once)} do, and there the warning and a missed bar agree "
        f"in {agree} of {len(once)} cells.",
        "",
        "## The cells one budget leaves short: at the defaults, and standardised",
        "",
        "| table | k | seed | one budget: held-out ratio, angle | defaults: held-out ratio, "
        "angle (steps, seconds) | standardised (its own PCA) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    standardised = run(delayed(cell)(c["table"], c["k"], c["seed"], True) for c in missed)
    for c, scaled in zip(missed, standardised, strict=True):
        default = next(
            d for d in cells if (d["table"], d["k"], d["seed"]) == (c["table"], c["k"], c["seed"])
        )
        lines.append(
            f"| {c['table']} | {c['k']} | {c['seed']} | {c['ratio']:.3f}, {c['angle']:.1f}° "
            f"| {default['ratio']:.3f}, {default['angle']:.1f}° ({default['steps']}, "
            f"{default['seconds']:.0f} s) | {scaled['ratio']:.3f}, {scaled['angle']:.1f}° |"
        )
    write_result("linear_ae_unstandardised", "\n".join(lines))


if __name__ == "__main__":
    main()
