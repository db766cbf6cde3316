"""transform latency for 1, 32 and 4096 MNIST rows, float32 and float64: skae against PCA.

Each model is fitted briefly on 5000 MNIST training images (latency does not
depend on the weights). Each call of ``transform`` on the same rows is timed
``--calls`` times after a warm-up; the table gives the median in milliseconds
and the ratio to PCA of the same number of components on the same rows. The
process keeps torch's default thread count; skae picks its own per call
(:mod:`skae._threads`).

    python benchmarks/inference_latency.py [--calls 300]
"""

import argparse
import time

import numpy as np
from _common import load_mnist_flat, write_result
from sklearn.decomposition import PCA

from skae import Autoencoder, ConvAE

ROWS = (1, 32, 4096)


def median_ms(fn, X, calls: int) -> float:
    for _ in range(5):
        fn(X)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn(X)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    X = load_mnist_flat()[0][:5000]
    models = {
        "PCA(32)": PCA(32, random_state=0),
        "Autoencoder(32), default 784-256-64-32 with its linear path": Autoencoder(
            32, max_epochs=1, random_state=0
        ),
        "Autoencoder(30), 784-1000-500-250-30": Autoencoder(
            30, hidden_layer_sizes=(1000, 500, 250), max_epochs=1, random_state=0
        ),
        "ConvAE(32), channels (32, 64)": ConvAE(
            32, image_shape=(1, 28, 28), max_epochs=1, random_state=0
        ),
    }
    for model in models.values():
        model.fit(X)
    table = {}
    for dtype in (np.float32, np.float64):
        for rows in ROWS:
            batch = X[:rows].astype(dtype)
            for name, model in models.items():
                calls = max(10, args.calls * 32 // max(rows, 32))
                table[name, dtype.__name__, rows] = median_ms(model.transform, batch, calls)
                print(name, dtype.__name__, rows, f"{table[name, dtype.__name__, rows]:.3f} ms")
    header = " | ".join(
        f"{d}, {r} row{'s' * (r > 1)}" for d in ("float32", "float64") for r in ROWS
    )
    lines = [
        "Median milliseconds per `transform` call (ratio to PCA(32) on the same rows).",
        "",
        f"| model | {header} |",
        "|---|" + "---:|" * (2 * len(ROWS)),
    ]
    for name in models:
        cells = []
        for dtype in ("float32", "float64"):
            for rows in ROWS:
                ms, pca = table[name, dtype, rows], table["PCA(32)", dtype, rows]
                cells.append(f"{ms:.3f} ({ms / pca:.1f}×)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    write_result("inference_latency", "\n".join(lines))


if __name__ == "__main__":
    main()
