"""One-class MNIST: train a detector on one digit, flag the other nine.

For each digit d: fit on the training images of d only, score all 10000 test
images, and compute the ROC AUC of "is not d" (higher anomaly score = more
likely another digit). The table gives each detector's AUC averaged over the
10 digits, its worst digit, and the total fit time.

Detectors: skae's ReconstructionOutlierDetector around Autoencoder and VAE
(ConvAE has not landed), PCA reconstruction error, IsolationForest, and PyOD's
AutoEncoder when PyOD is installed (an optional extra, skipped otherwise).

    python benchmarks/one_class_mnist.py [--epochs 10]
"""

import argparse
import importlib.util
import time

import numpy as np
from _common import load_mnist_flat, write_result
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from skae import VAE, Autoencoder, ReconstructionOutlierDetector


class PCAReconstruction:
    """Anomaly score = squared reconstruction error of PCA(n_components)."""

    def __init__(self, n_components):
        self.pca = PCA(n_components=n_components)

    def fit(self, X):
        self.pca.fit(X)
        return self

    def anomaly(self, X):
        return np.sum((self.pca.inverse_transform(self.pca.transform(X)) - X) ** 2, axis=1)


def detectors(epochs):
    common = dict(max_epochs=epochs, batch_size=128, random_state=0, device="cpu")
    found = {
        "skae Autoencoder(16)": lambda: ReconstructionOutlierDetector(
            Autoencoder(n_components=16, **common)
        ),
        "skae VAE(16)": lambda: ReconstructionOutlierDetector(
            VAE(n_components=16, likelihood="bernoulli", **common)
        ),
        "PCA(16) reconstruction": lambda: PCAReconstruction(16),
        "IsolationForest": lambda: IsolationForest(random_state=0),
    }
    if importlib.util.find_spec("pyod") is not None:
        from pyod.models.auto_encoder import AutoEncoder as PyODAutoEncoder

        found["PyOD AutoEncoder"] = lambda: PyODAutoEncoder(epoch_num=epochs, verbose=0)
    return found


def anomaly_scores(model, X):
    if hasattr(model, "anomaly"):
        return model.anomaly(X)
    if hasattr(model, "decision_function") and not hasattr(model, "score_samples"):
        return model.decision_function(X)  # PyOD: higher is more anomalous
    return -model.score_samples(X)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--data", default=None, help="MNIST .npz (default: shared/data)")
    args = parser.parse_args()
    X_train, y_train, X_test, y_test = load_mnist_flat(args.data)
    rows = []
    for name, make in detectors(args.epochs).items():
        aucs, seconds = [], 0.0
        for digit in range(10):
            model = make()
            start = time.perf_counter()
            model.fit(X_train[y_train == digit])
            seconds += time.perf_counter() - start
            aucs.append(roc_auc_score(y_test != digit, anomaly_scores(model, X_test)))
        per_digit = " ".join(f"{a:.3f}" for a in aucs)
        rows.append(
            f"| {name} | {np.mean(aucs):.4f} | {min(aucs):.3f} | {seconds:.0f} | {per_digit} |"
        )
        print(rows[-1], flush=True)
    pyod = (
        ""
        if any("PyOD" in r for r in rows)
        else (
            "\n\nPyOD is not installed here (it is an optional benchmark extra, never a core "
            "dependency), so its row is absent."
        )
    )
    body = (
        f"skae detectors: {args.epochs} epochs, batch 128, pixels in [0, 1].\n\n"
        "| detector | mean AUC | worst digit AUC | total fit time (s) | AUC for digits 0-9 |\n"
        "|---|---|---|---|---|\n" + "\n".join(rows) + pyod
    )
    write_result("one_class_mnist", body)


if __name__ == "__main__":
    main()
