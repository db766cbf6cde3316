"""The trials behind SparseAE's defaults, scored on validation rows only.

The design card's pipeline, ``Pipeline([("ae", SparseAE()), ("clf",
LogisticRegression())])``, is judged in ``defaults_panel.py`` on held-out
rows. The defaults it runs at (top-k codes, 256 units, k = 64) are a choice
among candidates; this script reruns that choice without looking at those
held-out rows:

- digits (3 folds), wine and breast cancer (5 folds, standardised inside the
  pipeline): the folds of ``defaults_panel.py``; in each, the training part
  is split 75 / 25 (stratified), the candidates fit on the 75 and are scored
  on the 25. The fold's test rows are never used.
- MNIST: the panel trains on the first 8,000 training images and tests on
  2,000 test images; here the candidates fit on the first 6,000 and are
  scored on the next 2,000 training images.

The candidates vary the mechanism, the code size and k, and the scale the
codes are published on: ``SparseAE`` publishes each ReLU unit in the data's
units times one factor per fit that makes the codes carry the centred
input's energy, as PCA's do; ``DataUnitCodes`` the data's units alone (the
default until the energy factor was adopted, on the evidence of
``pipeline_seed_draws.py`` and ``pipeline_fresh_tables.py``: on these
validation rows the two tie); ``UnitRMSCodes`` every unit at root mean
square 1, the scaling the data's units replaced; ``FrameScaledCodes`` the
data's units times one factor that undoes the L2 cost of the units'
redundancy (its docstring derives it). The tied decoder (``tied=True``,
the decoder the transpose of the encoder, as in Makhzani & Frey's k-sparse
autoencoder) is the lever ``ksparse_trials.py --tied`` found on the
1000-unit MNIST model; here it is tried at the default code size.

One set of defaults serves every dataset, so the candidates are ranked on
each dataset and the ranks averaged; raw features and the PCA pipeline are
scored on the same validation rows for reference.

    python benchmarks/sparse_defaults_trials.py [--no-mnist] [--data PATH] [--jobs 2]

Writes ``results/sparse_defaults_trials.md``.
"""

import argparse
import time
import warnings

import numpy as np
import torch
from _common import load_mnist_flat, write_result
from defaults_panel import PIPELINE_SETS, load, pca_pipeline
from joblib import Parallel, delayed
from scipy.stats import rankdata
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skae import SparseAE
from skae._sparse import code_rms

DEFAULT = "topk, 256 units, k = 64"
CANDIDATES = {
    "topk, 64 units, k = 16": dict(n_components=64),
    "topk, 256 units, k = 32": dict(k=32),
    DEFAULT: {},
    "topk, 256 units, k = 128": dict(k=128),
    "topk, 1024 units, k = 256": dict(n_components=1024),
    "l1, 256 units": dict(sparsity="l1"),
    "kl, 256 units": dict(sparsity="kl"),
    "topk, 256 units, k = 64, units at root mean square 1": dict(estimator="unit_rms"),
    "topk, 256 units, k = 64, codes at the frame scale": dict(estimator="frame"),
    "topk, 256 units, k = 64, codes in the data's units alone": dict(estimator="data_units"),
    "topk, 256 units, k = 64, tied decoder": dict(tied=True),
}
REFERENCES = ("raw features", "PCA pipeline")


class DataUnitCodes(SparseAE):
    """SparseAE publishing each ReLU unit in the data's units, without the energy factor.

    The default before the factor that makes the codes carry the input's
    energy: kept as the trial the factor was adopted against, and as the
    base of the other scalings tried before it.
    """

    def _publishing_scale(self, module, X, codes):
        return self._data_unit_scale(module, codes)


class UnitRMSCodes(DataUnitCodes):
    """SparseAE publishing each ReLU unit at root mean square 1 over the training rows.

    The code scaling before the data's units (``SparseAE._data_unit_scale``):
    kept here as the trial that scaling was chosen against.
    """

    @staticmethod
    def _data_unit_scale(module, codes):
        return torch.as_tensor(code_rms(codes), dtype=torch.float32, device=module.mean.device)


class FrameScaledCodes(DataUnitCodes):
    """SparseAE whose codes, in the data's units, are all multiplied by one factor s.

    In the data's units a classifier reproducing a linear function w·x̂ of
    the reconstruction weights unit j by w·d̂ⱼ (d̂ⱼ its unit direction), at an
    L2 cost of Σⱼ (w·d̂ⱼ)²: the redundancy of 256 overlapping directions
    makes that about n_components / n_features times ‖w‖², the cost on X.
    Averaged over the data's directions (w drawn from X's covariance Σ) the
    factor is s² = Σⱼ d̂ⱼᵀΣd̂ⱼ / tr Σ; codes multiplied by s pay ‖w‖² again.
    """

    def _record_diagnostics(self, X):
        super()._record_diagnostics(X)
        module = self.net_.module_
        n_units = self.n_components
        with torch.no_grad():
            zero = module.decode(torch.zeros((1, n_units)))
            change = (module.decode(torch.eye(n_units)) - zero).double().numpy()
        length = np.linalg.norm(change, axis=1)
        directions = change[length > 0] / length[length > 0, None]
        centred = np.asarray(X, dtype=np.float64) - np.mean(X, axis=0, dtype=np.float64)
        gain = (centred @ directions.T).var(axis=0).sum() / centred.var(axis=0).sum()
        module.code_scale = module.code_scale / float(np.sqrt(gain))


