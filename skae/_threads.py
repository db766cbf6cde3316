"""How many torch threads a fit or a transform uses: as many as its work can keep busy.

torch's intra-op threads busy-wait between operations. A small network's
operations are too short to share out, so extra threads gain nothing and, when
other processes want the cores (a grid search, joblib workers, a second fit),
their spinning takes the cores from them: a digits fit that needs 0.3 s on one
thread was measured at 75 s beside other work. So skae sizes the pool from the
work of one call (the forward pass's multiply-adds over a batch) and runs with
one thread per :data:`WORK_PER_THREAD` multiply-adds of it, never more than
the limit already in force.

The limit in force is ``torch.get_num_threads()``, which honours
``torch.set_num_threads``, ``OMP_NUM_THREADS`` (joblib's process workers set
it to their share of the cores) and ``threadpoolctl.threadpool_limits`` (torch
runs its pool on OpenMP, which threadpoolctl limits).
"""

from contextlib import contextmanager

import torch
from torch import nn

# Forward-pass multiply-adds per batch that justify one more thread. Measured
# on a 2-core CPU (torch 2.13): training steps of 4.3e6 multiply-adds per
# batch (digits, 64-256-64-k MLP, batch 64) run 1.04x faster on two threads,
# 1.4e7 (a small conv net) 1.2x, 2.8e7 (MNIST, 784-256-64-k, batch 64) 1.3x
# and 1.8e8 (784-1000-500-250-k) 1.9x; an MNIST epoch of Autoencoder(32) at
# batch 64 takes 2.8 s on two threads and 3.4 s on one
# (benchmarks/results/data_parallel.md).
WORK_PER_THREAD = 1.25e7


def forward_work_per_row(module: nn.Module, n_features: int) -> float:
    """Multiply-adds of ``module``'s forward pass on one row, counted by forward hooks.

    Every layer with a weight matrix or kernel counts its weight's size times
    the positions it is applied at (1 for a dense layer; the output's
    positions for a convolution, an upper bound for a transposed one).
    """
    total = 0.0

    def count(layer, inputs, output):
        nonlocal total
        weight = getattr(layer, "weight", None)
        if not isinstance(weight, torch.Tensor) or weight.dim() < 2:
            return
        positions = output[0, 0].numel() if output.dim() > 2 else 1
        total += weight.numel() * positions

    hooks = [layer.register_forward_hook(count) for layer in module.modules()]
    training = module.training
    module.eval()  # no corruption or sampling: the count must not draw random numbers
    try:
        like = next(module.parameters(), torch.zeros(()))
        with torch.no_grad():
            module(like.new_zeros(1, n_features))
    finally:
        module.train(training)
        for hook in hooks:
            hook.remove()
    return total


def threads_for(work: float) -> int:
    """Threads for a call of ``work`` forward multiply-adds, within the limit in force."""
    limit = torch.get_num_threads()
    return int(min(limit, max(1, work // WORK_PER_THREAD)))


@contextmanager
def torch_threads(n: int):
    """Run the block on ``n`` torch intra-op threads, then restore the previous count."""
    before = torch.get_num_threads()
    if n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
