"""Per-epoch training time of each regularised variant relative to the plain Autoencoder.

MNIST (60000x784), n_components=32, the default encoder (784-256-64-32) and
batch size, 2 epochs per fit; each variant is timed interleaved with a plain
Autoencoder fit so that machine drift hits both alike. The ContractiveAE target
(3x) is for the exact Jacobian penalty; the Hutchinson estimate is the cheaper
option.

    python benchmarks/variant_cost.py [--epochs 2] [--repeats 3]
"""

import argparse
import statistics
import time

from _common import load_mnist_flat, write_result

from skae import Autoencoder, ContractiveAE, DenoisingAE, SparseAE

VARIANTS = {
    'SparseAE(sparsity="kl")': lambda **kw: SparseAE(sparsity="kl", **kw),
    'SparseAE(sparsity="l1")': lambda **kw: SparseAE(sparsity="l1", **kw),
    'SparseAE(sparsity="topk")': lambda **kw: SparseAE(sparsity="topk", **kw),
    'DenoisingAE(noise="gaussian")': lambda **kw: DenoisingAE(noise="gaussian", **kw),
    'DenoisingAE(noise="masking")': lambda **kw: DenoisingAE(noise="masking", **kw),
    'DenoisingAE(noise="salt_pepper")': lambda **kw: DenoisingAE(noise="salt_pepper", **kw),
    'ContractiveAE(jacobian="exact")': lambda **kw: ContractiveAE(jacobian="exact", **kw),
    'ContractiveAE(jacobian="hutchinson")': lambda **kw: ContractiveAE(jacobian="hutchinson", **kw),
}
TARGETS = {"SparseAE": 1.2, "DenoisingAE": 1.2, "ContractiveAE": 3.0}


def per_epoch_seconds(make, X, epochs):
    model = make(
        n_components=32,
        hidden_layer_sizes=(256, 64),
        max_epochs=epochs,
        n_iter_no_change=epochs + 1,
        device="cpu",
        random_state=0,
    )
    start = time.perf_counter()
    model.fit(X)
    return (time.perf_counter() - start) / epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", default=None, help="MNIST .npz (default: shared/data)")
    args = parser.parse_args()
    X = load_mnist_flat(args.data)[0]
    rows = []
    for name, make in VARIANTS.items():
        variant, plain = [], []
        for _ in range(args.repeats):
            variant.append(per_epoch_seconds(make, X, args.epochs))
            plain.append(per_epoch_seconds(Autoencoder, X, args.epochs))
        v, p = statistics.median(variant), statistics.median(plain)
        target = TARGETS[name.split("(")[0]]
        verdict = "meets" if v / p <= target else "misses"
        rows.append(f"| {name} | {v:.2f} | {p:.2f} | {v / p:.2f} | ≤ {target} ({verdict}) |")
        print(rows[-1], flush=True)
    body = (
        f"n_components=32, hidden_layer_sizes=(256, 64), batch_size=64, {args.epochs} "
        f"epochs per fit, median of {args.repeats} interleaved runs.\n\n"
        "| variant | s/epoch | plain Autoencoder s/epoch | ratio | target |\n"
        "|---|---|---|---|---|\n" + "\n".join(rows)
    )
    write_result("variant_cost", body)


if __name__ == "__main__":
    main()
