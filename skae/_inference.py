"""Inference: a fitted module applied to an array in bounded batches, cheap for one row.

``transform`` on one row is dominated by fixed costs, not arithmetic: input
validation, switching the module to eval mode (a walk over every submodule)
and, for float64 input, a float64 copy of the module. Here the module is put
in eval mode once after fitting, and the float64 copy is made once and kept
until the weights change.
"""

import copy
import threading
import warnings
from itertools import chain

import numpy as np
import torch
from torch import nn

from ._data import MappedPages
from ._threads import forward_work_per_row, threads_for, torch_threads

# Inference batches are larger than training ones: no gradients are kept.
INFERENCE_BATCH_SIZE = 4096

# Concurrent transforms may ask for the float64 copy at the same time: one builds it.
_TWIN_LOCK = threading.Lock()
# Whether a read-only array has been shared with torch in this process (as_tensor).
_READ_ONLY_LOCK = threading.Lock()
_READ_ONLY_SHARED = False


def as_tensor(X: np.ndarray, dtype=np.float32) -> torch.Tensor:
    """Share memory with ``X`` when it already has ``dtype``; convert it once otherwise."""
    global _READ_ONLY_SHARED
    X = X.astype(dtype, copy=False)
    if any(stride < 0 for stride in X.strides):
        X = np.ascontiguousarray(X)  # a reversed view: torch cannot share its memory
    if X.flags.writeable or (_READ_ONLY_SHARED and not torch.is_warn_always_enabled()):
        return torch.from_numpy(X)
    # Read-only arrays (memmaps, joblib-shared data) are fine: skae never
    # writes to its input. torch says otherwise once per process (unless
    # torch.set_warn_always), so its warning is filtered at the first such
    # array only: catch_warnings swaps the process-wide filters, which
    # concurrent transforms must not race on.
    with _READ_ONLY_LOCK:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
            tensor = torch.from_numpy(X)
        _READ_ONLY_SHARED = True
    return tensor


def chunks(X: np.ndarray, rows: int = INFERENCE_BATCH_SIZE):
    """Yield ``X`` in bounded row chunks (views); pages of a mapped file are released after use."""
    pages = MappedPages.of(X)
    for start in range(0, len(X), rows):
        chunk = X[start : start + rows]
        yield chunk
        if pages is not None:
            pages.release(chunk)


def _versions(tensors) -> tuple:
    """torch's count of in-place changes of each tensor (optimizer steps and
    ``load_state_dict`` included)."""
    return tuple(t._version for t in tensors)


class InferenceModules:
    """The fitted module in each float dtype inference runs in.

    float64 input runs through a float64 copy of the module: float32 matrix
    products round differently with the batch's size, and a row's output
    must not depend on the rows beside it. The copy is made on first use and
    remade only when the module's weights change. Nothing of it is pickled.
    """

    def __init__(self, n_features: int):
        self.n_features = n_features
        self._twin = None
        self._key = None
        self._work = None
        self._tensors = None  # (id of the module, its parameters and buffers)

    def work_per_row(self, module: nn.Module) -> float:
        """Forward multiply-adds per input row (:func:`~skae._threads.forward_work_per_row`)."""
        if self._work is None or self._work[0] != id(module):
            self._work = (id(module), forward_work_per_row(module, self.n_features))
        return self._work[1]

    def get(self, module: nn.Module, dtype) -> nn.Module:
        """``module`` ready for inference on input of ``dtype``."""
        if module.training:  # e.g. after a skorch call that left it training
            module.eval()
        if dtype != np.float64:
            return module
        if self._tensors is None or self._tensors[0] != id(module):
            # Listed once: walking the module tree costs more than the rest of
            # a one-row transform. Fitting and loading replace this object.
            self._tensors = (id(module), list(chain(module.parameters(), module.buffers())))
        key = (id(module), _versions(self._tensors[1]))
        with _TWIN_LOCK:
            if self._key != key:
                self._twin = copy.deepcopy(module).double().eval()
                self._key = key
            return self._twin

    def __getstate__(self):
        return {"n_features": self.n_features}

    def __setstate__(self, state):
        self.__init__(state["n_features"])

    def __deepcopy__(self, memo):
        return InferenceModules(self.n_features)


def batched_inference(
    module: nn.Module, device, fn, X: np.ndarray, modules: InferenceModules | None = None
) -> np.ndarray:
    """Apply ``fn(module, batch)`` to ``X`` in bounded batches, in eval mode, without gradients.

    Inference runs in the input's float dtype (see :class:`InferenceModules`,
    which ``modules`` caches; without it a float64 copy is made per call, and
    ``X`` must have the module's input width), on
    as many threads as a batch's work keeps busy (:mod:`skae._threads`).
    """
    modules = modules or InferenceModules(X.shape[1])
    work = modules.work_per_row(module) * min(len(X), INFERENCE_BATCH_SIZE)
    # Less work than two threads' share runs nearly serially in torch's
    # kernels anyway, and resizing the pool costs more than a small
    # transform (MKL re-plans its threads: 45 µs measured): leave it be.
    wanted = threads_for(work)
    threads = wanted if wanted > 1 else torch.get_num_threads()
    module = modules.get(module, X.dtype)
    out, done = None, 0
    with torch.inference_mode(), torch_threads(threads):
        if not len(X):  # no chunk to run: the empty batch gives the output's shape
            return fn(module, as_tensor(X, X.dtype).to(device)).cpu().numpy()
        for chunk in chunks(X):
            result = fn(module, as_tensor(chunk, X.dtype).to(device)).cpu()
            if len(result) == len(X):  # one batch: its result is the output, no copy
                return result.numpy()
            if out is None:
                # One array filled chunk by chunk: a list of chunks joined at
                # the end would hold the whole output twice.
                out = torch.empty((len(X), *result.shape[1:]), dtype=result.dtype)
            out[done : done + len(result)] = result
            done += len(result)
    return out.numpy()
