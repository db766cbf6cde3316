"""The process-wide torch state a fit touches: its random generator and default dtype.

torch has one generator and one default dtype per process. Fits run in
threads (joblib's threading backend) would reseed and draw from each other's
generator and change each other's results, so building and training (and
rebuilding a network at load) hold one lock. Processes each have their own.
"""

import contextlib
import os
import threading

import torch

_TORCH_GLOBALS = threading.RLock()


def _new_lock_in_child():
    # A lock held by another thread when the process forks would never be
    # released in the child: its first fit would wait for ever.
    global _TORCH_GLOBALS
    _TORCH_GLOBALS = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock_in_child)


@contextlib.contextmanager
def isolated_torch_state(device: str = "cpu"):
    """Build and train in float32 from torch's RNG, leaving the caller's RNG and dtype as they were.

    Fits in other threads wait: their seeds would collide in the one generator.
    """
    devices = [torch.cuda.current_device()] if device.startswith("cuda") else []
    with _TORCH_GLOBALS, torch.random.fork_rng(devices=devices):
        # skae trains in float32; a float64 default would build float64 layers.
        previous = torch.get_default_dtype()
        torch.set_default_dtype(torch.float32)
        try:
            yield
        finally:
            torch.set_default_dtype(previous)
