"""The design card's pipeline with αk codes (``transform_k``) on validation rows of small tables.

``ksparse_trials.py`` chose ``transform_k`` = αk for the k-sparse MNIST model
(1000 units, k = 25). This trial asks whether the same encoding would help
the default ``SparseAE()`` (256 units, k = 64) in ``Pipeline([("ae",
SparseAE()), ("clf", LogisticRegression())])``: on the validation rows of
``pipeline_seed_draws.py`` (each fold's training rows split 75 / 25,
standardised on the rows fitted; no test row is used) for wine, breast
cancer, iris, ionosphere and pima, and of ``sparse_defaults_trials.py`` for
digits (3 folds, raw pixels). One fit per fold and seed serves every α, as in
``ksparse_trials.py``. Cells: the mean over seeds of the folds' mean accuracy
± its standard error, and the difference from α = 1 (the default) paired by
seed.

    python benchmarks/transform_k_tables.py [--seeds 3] [--alphas 1 2 3] [--jobs 2]

Writes ``results/transform_k_tables.md``.
"""

import argparse
import warnings

import numpy as np
import torch
from _common import write_result
from joblib import Parallel, delayed
from ksparse_trials import with_transform_k
from pipeline_seed_draws import TABLES, mean_and_error, standardised_folds
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split

from skae import SparseAE


def digits_validation_folds():
    """sparse_defaults_trials.py's digits splits: each of 3 folds' training rows, 75 / 25."""
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32)
    for fold, (train, _test) in enumerate(StratifiedKFold(3).split(X, y)):
        X_fit, X_val, y_fit, y_val = train_test_split(
            X[train], y[train], test_size=0.25, stratify=y[train], random_state=fold
        )
        yield X_fit, X_val, y_fit, y_val


def seed_scores(name, seed, alphas, threads):
    """Raw features' accuracy, then each α's, averaged over the folds."""
    torch.set_num_threads(threads)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    folds = digits_validation_folds() if name == "digits" else standardised_folds(name, True)
    scores = []
    for X_fit, X_val, y_fit, y_val in folds:
        row = [LogisticRegression().fit(X_fit, y_fit).score(X_val, y_val)]
        fitted = SparseAE(random_state=seed).fit(X_fit)
        for alpha in alphas:
            model = with_transform_k(fitted, min(alpha * fitted._k(), fitted._code_size()), X_fit)
            classifier = LogisticRegression().fit(model.transform(X_fit), y_fit)
            row.append(classifier.score(model.transform(X_val), y_val))
        scores.append(row)
    return name, np.mean(scores, axis=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--alphas", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    names = [*TABLES, "digits"]
    threads = 1 if args.jobs > 1 else torch.get_num_threads()
    runs = Parallel(n_jobs=args.jobs)(
        delayed(seed_scores)(name, seed, args.alphas, threads)
        for name in names
        for seed in range(args.seeds)
    )
    others = args.alphas[1:]
    lines = [
        "| table | raw features | α = 1 (default) | "
        + " | ".join(f"α = {a} | α = {a} − α = 1 (points)" for a in others)
        + " |",
        "|---|---:|---:|" + "---:|---:|" * len(others),
    ]
    for name in names:
        cells = np.array([c for table, c in runs if table == name])
        line = f"| {name} | {cells[:, 0].mean():.4f} | {mean_and_error(cells[:, 1])} |"
        for column in range(2, cells.shape[1]):
            gain = 100 * (cells[:, column] - cells[:, 1])
            line += (
                f" {mean_and_error(cells[:, column])} | {gain.mean():+.2f} ± "
                f"{gain.std(ddof=1) / np.sqrt(len(gain)):.2f} |"
            )
        lines.append(line)
    body = (
        f"Validation rows only (no test row used); SparseAE() seeds 0–{args.seeds - 1}, "
        "one fit per fold and seed scored at every α (transform_k = αk, k = 64).\n\n"
        + "\n".join(lines)
    )
    write_result("transform_k_tables", body)


if __name__ == "__main__":
    main()
