"""Helpers shared by the benchmark scripts: MNIST loading and result writing."""

import datetime
import os
import platform
import shlex
import sys
from pathlib import Path

import numpy as np
import sklearn
import skorch
import torch

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"


def load_mnist_flat(path=None):
    """MNIST as float32 rows in [0, 1]: (X_train, y_train, X_test, y_test)."""
    from skae.datasets import load_mnist

    return load_mnist(path or os.environ.get("SKAE_MNIST", DEFAULT_MNIST))


def environment() -> str:
    return (
        f"{datetime.date.today()} · {platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"skorch {skorch.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, Python {platform.python_version()}"
    )


def write_result(name: str, body: str) -> Path:
    """Write ``results/<name>.md`` headed by the command that produced it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    script = Path(sys.argv[0]).resolve().relative_to(Path(__file__).resolve().parents[1])
    command = "python " + " ".join(shlex.quote(str(a)) for a in [script, *sys.argv[1:]])
    text = f"# {name}\n\nCommand: `{command}`\n\nEnvironment: {environment()}\n\n{body}\n"
    path = RESULTS / f"{name}.md"
    path.write_text(text)
    print(text)
    return path
