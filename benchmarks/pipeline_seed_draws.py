"""The design card's pipeline on the panel's own folds, over many autoencoder seeds.

``defaults_panel.py`` scores ``Pipeline([("ae", SparseAE()), ("clf",
LogisticRegression())])`` with 3 unseeded draws on one set of folds
(unshuffled stratified 5-fold, standardised inside each fold), and
``defaults_carry_over.py`` does the same on iris, ionosphere and pima. On tables this small a
cell moves by a few rows from one draw of the autoencoder's initialisation
to the next, so 3 draws say little about which coding is better, or how
often a cell passes. This study fixes the folds and varies only the seed:
``--seeds`` fits of the autoencoder per fold, each scored two ways:

- the default: ``SparseAE()``'s codes, which carry the centred input's
  energy (one factor per fit, s² = E‖x − x̄‖² / E‖h‖² over the training
  rows, as PCA's codes carry it);
- ``codes in the data's units alone``, the previous default
  (``DataUnitCodes`` in ``sparse_defaults_trials.py``): the same network
  without the factor. One fit serves both: training does not depend on the
  factor, and the default's codes are the previous ones times s.

Each is scored twice. First on validation rows: each fold's training rows
are split 75 / 25 as in ``sparse_defaults_trials.py`` and the test rows are
not used; this is the trial behind adopting the factor (the trials script
itself fits one seed per split, too few on these tables). Then on the
folds' test rows, the panel's cells, to show how often each coding
reaches raw features' accuracy there (the panel's bar) and how much of a
3-draw cell is seed luck. Per seed, a cell is the mean over the 5 folds;
the table gives the mean over seeds with its standard error, and the
difference paired by seed.

    python benchmarks/pipeline_seed_draws.py [--seeds 10] [--jobs 2]

Writes ``results/pipeline_seed_draws.md``.
"""

import argparse
import warnings

import numpy as np
import torch
from _common import write_result
from joblib import Parallel, delayed
from odds_outliers import DEFAULT_ODDS, load_odds
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.preprocessing import StandardScaler
from sparse_defaults_trials import DataUnitCodes

from skae._sparse import energy_factor

TABLES = {
    "wine": load_wine,
    "breast cancer": load_breast_cancer,
    "iris": load_iris,
    # the carry-over's ODDS classification tables
    "ionosphere": lambda return_X_y: load_odds(DEFAULT_ODDS, "ionosphere"),
    "pima": lambda return_X_y: load_odds(DEFAULT_ODDS, "pima"),
}
FOLDS = 5
VALIDATION_TITLE = "## Validation rows: each fold's training rows split 75 / 25, no test row used"
TEST_TITLE = "## The folds' test rows (the panel's cells)"


def fold_rows(X, y, validation):
    """Per fold of cross_val_score's folds: (X_fit, y_fit, X_score, y_score).

    ``validation``: the fold's training rows split 75 / 25 as in
    ``sparse_defaults_trials.py``, scored on the 25; the test rows are unused.
    """
    for fold, (train, test) in enumerate(StratifiedKFold(FOLDS).split(X, y)):
        if validation:
            yield train_test_split(
                X[train], y[train], test_size=0.25, stratify=y[train], random_state=fold
            )
        else:
            yield X[train], X[test], y[train], y[test]


def standardised_folds(name, validation):
    """``fold_rows`` of table ``name``, standardised on the rows fitted, as float32."""
    X, y = TABLES[name](return_X_y=True)
    for X_fit, X_score, y_fit, y_score in fold_rows(X, np.asarray(y).ravel(), validation):
        scaler = StandardScaler().fit(X_fit)
        yield (
            scaler.transform(X_fit).astype(np.float32),
            scaler.transform(X_score).astype(np.float32),
            y_fit,
            y_score,
        )


def seed_scores(name, seed, validation, threads):
    """Mean over the folds of raw features', the default's and the previous codes' accuracy."""
    torch.set_num_threads(threads)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    scores = []
    for X_train, X_test, y_train, y_test in standardised_folds(name, validation):
        raw = LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
        sparse = DataUnitCodes(random_state=seed).fit(X_train)
        codes_train, codes_test = sparse.transform(X_train), sparse.transform(X_test)
        factor = energy_factor(X_train, codes_train)
        coded = [
            LogisticRegression().fit(s * codes_train, y_train).score(s * codes_test, y_test)
            for s in (factor, 1.0)
        ]
        scores.append([raw, *coded])
    return name, seed, validation, np.mean(scores, axis=0)


def mean_and_error(values) -> str:
    return f"{values.mean():.4f} ± {values.std(ddof=1) / np.sqrt(len(values)):.4f}"


def run_seeds(score, seeds: int, jobs: int) -> list:
    """``score(name, seed, validation, threads)`` on every table, seed and row set."""
    threads = 1 if jobs > 1 else torch.get_num_threads()
    return Parallel(n_jobs=jobs)(
        delayed(score)(name, seed, validation, threads)
        for validation in (True, False)
        for name in TABLES
        for seed in range(seeds)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    runs = run_seeds(seed_scores, args.seeds, args.jobs)
    sections = []
    for validation, title in ((True, VALIDATION_TITLE), (False, TEST_TITLE)):
        lines = [
            title,
            "",
            "| table | raw features | default | previous default (data's units alone) "
            "| default − previous (points) | seeds reaching raw: default / previous |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name in TABLES:
            cells = np.array([c for table, _, v, c in runs if table == name and v == validation])
            raw, default, previous = cells[:, 0], cells[:, 1], cells[:, 2]
            gain = 100 * (default - previous)
            reach = [int(np.sum(c >= raw - 1e-9)) for c in (default, previous)]
            lines.append(
                f"| {name} | {raw.mean():.4f} | {mean_and_error(default)} "
                f"| {mean_and_error(previous)} "
                f"| {gain.mean():+.2f} ± {gain.std(ddof=1) / np.sqrt(len(gain)):.2f} "
                f"| {reach[0]} / {reach[1]} of {len(raw)} |"
            )
        sections.append("\n".join(lines))
    body = (
        f"Unshuffled stratified {FOLDS}-fold CV (the panel's and the carry-over's folds), "
        f"standardised on the rows fitted; autoencoder seeds 0–{args.seeds - 1}, one fit per "
        "fold and seed scored with both codings. Cells: mean over seeds of the 5-fold "
        "accuracy ± its standard error; the difference is paired by seed.\n\n"
        + "\n\n".join(sections)
    )
    write_result("pipeline_seed_draws", body)


if __name__ == "__main__":
    main()
