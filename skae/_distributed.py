"""Data-parallel training on torch.distributed, through Hugging Face Accelerate.

An estimator trains data-parallel when its ``net_params`` hold an
``"accelerator"``: ``True`` (skae makes an ``accelerate.Accelerator()``, with ``cpu=True`` when
there is no GPU, which joins the process group that ``accelerate launch`` or
``torchrun`` set up) or
an ``Accelerator`` of your own. The net is then skorch's
:class:`skorch.hf.AccelerateMixin` over the usual :class:`~skae._net.AutoencoderNet`:
no subclass for the user to write, and nothing imported when no accelerator
is asked for.

What every process does, and why the processes agree:

- Each process is given the whole ``X`` (the same script runs in each) and
  computes the same standardisation and PCA start from all of it.
- Each global batch of ``batch_size`` rows, drawn from one permutation that
  every process draws alike (the seed is broadcast from the first process),
  is split across the processes, a strided share each; gradients are
  averaged across them (DistributedDataParallel), so a step sees the same
  global batch as a one-process fit.
- The training loss is averaged across processes before it is recorded, so
  early stopping and the divergence check decide alike everywhere; the
  validation rows are not split, so every process scores all of them.
- Callbacks that change weights by themselves (reviving dead top-k units)
  decide from statistics gathered across processes and take the first
  process's result.
"""

import functools
from contextlib import contextmanager

import torch
from torch import nn


def unwrap(module: nn.Module) -> nn.Module:
    """The module under a DistributedDataParallel wrapper (or the module itself)."""
    if isinstance(module, nn.parallel.DistributedDataParallel):
        return module.module
    return module


def is_distributed() -> bool:
    return torch.distributed.is_available() and torch.distributed.is_initialized()


def all_reduce(tensor: torch.Tensor, op: str = "sum") -> torch.Tensor:
    """``tensor`` reduced over every process (in place); itself when not distributed."""
    if is_distributed():
        ops = {"sum": torch.distributed.ReduceOp.SUM, "max": torch.distributed.ReduceOp.MAX}
        torch.distributed.all_reduce(tensor, op=ops[op])
    return tensor


def broadcast_parameters(module: nn.Module) -> None:
    """Give every process the first process's parameters and buffers."""
    if is_distributed():
        with torch.no_grad():
            for tensor in [*module.parameters(), *module.buffers()]:
                torch.distributed.broadcast(tensor.data, src=0)


def make_accelerator(accelerator, find_unused_parameters: bool = False):
    """The ``Accelerator`` that ``net_params["accelerator"]`` asks for.

    ``find_unused_parameters`` is for modules whose forward pass leaves some
    parameters out (a classifier on an autoencoder's encoder leaves out its
    decoder); DistributedDataParallel must be told, or it waits for their
    gradients.
    """
    if accelerator is True:
        try:
            from accelerate import Accelerator
            from accelerate.utils import DistributedDataParallelKwargs
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                'net_params={"accelerator": True} needs Hugging Face Accelerate: '
                'pip install "skae[distributed]".'
            ) from error
        handlers = [DistributedDataParallelKwargs(find_unused_parameters=True)]
        # Without cpu=True, Accelerate leaves a CPU-only machine's processes
        # unconnected (one independent fit each) even under torchrun.
        return Accelerator(
            cpu=not torch.cuda.is_available(),
            kwargs_handlers=handlers if find_unused_parameters else None,
        )
    return accelerator


def shared_seed(seed: int, accelerator) -> int:
    """The first process's seed, so that every process initialises and shuffles alike."""
    if accelerator.num_processes == 1:
        return seed
    from accelerate.utils import broadcast_object_list

    return int(broadcast_object_list([seed])[0])


@functools.cache
def accelerated(net_class: type) -> type:
    """``net_class`` with skorch's ``AccelerateMixin``; the loss recorded is the processes' mean."""
    from skorch.hf import AccelerateMixin

    class AcceleratedNet(AccelerateMixin, net_class):
        def _initialize_accelerator(self):
            # The mixin prepares the criterion too, and DistributedDataParallel
            # refuses a module without parameters (MSELoss): prepare the rest.
            criteria, self._criteria = self._criteria, []
            try:
                return super()._initialize_accelerator()
            finally:
                self._criteria = criteria

        def train_step(self, batch, **fit_params):
            step = super().train_step(batch, **fit_params)
            loss = step["loss"].detach().clone()
            step["loss"] = self.accelerator.reduce(loss, reduction="mean")
            return step

        def evaluation_step(self, batch, training=False):
            # Validation rows are not split across processes: every process
            # scores all of them, so there is nothing to gather (the mixin's
            # gather would repeat them once per process).
            return net_class.evaluation_step(self, batch, training=training)

    AcceleratedNet.__name__ = AcceleratedNet.__qualname__ = f"Accelerated{net_class.__name__}"
    return AcceleratedNet


def data_parallel_params(accelerator, seed: int) -> dict:
    """The skorch parameters of a data-parallel net (an ``accelerated`` class)."""
    return {
        "accelerator": accelerator,
        "unwrap_after_train": False,  # data_parallel unwraps, after every callback
        "iterator_train__shard": (accelerator.process_index, accelerator.num_processes),
        # The same permutations in every process, whatever else draws random numbers.
        "iterator_train__generator": torch.Generator().manual_seed(seed),
    }


@contextmanager
def data_parallel(net):
    """Train ``net`` under its accelerator's DistributedDataParallel wrapper, if it has one.

    The wrapper goes on for the block and comes off after it, after every
    callback (early stopping restores its best weights into the wrapped
    module): the fitted net holds the plain module, for inference, export and
    saving. The module is then on the accelerator's device.
    """
    accelerator = getattr(net, "accelerator", None)
    if accelerator is None:
        yield
        return
    if not net._wrapped_with_accelerator:  # a continuation: wrap the module again
        net.module_ = accelerator.prepare_model(net.module_)
        net._wrapped_with_accelerator = True
    try:
        yield
    finally:
        net._unwrap_accelerator()
        device = accelerator.device
        net.device = device.type if device.type == "cpu" else str(device)
