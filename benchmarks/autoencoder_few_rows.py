"""Autoencoder on tables with fewer than 100 training rows: does its PCA start still do no harm?

The panel's and the carry-over's tables all have at least 103 training rows,
enough for ``early_stopping="auto"`` to hold out 10 rows, on which the
PCA-start judge (``KeepReferenceUnlessBetter``) decides whether the trained
network beats PCA. Below 100 rows the Autoencoder now holds out 10 rows (at
most half) for the judge anyway. Here, on two smaller tables, 70/30 splits
standardised on the training part, seeds 0-2, every k in 1..5:

- ``Autoencoder(k)`` at its defaults;
- the same with ``early_stopping=False``: no held-out rows, no judge (what
  ``early_stopping="auto"`` did below 100 rows before).

Tables: a 120 × 8 ``make_classification`` table (84 training rows) and
scikit-learn's linnerud (20 rows; its 3 exercise and 3 physiological columns
together, 14 training rows).

    python benchmarks/autoencoder_few_rows.py [--jobs 2]

Writes ``results/autoencoder_few_rows.md``.
"""

import argparse
import warnings

import numpy as np
from _common import write_result
from joblib import Parallel, delayed
from sklearn.datasets import load_linnerud, make_classification
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae import Autoencoder

SEEDS = [0, 1, 2]


def tables():
    linnerud = load_linnerud()
    return {
        "make_classification 120 × 8": make_classification(120, 8, n_informative=4, random_state=0)[
            0
        ],
        "linnerud 20 × 6": np.hstack([linnerud.data, linnerud.target]).astype(float),
    }


def held_out_mse(model, X):
    return float(np.mean((model.inverse_transform(model.transform(X)) - X) ** 2))


def cell(table, k, seed):
    X = tables()[table]
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    pca_error = held_out_mse(PCA(k).fit(X_train), X_test)
    ratios = {}
    for name, early_stopping in (("default", "auto"), ("no judge", False)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # k >= n_features at linnerud k = 5
            model = Autoencoder(n_components=k, early_stopping=early_stopping, random_state=seed)
            ratios[name] = held_out_mse(model.fit(X_train), X_test) / pca_error
    return table, k, seed, ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    jobs = [(table, k, seed) for table in tables() for k in range(1, 6) for seed in SEEDS]
    cells = Parallel(n_jobs=args.jobs)(delayed(cell)(*job) for job in jobs)
    lines = [
        f"Held-out MSE over PCA(k)'s, 70/30 splits at seeds {SEEDS}, standardised; "
        "the three seeds' ratios per cell. Bar: 1.02.",
        "",
        "| table | k | default (judge on held-out rows) | early_stopping=False (no judge) |",
        "|---|---:|---:|---:|",
    ]
    for table in tables():
        for k in range(1, 6):
            rows = [c[3] for c in cells if c[0] == table and c[1] == k]
            default = ", ".join(f"{r['default']:.3f}" for r in rows)
            unjudged = ", ".join(f"{r['no judge']:.3f}" for r in rows)
            lines.append(f"| {table} | {k} | {default} | {unjudged} |")
    for name in ("default", "no judge"):
        ratios = np.array([c[3][name] for c in cells])
        lines.append("")
        lines.append(
            f"{name}: {int((ratios > 1.02).sum())} of {len(ratios)} cells over 1.02; "
            f"worst {ratios.max():.3f}."
        )
    write_result("autoencoder_few_rows", "\n".join(lines))


if __name__ == "__main__":
    main()
