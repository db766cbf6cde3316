"""How much does skae's skorch training loop cost over a hand-written torch loop?

Both train the same module (skae's default MLP autoencoder, built by the same
function from the same seed) with Adam, the same batch size and the same number
of epochs on MNIST, shuffling every epoch. The hand-written loop is what a
PyTorch user writes: a ``randperm`` per epoch and index-sliced batches. The
ratio is median(skae fit) / median(hand loop) over interleaved runs. A third
column times skorch's own default data path (a ``Dataset`` whose rows a
``DataLoader`` fetches and collates one at a time) on the same module, which
is what skae's contiguous-tensor batches replace. All three use the optimizer
skae configures (fused Adam where torch has it, ``skae._base.optimizer_params``);
a last column times skae with the per-tensor (unfused) Adam, to show what
fusing saves.

    python benchmarks/fit_overhead.py [--epochs 2] [--repeats 5] [--batch-sizes 64 256]
"""

import argparse
import statistics
import time

import torch
from _common import load_mnist_flat, write_result
from skorch import NeuralNet
from skorch.utils import to_tensor

from skae import Autoencoder
from skae._base import optimizer_params


def _adam(parameters, lr):
    """skae's Adam: the same keyword arguments skae gives skorch's optimizer."""
    fused = optimizer_params(torch.optim.Adam, "cpu")
    return torch.optim.Adam(parameters, lr=lr, **{k.split("__")[1]: v for k, v in fused.items()})


def skae_fit(X, batch_size, epochs, fused=True):
    ae = Autoencoder(
        n_components=32,
        batch_size=batch_size,
        max_epochs=epochs,
        n_iter_no_change=epochs + 1,  # train exactly `epochs` epochs
        early_stopping=False,  # all rows, no validation pass: the hand loop's work
        init="random",  # the hand loop's random start (PCA's start is a one-off cost)
        random_state=0,
        device="cpu",
        net_params=None if fused else {"optimizer__fused": False},
    )
    start = time.perf_counter()
    ae.fit(X)
    return time.perf_counter() - start, ae


def hand_loop(X, batch_size, epochs, template):
    """The same module, optimizer, batches and epochs, without skorch."""
    start = time.perf_counter()
    torch.manual_seed(0)
    module = template._build_module(X).set_standardization(*template._standardization(X))
    optimizer = _adam(module.parameters(), template.lr)
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


class _ReconstructionNet(NeuralNet):
    """skorch's plain NeuralNet, reconstructing its input (y is None)."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        X = to_tensor(X, device=self.device)
        return self.criterion_(y_pred.decoded, self.module_.standardize(X))


def skorch_default_path(X, batch_size, epochs, template):
    """The same module and optimizer through skorch's default Dataset and DataLoader."""
    start = time.perf_counter()
    torch.manual_seed(0)
    module = template._build_module(X).set_standardization(*template._standardization(X))
    net = _ReconstructionNet(
        module,
        criterion=torch.nn.MSELoss,
        optimizer=torch.optim.Adam,
        lr=template.lr,
        **optimizer_params(torch.optim.Adam, "cpu"),
        max_epochs=epochs,
        batch_size=batch_size,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
    )
    net.fit(X, None)
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
        skae_times, loop_times, default_times, unfused_times = [], [], [], []
        for _ in range(args.repeats):  # interleaved, so drift hits all alike
            t, ae = skae_fit(X, batch_size, args.epochs)
            skae_times.append(t)
            loop_times.append(hand_loop(X, batch_size, args.epochs, ae))
            default_times.append(skorch_default_path(X, batch_size, args.epochs, ae))
            unfused_times.append(skae_fit(X, batch_size, args.epochs, fused=False)[0])
        s, h = statistics.median(skae_times), statistics.median(loop_times)
        d, u = statistics.median(default_times), statistics.median(unfused_times)
        rows.append(
            f"| {batch_size} | {args.epochs} | {s:.2f} | {h:.2f} | {s / h:.3f} | "
            f"{min(skae_times) / min(loop_times):.3f} | {d:.2f} | {d / h:.3f} | "
            f"{u:.2f} | {u / s:.3f} |"
        )
        print(rows[-1], flush=True)
    body = (
        "Autoencoder(n_components=32) with the default hidden_layer_sizes=(256, 64) "
        f"on MNIST (60000x784 float32), {args.repeats} interleaved runs each; "
        "times in seconds for the whole fit (module built, all epochs).\n\n"
        "| batch | epochs | skae fit (median s) | hand loop (median s) "
        "| ratio of medians | ratio of minima | skorch default data path (median s) "
        "| its ratio to the hand loop | skae, unfused Adam (median s) "
        "| its ratio to skae's fit |\n|---|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nTarget: ratio <= 1.10 at both batch sizes."
    )
    write_result("fit_overhead", body)


if __name__ == "__main__":
    main()
