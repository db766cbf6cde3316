"""Helpers shared by the benchmark scripts: MNIST loading and result writing."""

import datetime
import math
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import sklearn
import skorch
import torch
from _paths import RESULTS, ROOT, figure_code  # noqa: F401  (the scripts import RESULTS)
from skorch.callbacks import Callback

# The scripts import this module first: their run time counts from here.
STARTED = time.perf_counter()
DEFAULT_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"


def load_mnist_flat(path=None):
    """MNIST as float32 rows in [0, 1]: (X_train, y_train, X_test, y_test)."""
    from skae.datasets import load_mnist

    return load_mnist(path or os.environ.get("SKAE_MNIST", DEFAULT_MNIST))


def digits_split():
    """Digits scaled to [0, 1] as float32, the fast suite's 75/25 split (``tests/conftest.py``).

    Returns (X_train, X_test, y_train, y_test).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    return train_test_split((X / 16.0).astype(np.float32), y, test_size=0.25, random_state=0)


def cpu_model() -> str:
    """The processor's name: seeded fits round differently on different CPUs, and
    wall-clock figures depend on it, so results files say which one made them."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment() -> str:
    return (
        f"{datetime.date.today()} · {cpu_model()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"skorch {skorch.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, Python {platform.python_version()}"
    )


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def commit(script) -> str:
    """The commit the code ran at, ``+`` when the script's figure code differed from it
    (``figure_code``: skae/ and the benchmark modules it runs; results files and
    other scripts do not count, so a run of many scripts stays clean)."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        changed = _git("status", "--porcelain", "--", *figure_code(script))
    except OSError:
        return "unknown"
    return (head or "unknown") + ("+" if changed else "")


# Taken as the script starts: the code it runs is what was there then, whatever
# is committed while it runs.
RAN_AT = commit(sys.argv[0])


def write_result(name: str, body: str) -> Path:
    """Write ``results/<name>.md`` headed by the command that produced it, the commit
    and machine it ran on, and its run time so far (``make bench`` is their sum)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    script = Path(sys.argv[0]).resolve().relative_to(ROOT)
    command = "python " + " ".join(shlex.quote(str(a)) for a in [script, *sys.argv[1:]])
    ran = f"commit {RAN_AT}, {time.perf_counter() - STARTED:.0f} s from the command's start"
    text = (
        f"# {name}\n\nCommand: `{command}`\n\nEnvironment: {environment()}\n\n"
        f"Run: {ran}\n\n{body}\n"
    )
    path = RESULTS / f"{name}.md"
    path.write_text(text)
    print(text)
    return path


class TimeBudget(Callback):
    """Cosine-anneal the learning rate over a wall-clock budget, then stop.

    The rate at each batch is ``lr0 · ½(1 + cos(π · elapsed / budget))``, so a run
    ends its budget at a small rate whatever the machine's speed; training stops
    after the epoch in which the budget runs out (skorch ends ``fit`` on
    ``KeyboardInterrupt``, as its own ``EarlyStopping`` does).
    """

    def __init__(self, seconds: float, anneal: bool = True):
        self.seconds = seconds
        self.anneal = anneal

    def on_train_begin(self, net, **kwargs):
        self.start_ = time.perf_counter()
        self.lr0_ = net.lr

    def on_batch_begin(self, net, training=False, **kwargs):
        if not (training and self.anneal):
            return
        fraction = min(1.0, (time.perf_counter() - self.start_) / self.seconds)
        for group in net.optimizer_.param_groups:
            group["lr"] = self.lr0_ * 0.5 * (1 + math.cos(math.pi * fraction))

    def on_epoch_end(self, net, **kwargs):
        if time.perf_counter() - self.start_ >= self.seconds:
            raise KeyboardInterrupt
