"""transform throughput (rows per second) on MNIST-sized rows: Autoencoder, ConvAE, PCA.

Each model is fitted briefly on 10000 MNIST training images (speed does not
depend on the weights), then ``transform`` is timed over the 60000 training
images, best of ``--repeats`` runs, float32 input, on the CPU unless
``--device`` says otherwise.

    python benchmarks/transform_throughput.py [--repeats 5] [--device cpu]
"""

import argparse
import time

from _common import load_mnist_flat, write_result
from sklearn.decomposition import PCA

from skae import Autoencoder, ConvAE


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    X = load_mnist_flat()[0]
    fit_rows = X[:10000]
    models = {
        "PCA(32)": PCA(32, random_state=0),
        "Autoencoder(32), 784-256-64-32": Autoencoder(
            32, max_epochs=1, device=args.device, random_state=0
        ),
        "ConvAE(32), channels (32, 64)": ConvAE(
            32, image_shape=(1, 28, 28), max_epochs=1, device=args.device, random_state=0
        ),
    }
    rows = []
    for name, model in models.items():
        model.fit(fit_rows)
        model.transform(X[:1000])  # warm-up
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            model.transform(X)
            times.append(time.perf_counter() - start)
        rows.append((name, len(X) / min(times), min(times)))
        print(rows[-1], flush=True)
    pca_rate = rows[0][1]
    lines = [
        f"`transform` of the 60000 MNIST training images (784 float32 features), best of "
        f"{args.repeats}, device {args.device}.",
        "",
        "| model | rows / s | seconds for 60000 rows | relative to PCA |",
        "|---|---:|---:|---:|",
        *(f"| {n} | {r:,.0f} | {s:.3f} | {r / pca_rate:.2f}× |" for n, r, s in rows),
    ]
    write_result("transform_throughput", "\n".join(lines))


if __name__ == "__main__":
    main()