ESTIMATORS = {"unit_rms": UnitRMSCodes, "frame": FrameScaledCodes, "data_units": DataUnitCodes}


def pipeline(label, n_features, scale):
    if label == "raw features":
        pipe = Pipeline([("clf", LogisticRegression())])
    elif label == "PCA pipeline":
        pipe = pca_pipeline(n_features)
    else:
        params = dict(CANDIDATES[label])
        estimator = ESTIMATORS.get(params.pop("estimator", None), SparseAE)
        sparse = estimator(random_state=0, **params)
        pipe = Pipeline([("ae", sparse), ("clf", LogisticRegression())])
    return Pipeline([("scale", StandardScaler()), *pipe.steps]) if scale else pipe


def validation_splits(with_mnist, data):
    """``(dataset, X_fit, y_fit, X_validation, y_validation, standardise)``, test rows unseen."""
    for name, folds, scale in PIPELINE_SETS:
        X, y = load(name)
        X = X.astype(np.float32)
        # cross_val_score's folds in defaults_panel.py: StratifiedKFold, unshuffled.
        for fold, (train, _test) in enumerate(StratifiedKFold(folds).split(X, y)):
            X_fit, X_val, y_fit, y_val = train_test_split(
                X[train], y[train], test_size=0.25, stratify=y[train], random_state=fold
            )
            yield name, fold, X_fit, y_fit, X_val, y_val, scale
    if with_mnist:
        X_train, y_train, _, _ = load_mnist_flat(data)
        X_fit, y_fit = X_train[:6000], y_train[:6000]
        yield "MNIST", 0, X_fit, y_fit, X_train[6000:8000], y_train[6000:8000], False


def score(label, name, fold, X_fit, y_fit, X_val, y_val, scale, threads):
    if threads:
        torch.set_num_threads(threads)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    start = time.perf_counter()
    model = pipeline(label, X_fit.shape[1], scale).fit(X_fit, y_fit)
    return name, label, fold, model.score(X_val, y_val), time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-mnist", action="store_true")
    parser.add_argument("--data", default=None, help="path of mnist.npz")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    labels = [*REFERENCES, *CANDIDATES]
    # With several jobs each process runs torch on one thread (as in defaults_panel.py).
    threads = 1 if args.jobs > 1 else None
    results = Parallel(n_jobs=args.jobs)(
        delayed(score)(label, *split, threads)
        for split in validation_splits(not args.no_mnist, args.data)
        for label in labels
    )
    datasets = list(dict.fromkeys(name for name, *_ in results))
    accuracy = {
        (name, label): np.mean([r[3] for r in results if r[:2] == (name, label)])
        for name in datasets
        for label in labels
    }
    seconds = {
        label: np.mean([r[4] for r in results if r[1] == label and r[0] == datasets[0]])
        for label in labels
    }
    # Paired with the default, split by split: wins, ties and losses.
    per_split = {(name, label, fold): acc for name, label, fold, acc, _ in results}
    splits = sorted({(name, fold) for name, _, fold, _, _ in results})
    record = {
        label: [
            int(np.sign(per_split[name, label, fold] - per_split[name, DEFAULT, fold]))
            for name, fold in splits
        ]
        for label in labels
    }
    # Ranks among the candidates only (1 = most accurate), averaged over datasets.
    ranks = {
        name: dict(
            zip(
                CANDIDATES,
                rankdata([-accuracy[name, label] for label in CANDIDATES]),
                strict=True,
            )
        )
        for name in datasets
    }
    mean_rank = {label: np.mean([ranks[name][label] for name in datasets]) for label in CANDIDATES}
    header = (
        "| model | "
        + " | ".join(datasets)
        + " | mean rank | against the default, per split: won / tied / lost | fit (s), digits |"
    )
    lines = [header, "|---|" + "---:|" * (len(datasets) + 3)]
    for label in labels:
        cells = [f"{accuracy[name, label]:.4f}" for name in datasets]
        rank = f"{mean_rank[label]:.2f}" if label in CANDIDATES else "–"
        shown = f"**{label}** (default)" if label == DEFAULT else label
        signs = record[label]
        paired = (
            "–" if label == DEFAULT else f"{signs.count(1)} / {signs.count(0)} / {signs.count(-1)}"
        )
        lines.append(
            f"| {shown} | " + " | ".join(cells) + f" | {rank} | {paired} | {seconds[label]:.1f} |"
        )
    best = min(mean_rank, key=mean_rank.get)
    summary = (
        f"Best mean rank: {best} ({mean_rank[best]:.2f}); "
        f"the default ({DEFAULT}): {mean_rank[DEFAULT]:.2f}."
    )
    folds = ", ".join(f"{name} {folds} folds" for name, folds, _ in PIPELINE_SETS)
    body = (
        "Validation accuracy of `Pipeline([SparseAE(**candidate), LogisticRegression()])`, "
        f"mean over the validation splits ({folds}"
        + (", MNIST one split" if "MNIST" in datasets else "")
        + "); no test row is used.\n\n"
        + "\n".join(lines)
        + "\n\n"
        + summary
    )
    write_result("sparse_defaults_trials", body)


if __name__ == "__main__":
    main()
