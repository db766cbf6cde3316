"""Do the defaults carry over? The defaults panel's bars on tables it was never run on.

``defaults_panel.py`` judges the defaults on scikit-learn's bundled sets; the
defaults were chosen with those in view. Here the same bars meet eight other
real tables, the ODDS sets of ``../shared/data/odds`` (glass 214×9 to musk
3062×166; each holds a few outliers, as real tables do), with nothing set per
table:

1. **Reconstruction.** 70/30 splits at seeds 0-2, standardised on the
   training part, every k in 1..5: ``LinearAE(k)`` against ``PCA(k)`` (held-out
   MSE ratio, bar 1.02; largest principal angle, bar 10°) and
   ``Autoencoder(k)`` (ratio, bar 1.02). For the Autoencoder's worst cell the
   table also gives the median over held-out rows of the per-row error ratio,
   and how much of its excess error over PCA the single worst row holds: a
   mean squared error is dominated by the rows farthest from the training
   data, where a curved surface can lie farther from a row than PCA's plane.
2. **The design card's pipeline.** ``Pipeline([("ae", SparseAE()), ("clf",
   LogisticRegression())])`` after a ``StandardScaler``, 5-fold CV, against
   raw features and the PCA pipeline, 3 draws: on iris (the one
   bundled classification table the panel leaves out) and on the two ODDS
   sets that are classic classification tables (ionosphere: good against bad
   radar returns; pima: diabetes). The pipeline as written sets no seed; the
   draws set ``ae__random_state`` to 0, 1, 2, so that the file comes out the
   same from one run to the next (3 unseeded draws moved pima's cell by half
   a point between two runs, across raw features' accuracy).

    python benchmarks/defaults_carry_over.py [--odds DIR] [--seeds 0 1 2] [--jobs 2]

Writes ``results/defaults_carry_over.md``.
"""

import argparse
import warnings

import numpy as np
import torch
from _common import write_result
from defaults_panel import flagship, largest_angle, pca_pipeline
from joblib import Parallel, delayed
from odds_outliers import DEFAULT_ODDS, load_odds
from sklearn.datasets import load_iris
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skae import Autoencoder, LinearAE

TABLES = ["glass", "lympho", "pima", "vowels", "ionosphere", "letter", "arrhythmia", "musk"]
# iris: scikit-learn's one bundled classification table the panel's pipeline
# table leaves out; ionosphere and pima: the ODDS sets that are classic
# classification tables.
CLASSIFICATION = ["iris", "ionosphere", "pima"]
# The pipeline table's rows, each built for a number of features; the last
# is drawn several times, at seeds 0, 1, ...
PIPELINES = {
    "LogisticRegression() on raw features": lambda n_features: Pipeline(
        [("clf", LogisticRegression())]
    ),
    "PCA pipeline": pca_pipeline,
    "SparseAE() pipeline": lambda n_features: flagship(),
}
BAR = 1.02
ANGLE_BAR = 10.0


def row_errors(model, X):
    return np.mean((model.inverse_transform(model.transform(X)) - X) ** 2, axis=1)


def misses(cell) -> bool:
    """Whether a reconstruction cell misses any bar."""
    _, _, _, linear, angle, network, *_ = cell
    return linear > BAR or angle >= ANGLE_BAR or network > BAR


def odds_split(directory, name, seed):
    """ODDS table ``name`` split 70 / 30, standardised on the training part, as float32."""
    X, _ = load_odds(directory, name)
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train).astype(np.float32), scaler.transform(X_test).astype(np.float32)


def reconstruction_cell(directory, name, k, seed, threads):
    """One split, one k: ``(name, k, seed, LinearAE ratio, angle, Autoencoder ratio,
    median row ratio, worst row's share of the excess)``."""
    torch.set_num_threads(threads)
    X_train, X_test = odds_split(directory, name, seed)
    pca = PCA(k).fit(X_train)
    pca_rows = row_errors(pca, X_test)
    linear = LinearAE(n_components=k, random_state=seed).fit(X_train)
    network = Autoencoder(n_components=k, random_state=seed).fit(X_train)
    network_rows = row_errors(network, X_test)
    excess = network_rows - pca_rows
    worst_share = excess.max() / excess.sum() if excess.sum() > 0 else np.nan
    return (
        name,
        k,
        seed,
        row_errors(linear, X_test).mean() / pca_rows.mean(),
        largest_angle(linear, pca),
        network_rows.mean() / pca_rows.mean(),
        float(np.median(network_rows / np.maximum(pca_rows, 1e-12))),
        worst_share,
    )


