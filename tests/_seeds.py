"""Seeds for a claim held at three seeds: the first runs in the fast suite, the other
two in the slow tier (``make test-slow``, which CI runs after ``make test``)."""

import pytest

FAST_THEN_SLOW_SEEDS = (
    0,
    pytest.param(1, marks=pytest.mark.slow),
    pytest.param(2, marks=pytest.mark.slow),
)
