"""Layers that variants slot into the encoder: corruption and top-k codes."""

import torch
import torch.nn.functional as F
from torch import nn

NOISES = ("gaussian", "masking", "salt_pepper")


class Corruption(nn.Module):
    """Draw x̃ ~ C(x̃ | x) in training mode; the identity in eval mode, like dropout.

    It sits first in the encoder, so it sees standardised input (per-feature
    mean 0, overall scale 1).

    Parameters
    ----------
    noise : {"gaussian", "masking", "salt_pepper"}
        ``"gaussian"`` adds N(0, noise_level²) (in units of the data's overall
        standard deviation); ``"masking"`` sets each feature to its mean with
        probability ``noise_level``; ``"salt_pepper"`` sets each feature, with
        probability ``noise_level``, to its training minimum or maximum (each
        half of the time).
    noise_level : float
        Standard deviation or probability, as above.
    low, high : torch.Tensor of shape (n_features,), default=None
        Standardised per-feature minimum and maximum, for ``"salt_pepper"``.
    """

    def __init__(self, noise: str, noise_level: float, low=None, high=None):
        super().__init__()
        if noise not in NOISES:
            raise ValueError(f"noise must be one of {NOISES}, got {noise!r}")
        self.noise = noise
        self.noise_level = noise_level
        self.register_buffer(
            "low", torch.as_tensor(0.0 if low is None else low, dtype=torch.float32)
        )
        self.register_buffer(
            "high", torch.as_tensor(0.0 if high is None else high, dtype=torch.float32)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.noise_level == 0:
            return x
        if self.noise == "gaussian":
            return x + self.noise_level * torch.randn_like(x)
        u = torch.rand_like(x)
        if self.noise == "masking":
            return x.masked_fill(u < self.noise_level, 0.0)
        # One uniform draw decides both whether and how: below level/2 is salt
        # (the maximum), between level/2 and level is pepper (the minimum).
        pepper = torch.where(u < self.noise_level, self.low, x)
        return torch.where(u < self.noise_level / 2, self.high, pepper)

    def extra_repr(self) -> str:
        return f"noise={self.noise!r}, noise_level={self.noise_level}"


class TopK(nn.Module):
    """Keep the ``k`` largest activations of each row (after a ReLU), zero the rest.

    In eval mode it keeps the ``inference_k`` largest (``k`` when None), as
    dropout acts in training mode alone: Makhzani & Frey's k-sparse
    autoencoder trains with k active units and encodes with more for a
    classifier.
    """

    def __init__(self, k: int, inference_k: int | None = None):
        super().__init__()
        self.k = k
        self.inference_k = inference_k

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k = self.k if self.training or self.inference_k is None else self.inference_k
        values, index = x.topk(min(k, x.shape[-1]), dim=-1)
        # x * 0 rather than zeros_like(x): an ONNX trace would fold the latter
        # into a constant of the example's batch size (after a Flatten).
        return (x * 0).scatter(-1, index, F.relu(values))

    def extra_repr(self) -> str:
        if self.inference_k is None:
            return f"k={self.k}"
        return f"k={self.k}, inference_k={self.inference_k}"