def reconstruction_table(directory, seeds, jobs):
    threads = 1 if jobs > 1 else torch.get_num_threads()
    cells = Parallel(n_jobs=jobs)(
        delayed(reconstruction_cell)(directory, name, k, seed, threads)
        for name in TABLES
        for k in range(1, 6)
        for seed in seeds
    )
    lines = [
        "| table | rows × features | LinearAE worst ratio | LinearAE largest angle (°) "
        "| Autoencoder worst ratio | Autoencoder mean ratio | cells missing a bar "
        "| worst cell: median row ratio "
        "| worst cell, if over the bar: worst row's share of the excess |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    failures = 0
    for name in TABLES:
        X, _ = load_odds(directory, name)
        mine = [c for c in cells if c[0] == name]
        linear, angle, network = (np.array([c[i] for c in mine]) for i in (3, 4, 5))
        over = [c for c in mine if misses(c)]
        failures += len(over)
        worst = max(mine, key=lambda c: c[5])
        share = f"{worst[7]:.0%}" if worst[5] > BAR else "–"
        lines.append(
            f"| {name} | {X.shape[0]} × {X.shape[1]} | {linear.max():.3f} | {angle.max():.1f} "
            f"| {network.max():.3f} | {network.mean():.3f} | {len(over)} of {len(mine)} "
            f"| {worst[6]:.2f} | {share} |"
        )
    summary = (
        f"{failures} of {len(cells)} (table, k, seed) cells miss a bar. "
        "The cells that miss, (table, k, seed: LinearAE ratio, angle, Autoencoder ratio): "
        + (
            "; ".join(
                f"({c[0]}, {c[1]}, {c[2]}: {c[3]:.3f}, {c[4]:.1f}°, {c[5]:.3f})"
                for c in cells
                if misses(c)
            )
            or "none"
        )
        + "."
    )
    return "\n".join(lines) + "\n\n" + summary


def pipeline_score(directory, name, label, draw, threads):
    torch.set_num_threads(threads)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_iris(return_X_y=True) if name == "iris" else load_odds(directory, name)
    X = X.astype(np.float32)
    pipe = PIPELINES[label](X.shape[1])
    if "ae" in pipe.named_steps:
        pipe.set_params(ae__random_state=draw)
    pipe = Pipeline([("scale", StandardScaler()), *pipe.steps])
    return name, label, cross_val_score(pipe, X, y, cv=5).mean()


def pipeline_table(directory, draws, jobs):
    threads = 1 if jobs > 1 else torch.get_num_threads()
    labels = list(PIPELINES)
    scores = Parallel(n_jobs=jobs)(
        delayed(pipeline_score)(directory, name, label, draw, threads)
        for name in CLASSIFICATION
        for label in labels
        for draw in range(draws if label == labels[-1] else 1)  # the others are deterministic
    )
    lines = [
        "| table | model | accuracy | draws: lowest – highest |",
        "|---|---|---:|---:|",
    ]
    for name in CLASSIFICATION:
        for label in labels:
            mine = np.array([s for n, lab, s in scores if (n, lab) == (name, label)])
            lines.append(
                f"| {name} | {label} | {mine.mean():.4f} | {mine.min():.4f} – {mine.max():.4f} |"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--odds", default=DEFAULT_ODDS, help="folder of the ODDS .mat files")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    body = (
        "## Reconstruction: held-out MSE against PCA(k), k in 1..5, "
        f"seeds {args.seeds}\n\n"
        "Only `n_components=k` and `random_state` set. Bars: LinearAE within "
        f"{BAR}× and {ANGLE_BAR:.0f}° of PCA, Autoencoder within {BAR}×.\n\n"
        + reconstruction_table(args.odds, args.seeds, args.jobs)
        + "\n\n## The design card's pipeline on three other classification tables\n\n"
        "Standardised, 5-fold CV; the SparseAE pipeline is run "
        f"{args.draws} times, at `ae__random_state` 0–{args.draws - 1}.\n\n"
        + pipeline_table(args.odds, args.draws, args.jobs)
    )
    write_result("defaults_carry_over", body)


if __name__ == "__main__":
    main()
