"""A fitted estimator's state as plain data, for pickle and for skops.

skorch pickles a net by ``torch.save``-ing its module and optimizer into the
pickle: tensors that skops cannot rebuild ("Cannot directly construct
TensorBase") and that tie the file to the device it was saved from. Here the
net is saved as what it holds: its weights and its optimizer's state as numpy
arrays, its history as lists of dicts, its device as a string. Loading builds
the same net from the parameters the estimator was fitted with and puts those
back. So a skops file of a skae estimator names no type but skae's own, and
pickles load on any device (a net saved from a GPU loads on the CPU when no
GPU is there).

What is not saved: the state of training callbacks (early stopping's counter,
a learning-rate schedule's position), except what a callback carries from one
``partial_fit`` chunk to the next (its ``stream_state()``: a top-k SparseAE's
dead-unit judgement waiting for more rows, which a stream pickled between
chunks, as a Dask cluster may do, would otherwise never reach). A reloaded
estimator transforms, scores and continues training (``warm_start``,
``partial_fit``) from its weights and optimizer state.
"""

import numpy as np
import torch
from skorch.history import History

from ._torch_state import isolated_torch_state


def _to_arrays(value):
    """``value`` with every tensor replaced by a numpy array (recursively)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, dict):
        return {key: _to_arrays(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_to_arrays(item) for item in value)
    return value


def _to_tensors(value):
    """The inverse of :func:`_to_arrays`."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, dict):
        return {key: _to_tensors(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_to_tensors(item) for item in value)
    return value


def _plain(value):
    """History entries as builtin dicts, lists and numbers (skorch's History is a list)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def net_record(net) -> dict:
    """What a fitted skorch ``net`` holds, as arrays, lists, numbers and strings."""
    return {
        "weights": _to_arrays(net.module_.state_dict()),
        "optimizer": _to_arrays(net.optimizer_.state_dict()),
        "history": _plain(net.history),
        "device": str(net.device),
        "callbacks": _to_arrays(stream_states(net)),
    }


def stream_states(net) -> dict:
    """What ``net``'s callbacks carry from one ``partial_fit`` chunk to the next, by name."""
    return {name: cb.stream_state() for name, cb in net.callbacks_ if hasattr(cb, "stream_state")}


def load_stream_states(net, states: dict) -> None:
    """Give each of ``net``'s callbacks its :func:`stream_states` entry back."""
    callbacks = dict(net.callbacks_)
    for name, state in states.items():
        callbacks[name].load_stream_state(state)


def _load_weights(module, weights: dict) -> None:
    """``module.load_state_dict(weights)``, taking the saved shape of buffers set after building.

    Buffers such as the standardisation's mean or a code scale are given
    their shape by fitting, not by the module's constructor.
    """
    for name, value in weights.items():
        owner_name, _, attribute = name.rpartition(".")
        owner = module.get_submodule(owner_name)
        if attribute not in owner._buffers:
            continue
        buffer = owner._buffers[attribute]
        if buffer is None:  # an optional buffer that fitting set (a target's statistics)
            like = next(module.parameters(), value)
            owner._buffers[attribute] = value.to(like.device)
        elif buffer.shape != value.shape:
            owner._buffers[attribute] = value.to(buffer.device, buffer.dtype)
    module.load_state_dict(weights)


def restore_net(net, record: dict):
    """Put ``record``'s weights, optimizer state, history and callbacks' stream
    state into an initialised ``net``."""
    _load_weights(net.module_, _to_tensors(record["weights"]))
    net.optimizer_.load_state_dict(_to_tensors(record["optimizer"]))
    net.history = History(record["history"])
    # On the CPU: the callback moves it where its next batch is. Absent from
    # records saved before it was kept.
    load_stream_states(net, _to_tensors(record.get("callbacks", {})))
    net.module_.eval()
    return net


def load_device(saved: str) -> str:
    """The device to load a net saved on ``saved``: the same, or the CPU when it is absent."""
    if saved.startswith("cuda") and not torch.cuda.is_available():
        return "cpu"
    return saved


class PortableNetMixin:
    """Pickle (and skops-save) the fitted ``net_`` as :func:`net_record`'s plain data.

    The estimator implements ``_restore_net(record, device)``, which builds
    its net afresh from the parameters it was fitted with and its fitted
    attributes and returns it with :func:`restore_net` applied.
    """

    # Attributes rebuilt at load rather than saved.
    _derived_attributes = ("_inference_modules", "history_")

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: Python may hand out __dict__ itself
        for name in self._derived_attributes:
            state.pop(name, None)
        if "net_" in state:
            state["net_"] = net_record(state["net_"])
        return state

    def __setstate__(self, state):
        state = dict(state)
        record = state.pop("net_", None)
        super().__setstate__(state)
        if record is not None:
            # Building the net draws its (discarded) initial weights from
            # torch's RNG: loading must not move the caller's, nor build in
            # another default dtype.
            with isolated_torch_state():
                self.net_ = self._restore_net(record, load_device(record["device"]))
            self._restored()

    def _restored(self):
        """Rebuild the derived attributes after loading."""
