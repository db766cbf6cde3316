"""Tiny, session-scoped data for the fast suite (scikit-learn's bundled digits)."""

import numpy as np
import pytest
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
