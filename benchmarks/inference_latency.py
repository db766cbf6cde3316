"""transform latency for 1, 32 and 4096 MNIST rows, float32 and float64: skae against PCA.

Each model is fitted briefly on 5000 MNIST training images (latency does not
depend on the weights). Each call of ``transform`` on the same rows is timed
``--calls`` times after a warm-up, one model after another, and that round is
run ``--rounds`` times; the table gives each model's lowest median over the
rounds, in milliseconds, and the ratio to PCA of the same number of components
on the same rows. On a shared machine other work only ever adds time, and a
burst of it can fall on one model's block: with one round, two runs of the
script differed by up to 1.8x in PCA's 1-row cell. The calls of different
models do not take turns one by one: torch's threads spin for a while after
a call, so a numpy call right after a torch call competes with them for the
cores (a run that alternated the calls timed PCA 2-4x slower). The
process keeps torch's default thread count; skae picks its own per call
(:mod:`skae._threads`).

    python benchmarks/inference_latency.py [--calls 300] [--rounds 3]
"""

import argparse
import time

import numpy as np
from _common import load_mnist_flat, write_result
from sklearn.decomposition import PCA

from skae import Autoencoder, ConvAE

ROWS = (1, 32, 4096)


def median_ms(fn, X, calls: int) -> float:
    """Median milliseconds per ``fn(X)`` over ``calls`` calls after a warm-up."""
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
    parser.add_argument("--rounds", type=int, default=3)
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
            calls = max(10, args.calls * 32 // max(rows, 32))
            for _ in range(args.rounds):
                for name, model in models.items():
                    ms = median_ms(model.transform, batch, calls)
                    key = name, dtype.__name__, rows
                    table[key] = min(ms, table.get(key, np.inf))
                    print(name, dtype.__name__, rows, f"{ms:.3f} ms")
    header = " | ".join(
        f"{d}, {r} row{'s' * (r > 1)}" for d in ("float32", "float64") for r in ROWS
    )
    lines = [
        f"Median milliseconds per `transform` call, the lowest of {args.rounds} rounds "
        "(ratio to PCA(32) on the same rows).",
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
