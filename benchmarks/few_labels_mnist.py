"""Few labels on MNIST: pretrained encoders against the usual baselines, over label draws.

All 60000 training images are available, but only 100 or 1000 of them (10 or
100 per class) keep their label; the rest are marked -1. Each label count is
drawn ``--draws`` times (different labelled rows); every model is refitted on
each draw and scored on the 10000 test images. The table gives the mean test
accuracy and its standard error over the draws, and each model's margins over
the best supervised baseline (logistic regression on pixels or PCA) and over
label spreading on PCA, with the standard error of each paired difference
(same draws). A win is claimed only where the mean margin exceeds
two standard errors.

Models:

- EncoderClassifier fine-tuned and frozen (DenoisingAE(32) pretrained once on
  all 60000 rows, shared by every draw);
- logistic regression on raw pixels and on PCA(32) features (labelled rows;
  PCA fitted on all 60000 rows);
- label spreading (scikit-learn's ``LabelSpreading``, k-NN graph) on the
  pretrained encoder's codes, and on PCA(32) for comparison: the unlabelled rows
  used by the head as well as by the encoder, as Kingma et al.'s M1 + TSVM does.

The anchor at 100 labels is Kingma et al. 2014's M1 (VAE features + TSVM): 88.2 %.

    python benchmarks/few_labels_mnist.py [--pretrain-epochs 30] [--draws 5]
"""

import argparse
import time

import numpy as np
from _common import load_mnist_flat, write_result
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading

from skae import DenoisingAE, EncoderClassifier

SUPERVISED = ("LogisticRegression, raw pixels", "LogisticRegression, PCA(32) features")
SEMI_SUPERVISED = "LabelSpreading on PCA(32) features"
BASELINES = (*SUPERVISED, SEMI_SUPERVISED)


def few(y, per_class, seed):
    rng = np.random.default_rng(seed)
    keep = np.concatenate(
        [rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in range(10)]
    )
    y_few = np.full_like(y, -1)
    y_few[keep] = y[keep]
    return y_few, keep


def label_spreading(features, y_few, test_features):
    """Spread the few labels over a k-NN graph of every training row; classify the test rows."""
    model = LabelSpreading(kernel="knn", n_neighbors=10, alpha=0.2, max_iter=100)
    model.fit(features, y_few)
    return model.predict(test_features)


def models(ae, pca, codes, pca_codes, draw):
    """(name, fit-and-predict) pairs: each takes (X, y_few, keep, X_test) and returns labels."""
    return [
        (
            "EncoderClassifier, fine-tuned",
            lambda X, y, keep, T: (
                EncoderClassifier(ae, fine_tune=True, random_state=draw).fit(X, y).predict(T)
            ),
        ),
        (
            "EncoderClassifier, frozen encoder",
            lambda X, y, keep, T: (
                EncoderClassifier(ae, fine_tune=False, random_state=draw).fit(X, y).predict(T)
            ),
        ),
        (
            BASELINES[0],
            lambda X, y, keep, T: (
                LogisticRegression(max_iter=3000).fit(X[keep], y[keep]).predict(T)
            ),
        ),
        (
            BASELINES[1],
            lambda X, y, keep, T: (
                LogisticRegression(max_iter=3000)
                .fit(pca_codes[0][keep], y[keep])
                .predict(pca_codes[1])
            ),
        ),
        (
            "LabelSpreading on DenoisingAE codes",
            lambda X, y, keep, T: label_spreading(codes[0], y, codes[1]),
        ),
        (
            SEMI_SUPERVISED,
            lambda X, y, keep, T: label_spreading(pca_codes[0], y, pca_codes[1]),
        ),
    ]


def summary(values):
    values = np.asarray(values)
    return values.mean(), values.std(ddof=1) / np.sqrt(len(values))


def margin(values, baseline):
    """Paired margin over ``baseline`` (percent, mean ± SE) and its verdict at two SE."""
    gain, gain_se = summary(np.subtract(values, baseline))
    verdict = "tie"
    if abs(gain) > 2 * gain_se:
        verdict = "win" if gain > 0 else "loss"
    return f"{100 * gain:+.1f} ± {100 * gain_se:.1f} ({verdict})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pretrain-epochs", type=int, default=30)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--data", default=None, help="MNIST .npz (default: shared/data)")
    args = parser.parse_args()
    X_train, y_train, X_test, y_test = load_mnist_flat(args.data)

    start = time.perf_counter()
    ae = DenoisingAE(
        n_components=32, max_epochs=args.pretrain_epochs, batch_size=128, random_state=0
    ).fit(X_train)
    pretrain_time = time.perf_counter() - start
    pca = PCA(n_components=32, random_state=0).fit(X_train)
    # Standardised codes: the k-NN graph and the linear heads see every unit on one scale.
    scaler = StandardScaler().fit(ae.transform(X_train))
    codes = (scaler.transform(ae.transform(X_train)), scaler.transform(ae.transform(X_test)))
    # PCA's features keep their own scale: distances between them are the
    # pixels' distances within the subspace (an autoencoder's units are arbitrary).
    pca_codes = (pca.transform(X_train), pca.transform(X_test))

    lines = []
    for n_labels in (100, 1000):
        accuracy = {}
        for draw in range(args.draws):
            y_few, keep = few(y_train, n_labels // 10, seed=draw)
            for name, fit_predict in models(ae, pca, codes, pca_codes, draw):
                predicted = fit_predict(X_train, y_few, keep, X_test)
                accuracy.setdefault(name, []).append(float(np.mean(predicted == y_test)))
            print(n_labels, draw, {k: round(v[-1], 4) for k, v in accuracy.items()}, flush=True)
        best = max(SUPERVISED, key=lambda name: np.mean(accuracy[name]))
        for name, values in accuracy.items():
            mean, se = summary(values)
            cells = [margin(values, accuracy[other]) for other in (best, SEMI_SUPERVISED)]
            if name in BASELINES:
                cells = ["baseline" + (" (best supervised)" if name == best else "")] + ["—"]
            lines.append(
                f"| {n_labels} | {name} | {100 * mean:.1f} ± {100 * se:.1f} | "
                f"{100 * min(values):.1f}–{100 * max(values):.1f} | {cells[0]} | {cells[1]} |"
            )
    body = (
        f"Pretraining: DenoisingAE(n_components=32), {args.pretrain_epochs} epochs, batch "
        f"128, on all 60000 training images ({pretrain_time:.0f} s), shared by every draw. "
        f"PCA(32) is fitted on all 60000 rows. {args.draws} label draws per count (10 or "
        "100 labelled images per class); accuracy on the 10000 test images, mean ± "
        "standard error over the draws (percent). Margins: paired differences (same "
        "draws), mean ± standard error, with the best supervised baseline (logistic "
        "regression on pixels or on PCA) and with label spreading on PCA; a win or a "
        "loss is called where the margin exceeds two standard errors, a tie "
        "otherwise.\n\n"
        "| labels | model | accuracy (%) | range over draws | margin over best supervised "
        "baseline | margin over LabelSpreading on PCA |\n|---|---|---|---|---|---|\n"
        + "\n".join(lines)
        + "\n\nAnchor: Kingma et al. 2014, M1 (VAE features + transductive SVM), 88.2 % at "
        "100 labels."
    )
    write_result("few_labels_mnist", body)


if __name__ == "__main__":
    main()
