"""The one skorch net every skae autoencoder trains with.

Loss = reconstruction(decoded, target) + sum of the variant's penalties; the
target is the clean X, or the paired target Y of an encoder-decoder regressor. New
variants add penalties or modules; they never subclass this net again and never
rewrite the training step.
"""

import math

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.utils import to_tensor

from ._distributed import unwrap
from ._penalties import penalty_name


class DivergenceError(RuntimeError):
    """Raised when the training loss stops being finite."""


class StopOnDivergence(Callback):
    """Stop at the first batch loss that is not finite or has exploded, saying what to try.

    Exploded: ``GROWTH`` times above the fit's first training batch loss (or
    above ``GROWTH`` where that loss is below 1 in magnitude). Training
    never raises the loss that far; a step size that overshoots does, and
    may stay finite for a long while before it overflows.
    """

    GROWTH = 1e6

    def on_train_begin(self, net, **kwargs):
        self.first_loss_ = None

    def on_batch_end(self, net, batch=None, training=None, loss=None, **kwargs):
        if loss is None:
            return
        value = loss.item()
        if training and self.first_loss_ is None and math.isfinite(value):
            self.first_loss_ = value
        if math.isfinite(value) and not self._exploded(value):
            return
        phase = "training" if training else "validation"
        raise DivergenceError(
            f"The fit diverged: the {phase} loss became {value:g} in epoch "
            f"{len(net.history)}. Try a lower lr (it is {net.lr:g}), a smaller "
            "weight_decay or standardised input."
        )

    def _exploded(self, value: float) -> bool:
        first = getattr(self, "first_loss_", None)
        return first is not None and value > first + self.GROWTH * max(1.0, abs(first))


class AutoencoderNet(NeuralNet):
    """skorch ``NeuralNet`` whose target is its own (clean) input, or a paired target ``y``.

    Parameters
    ----------
    module : AutoencoderModule
        Returns an :class:`~skae.modules.AEOutput` from its forward pass.
    penalties : sequence of callables, default=()
        Each ``penalty(output, X, module) -> scalar`` is added to the loss; see
        :mod:`skae._penalties`.
    mixed_precision : bool, default=False
        Run the forward pass under ``torch.autocast`` in bfloat16 on a CUDA
        device (matrix products in half the bits, on the GPU's tensor cores;
        weights, gradients and the optimizer stay float32, and bfloat16 needs
        no loss scaling). Ignored on the CPU, where it is slower. Set it from an
        estimator with ``net_params={"mixed_precision": True}``.
    **kwargs
        Everything else ``skorch.NeuralNet`` accepts.
    """

    def __init__(self, module, *args, penalties=(), mixed_precision=False, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.penalties = penalties
        self.mixed_precision = mixed_precision

    def infer(self, x, **fit_params):
        autocast = self.mixed_precision and str(self.device).startswith("cuda")
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
            output = super().infer(x, **fit_params)
        if not autocast:
            return output
        # The loss and penalties are taken in float32.
        return type(output)(*(None if t is None else t.float() for t in output))

    @property
    def _default_callbacks(self):
        return [*super()._default_callbacks, ("stop_on_divergence", StopOnDivergence())]

    def get_loss(self, y_pred, y_true, X=None, training=False):
        X = to_tensor(X, device=self.device)
        module = unwrap(self.module_)  # under DistributedDataParallel in a data-parallel fit
        # The module standardises inside its forward pass; the loss compares
        # the raw decoder output with the target on that same scale: the
        # (clean) input for an autoencoder, the paired target y when there is one.
        if y_true is None:
            target = module.standardize(X)
        else:
            target = module.standardize_target(to_tensor(y_true, device=self.device))
        loss = self.criterion_(y_pred.decoded, target)
        if not self.penalties:
            return loss
        recording = bool(self.history) and bool(self.history[-1]["batches"])
        prefix = "train_" if training else "valid_"
        for penalty in self.penalties:
            value = penalty(y_pred, X, module)
            if recording:
                self.history.record_batch(prefix + penalty_name(penalty), value.item())
            loss = loss + value
        return loss


def resolve_device(device: str) -> str:
    """Turn ``"auto"`` into a concrete device and refuse an absent GPU early."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device='cuda' was requested but torch.cuda.is_available() is False. "
            "Use device='cpu', or device='auto' to take a GPU only when there is one."
        )
    return device
