"""The course's bottleneck study: ConvAE on MNIST with d = 2, 4 and 32, next to PCA.

For each code size d, ConvAE(d) (28×28 images, strided convolutions with 32 and
64 channels, a (d, 1, 1) code) and PCA(d) are fitted on the 60000 training
images. On the 10000 test images the script reports

- the squared reconstruction error per image (pixels in [0, 1], summed over the
  784 pixels);
- how recognisable the reconstructions are: the accuracy of a classifier
  trained on real MNIST (an MLP, judged first on the real test images) on the
  reconstructions g∘f(X) of the test images;

and draws the course's figure (conv_bottleneck_mnist.png): a row of originals,
then a row of ConvAE reconstructions for each d, then PCA's for comparison.

    python benchmarks/conv_bottleneck_mnist.py [--epochs 10] [--sizes 2 4 32]
"""

import argparse
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _common import RESULTS, load_mnist_flat, write_result  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from skae import ConvAE  # noqa: E402


def reconstruct(model, X):
    return model.inverse_transform(model.transform(X))


def sq_error_per_image(X_hat, X):
    return float(np.mean(np.sum((X_hat - X) ** 2, axis=1)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 32])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--data", default=None, help="path of mnist.npz")
    parser.add_argument("--train-rows", type=int, default=None, help="for a quick trial")
    args = parser.parse_args()
    X_train, y_train, X_test, y_test = load_mnist_flat(args.data)
    X_train, y_train = X_train[: args.train_rows], y_train[: args.train_rows]

    judge = MLPClassifier(hidden_layer_sizes=(256,), max_iter=30, random_state=0)
    judge.fit(X_train, y_train)
    real_accuracy = judge.score(X_test, y_test)
    print(f"judge accuracy on real test images: {real_accuracy:.4f}", flush=True)

    rows, recon = [], {}
    for d in args.sizes:
        pca = PCA(d, random_state=0).fit(X_train)
        start = time.perf_counter()
        ae = ConvAE(
            d,
            image_shape=(1, 28, 28),
            max_epochs=args.epochs,
            device=args.device,
            random_state=0,
        ).fit(X_train)
        seconds = time.perf_counter() - start
        recon[f"ConvAE d={d}"] = ae_hat = reconstruct(ae, X_test)
        recon[f"PCA d={d}"] = pca_hat = reconstruct(pca, X_test)
        rows.append(
            (
                d,
                sq_error_per_image(ae_hat, X_test),
                sq_error_per_image(pca_hat, X_test),
                judge.score(ae_hat, y_test),
                judge.score(pca_hat, y_test),
                seconds,
            )
        )
        print(rows[-1], flush=True)

    # The course's figure: originals, then g∘f(X) for each d.
    n = 10
    picks = [int(np.flatnonzero(y_test == digit)[0]) for digit in range(n)]
    order = (
        ["original"] + [f"ConvAE d={d}" for d in args.sizes] + [f"PCA d={d}" for d in args.sizes]
    )
    images = {"original": X_test, **recon}
    fig, axes = plt.subplots(len(order), n, figsize=(n * 0.9, len(order) * 1.0))
    for r, name in enumerate(order):
        for c, i in enumerate(picks):
            axes[r, c].imshow(images[name][i].reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            axes[r, c].set_xticks([])
            axes[r, c].set_yticks([])
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)
    fig.suptitle(f"MNIST test digits and their reconstructions ({args.epochs} epochs)")
    fig.tight_layout()
    figure = RESULTS / "conv_bottleneck_mnist.png"
    fig.savefig(figure, dpi=110)

    lines = [
        f"ConvAE(d, image_shape=(1, 28, 28), channels=(32, 64)), {args.epochs} epochs, "
        "trained on the 60000 training images; evaluated on the 10000 test images. "
        "Squared error per image: pixels in [0, 1], summed over the 784 pixels. "
        "Recognisability: accuracy of an MLP classifier (256 hidden units) trained on "
        f"real MNIST, applied to the reconstructions; on the real test images it scores "
        f"{real_accuracy:.4f}.",
        "",
        "| d | ConvAE sq. error | PCA sq. error | judge acc. on ConvAE recon. | "
        "judge acc. on PCA recon. | ConvAE fit (s) |",
        "|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {d} | {a:.2f} | {p:.2f} | {aa:.4f} | {pa:.4f} | {s:.0f} |"
            for d, a, p, aa, pa, s in rows
        ),
        "",
        f"Figure: `{figure.name}` (row 1 originals, then ConvAE for d = "
        f"{', '.join(map(str, args.sizes))}, then PCA).",
    ]
    write_result("conv_bottleneck_mnist", "\n".join(lines))


if __name__ == "__main__":
    main()
