"""Epoch time of an MNIST Autoencoder fit in one process and data-parallel in two (gloo, CPU).

Each configuration fits ``Autoencoder(32)`` (784-256-64-32, at each global batch size)
for ``--epochs`` epochs on the 60000 MNIST training images and reports the
median epoch time (skorch's ``dur``) and the held-out squared error per image
on the 10000 test images. Two processes run under ``torchrun`` with
``net_params={"accelerator": True}``, one thread each (torchrun's default);
one process runs once with one thread and once with torch's default pool. On a
machine with several GPUs, ``--gpus N`` adds N processes on N GPUs instead.

    python benchmarks/data_parallel.py [--epochs 3] [--batch-sizes 64 512] [--gpus 0]
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

FIT = """
import json, os, sys
import numpy as np
sys.path.insert(0, {benchmarks!r})
from _common import load_mnist_flat
from skae import Autoencoder
X, _, X_test, _ = load_mnist_flat()
params = dict(max_epochs={epochs}, batch_size={batch_size}, random_state=0)
if int(os.environ.get("WORLD_SIZE", "1")) > 1:
    params["net_params"] = {{"accelerator": True}}
model = Autoencoder(32, **params).fit(X)
error = float(((model.inverse_transform(model.transform(X_test)) - X_test) ** 2).sum(1).mean())
if int(os.environ.get("RANK", "0")) == 0:
    print(json.dumps({{"epoch": float(np.median(model.history_[:, "dur"])), "error": error}}))
"""


def run(script: str, processes: int, threads: int | None) -> dict:
    env = dict(os.environ)
    if threads is not None:
        env["OMP_NUM_THREADS"] = str(threads)
    if processes == 1:
        command = [sys.executable, "-c", script]
    else:
        path = Path("/tmp/skae_data_parallel_fit.py")
        path.write_text(script)
        command = [
            sys.executable, "-m", "torch.distributed.run", "--standalone",
            "--nproc_per_node", str(processes), str(path),
        ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--gpus", type=int, default=0)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 512])
    args = parser.parse_args()
    from _common import write_result

    configurations = [
        ("1 process, 1 thread", 1, 1),
        (f"1 process, torch's default threads ({os.cpu_count()} cores)", 1, None),
        ("2 processes (gloo), 1 thread each", 2, 1),
    ]
    if args.gpus > 1:
        configurations.append((f"{args.gpus} processes on {args.gpus} GPUs", args.gpus, None))
    rows = []
    for batch_size in args.batch_sizes:
        script = FIT.format(
            benchmarks=str(Path(__file__).parent), epochs=args.epochs, batch_size=batch_size
        )
        base = None
        for label, processes, threads in configurations:
            result = run(script, processes, threads)
            base = base or result["epoch"]
            rows.append(
                (batch_size, label, result["epoch"], base / result["epoch"], result["error"])
            )
            print(rows[-1], flush=True)
    lines = [
        f"`Autoencoder(32)` on the 60000 MNIST training images, {args.epochs} epochs; median "
        "epoch time and held-out squared error per test image. The batch is the global one: "
        "two processes take half of each.",
        "",
        "| global batch | configuration | epoch (s) | speed-up over 1 process, 1 thread | "
        "held-out error |",
        "|---:|---|---:|---:|---:|",
        *(f"| {b} | {label} | {e:.1f} | {s:.2f}× | {err:.2f} |" for b, label, e, s, err in rows),
    ]
    write_result("data_parallel", "\n".join(lines))


if __name__ == "__main__":
    main()
