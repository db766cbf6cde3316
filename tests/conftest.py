"""Tiny, session-scoped data for the fast suite (scikit-learn's bundled digits)."""

import os

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="session")
def digits():
    """Digits scaled to [0, 1] as float32: (X_train, X_test, y_train, y_test)."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    return train_test_split(X, y, test_size=0.25, random_state=0)


@pytest.fixture
def skae_onnx():
    """:mod:`skae.onnx`, skipped only where its optional extra (onnx) is missing:
    an ImportError inside skae.onnx itself fails the test instead of skipping it."""
    pytest.importorskip("onnx")
    import skae.onnx

    return skae.onnx


@pytest.fixture(scope="session")
def small(digits):
    """300 training rows, for tests that only need a fitted model quickly."""
    X_train, X_test, y_train, y_test = digits
    return X_train[:300], X_test[:100]


def pytest_configure(config):
    # Under pytest-xdist (`make test` runs one worker per core) each worker
    # keeps torch, and the BLAS under numpy and scikit-learn, to one thread:
    # their pools busy-wait, so two workers with a pool each would fight over
    # the same cores (the BLAS limit alone saves a tenth of the CPU time of
    # the tests that fit scikit-learn models).
    if os.environ.get("PYTEST_XDIST_WORKER"):
        torch.set_num_threads(1)
        threadpool_limits(1)


# Test modules whose tests share an expensive module-scoped fixture (a torchrun
# launch, fits compared across seeds): under pytest-xdist each runs whole on
# one worker, so that its fixtures are built once. Every other test is its own
# unit of work, as under xdist's default `--dist load`. (xdist's own
# `--dist loadgroup` does not group under pytest 9: it renames items through a
# private attribute that pytest no longer reads; pytest-dev/pytest-xdist#1386,
# open, with a fix proposed in #1388.)
ONE_WORKER_MODULES = {
    "tests/test_distributed.py",
    "tests/test_regularised.py",
    "tests/test_scale.py",
    "tests/test_vae.py",
}


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "load":
        return None  # an explicit --dist choice is the user's
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return SharedFixtureScheduling(config, log)


# Last in the queue: the conformance checks and the docstring examples, over a
# thousand tests of well under a second each. Under pytest-xdist the workers
# then finish within a second of each other, instead of one idling while the
# other ends on a fit that takes several seconds.
def _runs_last(item):
    return item.nodeid.startswith(("tests/test_common.py", "skae/"))


def pytest_collection_modifyitems(config, items):
    items.sort(key=_runs_last)  # stable: the order within each group is kept
