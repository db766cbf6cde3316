"""Tiny, session-scoped data for the fast suite (scikit-learn's bundled digits)."""

import os

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@pytest.fixture(scope="session")
def digits():
    """Digits scaled to [0, 1] as float32: (X_train, X_test, y_train, y_test)."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    return train_test_split(X, y, test_size=0.25, random_state=0)


@pytest.fixture(scope="session")
def small(digits):
    """300 training rows, for tests that only need a fitted model quickly."""
    X_train, X_test, y_train, y_test = digits
    return X_train[:300], X_test[:100]


def pytest_configure(config):
    # Under pytest-xdist (`make test` runs one worker per core) each worker
    # keeps torch to one thread: torch's intra-op pool busy-waits, so two
    # workers with a pool each would fight over the same cores.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        torch.set_num_threads(1)
