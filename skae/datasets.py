"""Data loaders for examples, tests and benchmarks.

Nothing here downloads during tests: MNIST comes from a local ``.npz`` file
(the layout of ``shared/data/mnist.npz``) or, only when asked, from OpenML.
"""

import os
from pathlib import Path

import numpy as np


def load_mnist(path=None):
    """Load MNIST as float32 rows scaled to [0, 1].

    Parameters
    ----------
    path : str or path-like, default=None
        An ``.npz`` file with uint8 arrays ``X_train`` (60000x28x28),
        ``y_train``, ``X_test`` and ``y_test``. ``None`` reads the
        ``SKAE_MNIST`` environment variable.

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarrays
        ``X_*`` of shape (n, 784) and dtype float32; ``y_*`` of dtype int64.

    Raises
    ------
    FileNotFoundError
        With what to do, when no file is found.
    """
    path = path or os.environ.get("SKAE_MNIST")
    if path is None or not Path(path).is_file():
        raise FileNotFoundError(
            f"MNIST not found at {path!r}. Pass the path of an .npz file with "
            "X_train, y_train, X_test, y_test (set SKAE_MNIST to make it the "
            "default), or fetch it with skae.datasets.fetch_mnist_openml()."
        )
    with np.load(path) as data:
        return tuple(
            data[key].reshape(len(data[key]), -1).astype(np.float32) / np.float32(255)
            if key.startswith("X")
            else data[key].astype(np.int64)
            for key in ("X_train", "y_train", "X_test", "y_test")
        )


def fetch_mnist_openml(data_home=None):
    """Download MNIST from OpenML (network needed), split as the classic 60k/10k.

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarrays
        As :func:`load_mnist`.
    """
    from sklearn.datasets import fetch_openml

    X, y = fetch_openml(
        "mnist_784", version=1, return_X_y=True, as_frame=False, data_home=data_home
    )
    X = (X / 255).astype(np.float32)
    y = y.astype(np.int64)
    return X[:60000], y[:60000], X[60000:], y[60000:]
