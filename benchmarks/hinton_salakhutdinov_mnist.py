"""Hinton & Salakhutdinov (Science 2006), MNIST with 30-dimensional codes, reproduced.

The paper's table gives the average squared reconstruction error per test
image (pixels in [0, 1], summed over the 784 pixels): deep autoencoder 3.00,
logistic PCA 8.01, PCA 13.87. This script trains on the 60000 training images
and reports, on the 10000 test images, with the training time of each:

- PCA(30) — which reproduces the paper's 13.87;
- LinearAE(30) — PCA's subspace reached by gradient descent;
- Autoencoder(30) with the paper's 784-1000-500-250-30 architecture and
  skae's defaults otherwise (squared error, Adam at 1e-3, batch 64);
- skae's best configuration found: the same architecture with batch 128 and
  the learning rate cosine-annealed over a fixed wall-clock budget (the issue's
  target: at most 3.00 within 20 minutes of training on a 2-core CPU). In a
  6-epoch trial on 20000 images the squared error beat the binary
  cross-entropy (8.0 vs 10.6 per image), lr 2e-3 (8.8) and ReLU (10.7).

    python benchmarks/hinton_salakhutdinov_mnist.py [--budget-minutes 19]
        [--plain-epochs 50] [--device cpu]

``--defaults-only`` fits only ``Autoencoder(n_components=30,
hidden_layer_sizes=(1000, 500, 250))`` with everything else at skae's
defaults (the step budget and its cosine schedule decide how long), next to
PCA(30), and writes ``hinton_salakhutdinov_defaults.md``.
"""

import argparse
import time

import numpy as np
from _common import TimeBudget, load_mnist_flat, write_result
from sklearn.decomposition import PCA

from skae import Autoencoder, LinearAE

PAPER = {"Deep autoencoder (RBM-pretrained)": 3.00, "Logistic PCA": 8.01, "PCA": 13.87}
ARCHITECTURE = (1000, 500, 250)


def sq_error_per_image(model, X):
    return float(np.mean(np.sum((model.inverse_transform(model.transform(X)) - X) ** 2, axis=1)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-minutes", type=float, default=19.0)
    parser.add_argument("--plain-epochs", type=int, default=50)
    parser.add_argument("--linear-epochs", type=int, default=20)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--data", default=None, help="path of mnist.npz")
    parser.add_argument("--train-rows", type=int, default=None, help="for a quick trial")
    parser.add_argument("--defaults-only", action="store_true")
    args = parser.parse_args()
    X_train, _, X_test, _ = load_mnist_flat(args.data)
    X_train = X_train[: args.train_rows]
    common = dict(n_components=30, device=args.device, random_state=0)
    models = {
        "PCA(30)": PCA(30, random_state=0),
        f"LinearAE(30), {args.linear_epochs} epochs": LinearAE(
            max_epochs=args.linear_epochs, **common
        ),
        f"Autoencoder(30), 784-1000-500-250-30, defaults, {args.plain_epochs} epochs": Autoencoder(
            hidden_layer_sizes=ARCHITECTURE, max_epochs=args.plain_epochs, **common
        ),
        (
            f"Autoencoder(30), 784-1000-500-250-30, batch 128, lr 1e-3 "
            f"cosine-annealed over {args.budget_minutes:g} min"
        ): Autoencoder(
            hidden_layer_sizes=ARCHITECTURE,
            batch_size=128,
            lr=1e-3,
            # The time budget stops it and sets its schedule: no step budget
            # (skae's default plans 100 epochs and would end the fit there).
            max_steps=10**9,
            max_epochs=10_000,
            n_iter_no_change=10_000,
            net_params={"callbacks": [("budget", TimeBudget(60 * args.budget_minutes))]},
            **common,
        ),
    }
    if args.defaults_only:
        models = {
            "PCA(30)": PCA(30, random_state=0),
            "Autoencoder(30), 784-1000-500-250-30, every other parameter at its default": (
                Autoencoder(hidden_layer_sizes=ARCHITECTURE, **common)
            ),
        }
    rows = []
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(X_train)
        seconds = time.perf_counter() - start
        error = sq_error_per_image(model, X_test)
        epochs = getattr(model, "n_iter_", "–")
        rows.append((name, error, seconds, epochs))
        print(f"{name}: {error:.2f} per image, {seconds:.0f} s, {epochs} epochs", flush=True)

    lines = [
        "Average squared error per MNIST test image (pixels in [0, 1], summed over 784 "
        "pixels), 30-dimensional codes, trained on the 60000 training images.",
        "",
        "| model | squared error / image | training time (s) | epochs |",
        "|---|---:|---:|---:|",
        *(f"| {n} | {e:.2f} | {s:.0f} | {ep} |" for n, e, s, ep in rows),
        "",
        "The paper's table (Hinton & Salakhutdinov, Science 2006, Fig. 2 caption):",
        "",
        "| model | squared error / image |",
        "|---|---:|",
        *(f"| {n} | {e:.2f} |" for n, e in PAPER.items()),
    ]
    name = "hinton_salakhutdinov_defaults" if args.defaults_only else "hinton_salakhutdinov_mnist"
    write_result(name, "\n".join(lines))


if __name__ == "__main__":
    main()
