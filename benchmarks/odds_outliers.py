"""ReconstructionOutlierDetector on real outlier benchmarks (ODDS), beside PyOD and IsolationForest.

PyOD's own protocol on the eight ODDS sets of ``../shared/data/odds``: a 60/40
split at each seed, standardised on the training part, every detector fitted
unsupervised on the training part (its outliers included) at its defaults,
ROC AUC of its anomaly scores on the test part. Reported per set and on
average, with the total fit time of each detector over all sets and seeds
(after one untimed warm-up fit of each, as torch's first call pays its
start-up).

A second table checks the threshold of ``contamination="auto"``: the
detector is trained on the inliers of the training part only, and the share
of the test part's inliers it flags is reported (the target is at most 5%);
breast cancer's benign rows are one more case.

PyOD (``pip install pyod``, the ``bench`` extra) is optional: without it the
script says which columns it skipped.

    python benchmarks/odds_outliers.py [--seeds 0 1 2] [--odds DIR] [--sets glass pima]
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from _common import write_result
from scipy.io import loadmat
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae import ReconstructionOutlierDetector
from skae.outlier import default_estimator

DEFAULT_ODDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "odds"
SETS = ["arrhythmia", "glass", "ionosphere", "letter", "lympho", "musk", "pima", "vowels"]


def load_odds(directory, name):
    data = loadmat(Path(directory) / f"{name}.mat")
    return data["X"].astype(np.float64), data["y"].ravel().astype(int)


def standardised_split(X, y, seed):
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = (scaler.transform(X).astype(np.float32) for X in (X_train, X_test))
    return X_train, X_test, y_train, y_test


def detectors(seed, n_features):
    """name -> (fresh detector, function giving anomaly scores, higher = more abnormal)."""
    found = {
        "skae ReconstructionOutlierDetector()": (
            ReconstructionOutlierDetector(random_state=seed),
            lambda model, X: -model.score_samples(X),
        ),
        # What each part brings: the network barely trained (its PCA start),
        # and the plain reconstruction error in place of the whitened distance.
        "skae, networks at their PCA start (1 step)": (
            ReconstructionOutlierDetector(
                default_estimator(n_features).set_params(max_steps=1, max_epochs=1),
                random_state=seed,
            ),
            lambda model, X: -model.score_samples(X),
        ),
        'skae, distance="estimator"': (
            ReconstructionOutlierDetector(distance="estimator", random_state=seed),
            lambda model, X: -model.score_samples(X),
        ),
        "distance to the training mean": (None, None),
        "IsolationForest": (
            IsolationForest(random_state=seed),
            lambda model, X: -model.score_samples(X),
        ),
    }
    try:
        from pyod.models.auto_encoder import AutoEncoder
        from pyod.models.pca import PCA as PyODPCA
    except ImportError:
        return found
    found["PyOD AutoEncoder"] = (
        AutoEncoder(verbose=0, random_state=seed),
        lambda model, X: model.decision_function(X),
    )
    found["PyOD PCA"] = (PyODPCA(random_state=seed), lambda model, X: model.decision_function(X))
    return found


def fit_scores(detector, score, X_train, X_test):
    if detector is None:  # the trivial baseline
        return np.linalg.norm(X_test - X_train.mean(axis=0), axis=1), 0.0
    start = time.perf_counter()
    detector.fit(X_train)
    seconds = time.perf_counter() - start
    return score(detector, X_test), seconds


def warm_up():
    """Fit every detector once before timing: first calls pay one-off costs (torch's start-up)."""
    X = np.random.default_rng(0).normal(size=(64, 8)).astype(np.float32)
    for detector, _ in detectors(0, X.shape[1]).values():
        if detector is not None:
            detector.fit(X)


def auc_table(directory, sets, seeds):
    auc, seconds, names = {}, {}, None
    warm_up()
    for data_name in sets:
        X, y = load_odds(directory, data_name)
        for seed in seeds:
            X_train, X_test, _, y_test = standardised_split(X, y, seed)
            found = detectors(seed, X.shape[1])
            names = list(found)
            for name, (detector, score) in found.items():
                scores, fit_seconds = fit_scores(detector, score, X_train, X_test)
                auc.setdefault((data_name, name), []).append(roc_auc_score(y_test, scores))
                seconds[name] = seconds.get(name, 0.0) + fit_seconds
        line = " · ".join(f"{name} {np.mean(auc[(data_name, name)]):.3f}" for name in names)
        print(f"{data_name}: {line}", flush=True)
    header = "| set | " + " | ".join(names) + " |"
    lines = [header, "|---|" + "---:|" * len(names)]
    for data_name in sets:
        cells = [f"{np.mean(auc[(data_name, name)]):.3f}" for name in names]
        lines.append(f"| {data_name} | " + " | ".join(cells) + " |")
    means = [np.mean([np.mean(auc[(d, name)]) for d in sets]) for name in names]
    lines.append("| **mean** | " + " | ".join(f"**{m:.3f}**" for m in means) + " |")
    lines.append(
        "| fit time, all sets and seeds (s) | "
        + " | ".join(
            "–" if name.startswith("distance") else f"{seconds[name]:.1f}" for name in names
        )
        + " |"
    )
    return "\n".join(lines), names


def flag_rate_table(directory, sets, seeds):
    """Share of unseen inliers flagged by the detector trained on inliers only."""
    cases = {name: load_odds(directory, name) for name in sets}
    X, y = load_breast_cancer(return_X_y=True)
    cases["breast cancer (benign)"] = (X, (y == 0).astype(int))  # malignant = outlier
    lines = ["| set | unseen inliers flagged (mean over seeds) | worst seed |", "|---|---:|---:|"]
    for data_name, (X, y) in cases.items():
        rates = []
        for seed in seeds:
            X_train, X_test, y_train, y_test = standardised_split(X, y, seed)
            detector = ReconstructionOutlierDetector(random_state=seed)
            detector.fit(X_train[y_train == 0])
            rates.append(np.mean(detector.predict(X_test[y_test == 0]) == -1))
        print(f"{data_name}: flag rate {np.mean(rates):.3f}", flush=True)
        lines.append(f"| {data_name} | {np.mean(rates):.3f} | {np.max(rates):.3f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--odds", default=DEFAULT_ODDS, help="folder of the ODDS .mat files")
    parser.add_argument("--sets", nargs="+", default=SETS)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    aucs, names = auc_table(args.odds, args.sets, args.seeds)
    skipped = [n for n in ("PyOD AutoEncoder", "PyOD PCA") if n not in names]
    body = [
        f"## ROC AUC on the test part (60/40 split, seeds {args.seeds}), every detector at "
        "its defaults",
        "",
        aucs,
        "",
        *(["Skipped (PyOD is not installed): " + ", ".join(skipped), ""] if skipped else []),
        '## contamination="auto" on unseen inliers (trained on the inliers of the training part)',
        "",
        flag_rate_table(args.odds, args.sets, args.seeds),
    ]
    write_result("odds_outliers", "\n".join(body))


if __name__ == "__main__":
    main()
