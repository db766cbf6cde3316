"""How much does skae's skorch training loop cost over a hand-written torch loop?

Both train the same module (skae's default MLP autoencoder, built by the same
function from the same seed) with Adam, the same batch size and the same number
of epochs on MNIST, shuffling every epoch. The hand-written loop is what a
PyTorch user writes: a ``randperm`` per epoch and index-sliced batches. The
ratio is median(skae fit) / median(hand loop) over interleaved runs.

    python benchmarks/fit_overhead.py [--epochs 2] [--repeats 5] [--batch-sizes 64 256]
"""

import argparse
import statistics
import time

import torch
from _common import load_mnist_flat, write_result

from skae import Autoencoder


def skae_fit(X, batch_size, epochs):
    ae = Autoencoder(
        n_components=32,
        batch_size=batch_size,
        max_epochs=epochs,
        n_iter_no_change=epochs + 1,  # train exactly `epochs` epochs
        random_state=0,
        device="cpu",
    )
    start = time.perf_counter()
    ae.fit(X)
    return time.perf_counter() - start, ae


def hand_loop(X, batch_size, epochs, template):
    """The same module, optimizer, batches and epochs, without skorch."""
    start = time.perf_counter()
    torch.manual_seed(0)
    module = template._build_module(X).set_standardization(*template._standardization(X))
    optimizer = torch.optim.Adam(module.parameters(), lr=template.lr)
    criterion = torch.nn.MSELoss()
    data = torch.from_numpy(X)
    module.train()
    for _ in range(epochs):
        order = torch.randperm(len(data))
        for i in range(0, len(data), batch_size):
            xb = data[order[i : i + batch_size]]
            optimizer.zero_grad()
            out = module(xb)
            loss = criterion(out.decoded, module.standardize(xb))
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--data", default=None, help="MNIST .npz (default: shared/data)")
    args = parser.parse_args()

    X = load_mnist_flat(args.data)[0]
    rows = []
    for batch_size in args.batch_sizes:
        skae_times, loop_times = [], []
        for _ in range(args.repeats):  # interleaved, so drift hits both alike
            t, ae = skae_fit(X, batch_size, args.epochs)
            skae_times.append(t)
            loop_times.append(hand_loop(X, batch_size, args.epochs, ae))
        s, h = statistics.median(skae_times), statistics.median(loop_times)
        rows.append(
            f"| {batch_size} | {args.epochs} | {s:.2f} | {h:.2f} | {s / h:.3f} | "
            f"{min(skae_times) / min(loop_times):.3f} |"
        )
        print(rows[-1], flush=True)
    body = (
        "Autoencoder(n_components=32) with the default hidden_layer_sizes=(256, 64) "
        f"on MNIST (60000x784 float32), {args.repeats} interleaved runs each; "
        "times in seconds for the whole fit (module built, all epochs).\n\n"
        "| batch | epochs | skae fit (median s) | hand loop (median s) "
        "| ratio of medians | ratio of minima |\n|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nTarget: ratio <= 1.10 at both batch sizes."
    )
    write_result("fit_overhead", body)


if __name__ == "__main__":
    main()
