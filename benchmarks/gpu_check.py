"""Each variant's fit and transform on CUDA against the CPU (and bf16 mixed precision).

On a machine with a CUDA GPU it fits every skae autoencoder for ``--epochs``
on ``--rows`` MNIST training images on the CPU and on the GPU (and on the GPU
with ``net_params={"mixed_precision": True}``), times fit and transform, checks
that a GPU-fitted model pickles and reloads on the CPU with the same codes and
exports to ONNX that onnxruntime runs on the CPU, and prints the table.
Without CUDA it says so and exits without error.

    python benchmarks/gpu_check.py [--rows 20000] [--epochs 3]
"""

import argparse
import io
import pickle
import time

import numpy as np
import torch
from _common import load_mnist_flat, write_result

from skae import VAE, Autoencoder, ContractiveAE, ConvAE, DenoisingAE, LinearAE, SparseAE

VARIANTS = {
    "Autoencoder": lambda **kw: Autoencoder(32, **kw),
    "LinearAE": lambda **kw: LinearAE(32, **kw),
    "SparseAE": lambda **kw: SparseAE(64, **kw),
    "DenoisingAE": lambda **kw: DenoisingAE(32, **kw),
    "ContractiveAE": lambda **kw: ContractiveAE(32, **kw),
    "VAE": lambda **kw: VAE(32, **kw),
    "ConvAE": lambda **kw: ConvAE(32, image_shape=(1, 28, 28), **kw),
}


def timed(model, X):
    start = time.perf_counter()
    model.fit(X)
    if model.net_.device != "cpu":
        torch.cuda.synchronize()
    fit = time.perf_counter() - start
    start = time.perf_counter()
    codes = model.transform(X)
    return fit, time.perf_counter() - start, codes


def reloads_on_cpu(model, X) -> bool:
    """Pickle a GPU model, load it where CUDA is hidden, compare the codes."""
    blob = pickle.dumps(model)
    with torch.device("cpu"):
        original = torch.cuda.is_available
        torch.cuda.is_available = lambda: False  # what a CPU-only machine reports
        try:
            restored = pickle.load(io.BytesIO(blob))
        finally:
            torch.cuda.is_available = original
    return restored.net_.device == "cpu" and np.allclose(
        restored.transform(X[:500]), model.transform(X[:500]), atol=1e-4
    )


def exports_to_onnx(model, X) -> str:
    """Export the GPU model's transform to ONNX and run it on onnxruntime's CPU provider."""
    try:
        import onnxruntime

        from skae.onnx import to_onnx
    except ImportError:
        return "extra onnx not installed"
    session = onnxruntime.InferenceSession(
        to_onnx(model).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    difference = np.abs(session.run(None, {"X": X[:500]})[0] - model.transform(X[:500])).max()
    return f"max abs diff {difference:.1e}"


def variant_rows(X, epochs, device="cuda"):
    """Each variant's row of the table: fit on the CPU, on ``device`` and on ``device``
    in bf16, the transforms, and whether the ``device`` model reloads on the CPU and
    exports to ONNX. ``device="cpu"`` runs the same checks without a GPU (the tests')."""
    common = dict(max_epochs=epochs, batch_size=256, random_state=0)
    rows = []
    for name, make in VARIANTS.items():
        cpu_fit, cpu_transform, _ = timed(make(device="cpu", **common), X)
        gpu = make(device=device, **common)
        gpu_fit, gpu_transform, _ = timed(gpu, X)
        bf16 = make(device=device, net_params={"mixed_precision": True}, **common)
        bf16_fit, _, _ = timed(bf16, X)
        rows.append(
            (
                name,
                cpu_fit,
                gpu_fit,
                bf16_fit,
                cpu_transform,
                gpu_transform,
                reloads_on_cpu(gpu, X),
                exports_to_onnx(gpu, X),
            )
        )
        print(rows[-1], flush=True)
    return rows


def table(rows, device_name, epochs, n_rows) -> list[str]:
    return [
        f"{device_name}: fit ({epochs} epochs, batch 256) and transform "
        f"of {n_rows} MNIST images, seconds.",
        "",
        "| variant | fit CPU | fit CUDA | fit CUDA bf16 | transform CPU | transform CUDA | "
        "CUDA model reloads on CPU | CUDA model's ONNX export on CPU |",
        "|---|---:|---:|---:|---:|---:|---|---|",
        *(
            f"| {n} | {a:.1f} | {b:.1f} | {c:.1f} | {d:.2f} | {e:.2f} | {f} | {g} |"
            for n, a, b, c, d, e, f, g in rows
        ),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print(
            "gpu_check: no CUDA GPU on this machine (torch.cuda.is_available() is False); "
            "nothing was run."
        )
        return
    X = load_mnist_flat()[0][: args.rows]
    rows = variant_rows(X, args.epochs)
    lines = table(rows, torch.cuda.get_device_name(), args.epochs, len(X))
    write_result("gpu_check", "\n".join(lines))


if __name__ == "__main__":
    main()
