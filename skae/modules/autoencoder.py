"""The encoder/decoder pair every skae estimator trains."""

from typing import NamedTuple

import torch
from torch import nn


class AEOutput(NamedTuple):
    """What one forward pass of an autoencoder module returns.

    Attributes
    ----------
    reconstruction : torch.Tensor
        g(f(x)) in data space (after the output activation, in input units).
    code : torch.Tensor
        f(x), the bottleneck activations.
    decoded : torch.Tensor
        The raw decoder output the reconstruction loss is computed on, on the
        standardised scale. It is the standardised reconstruction for
        ``loss="mse"`` and the logits for ``loss="bce"``,
        so that the binary cross-entropy can be taken in its numerically stable
        form.
    mu : torch.Tensor or None
        Mean of the variational posterior q(z | x) (VAE only).
    log_var : torch.Tensor or None
        Log-variance of q(z | x) (VAE only).
    """

    reconstruction: torch.Tensor
    code: torch.Tensor
    decoded: torch.Tensor
    mu: torch.Tensor | None = None
    log_var: torch.Tensor | None = None


class AutoencoderModule(nn.Module):
    """Compose an encoder f and a decoder g into x -> g(f(x)).

    Parameters
    ----------
    encoder : torch.nn.Module
        Maps a batch of inputs to codes.
    decoder : torch.nn.Module
        Maps codes to the raw decoder output.
    output_activation : torch.nn.Module or None, default=None
        Applied to the raw decoder output to get the reconstruction (a sigmoid
        for binary cross-entropy); ``None`` means identity.

    Notes
    -----
    The module carries a fixed affine standardisation, ``(x - mean) / scale``,
    as buffers (set with :meth:`set_standardization`); a decoder whose target
    is not the input has one of its own (:meth:`set_target_standardization`).
    Inputs are standardised on the way in and reconstructions mapped back on the way out, so callers
    feed raw data without a standardised copy of it ever being made, and the
    loss sees data of unit scale whatever the input's units.
    """

    def __init__(
        self,
        encoder: nn.Module,
        decoder: nn.Module,
        output_activation: nn.Module | None = None,
    ):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.output_activation = output_activation
        self.register_buffer("mean", torch.zeros(()))
        self.register_buffer("scale", torch.ones(()))
        # The decoder's target, when it is not the input (a paired-target
        # regressor): its own standardisation; None means the input's.
        self.register_buffer("target_mean", None)
        self.register_buffer("target_scale", None)
        # Divides the codes that encode() hands out (and multiplies those
        # decode() takes); 1 during training, set after it by estimators
        # that publish their codes on another scale (SparseAE).
        self.register_buffer("code_scale", torch.ones(()))

    def set_standardization(self, mean, scale) -> "AutoencoderModule":
        """Set the per-feature ``mean`` and the ``scale`` used to standardise."""
        self.mean = torch.as_tensor(mean, dtype=torch.float32)
        self.scale = torch.as_tensor(scale, dtype=torch.float32)
        return self

    def set_target_standardization(self, mean, scale) -> "AutoencoderModule":
        """Standardise the decoder's target with ``mean`` and ``scale`` of its own."""
        self.target_mean = torch.as_tensor(mean, dtype=torch.float32)
        self.target_scale = torch.as_tensor(scale, dtype=torch.float32)
        return self

    def standardize(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.scale

    def _target_stats(self):
        if self.target_mean is None:
            return self.mean, self.scale
        return self.target_mean, self.target_scale

    def standardize_target(self, y: torch.Tensor) -> torch.Tensor:
        """The decoder's target on the scale of its raw output (the input itself for an AE)."""
        mean, scale = self._target_stats()
        return (y - mean) / scale

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(self.standardize(x)) / self.code_scale

    def _finish(self, decoded: torch.Tensor) -> torch.Tensor:
        if self.output_activation is not None:
            decoded = self.output_activation(decoded)
        mean, scale = self._target_stats()
        return decoded * scale + mean

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        return self._finish(self.decoder(code * self.code_scale))

    def forward(self, x: torch.Tensor) -> AEOutput:
        code = self.encoder(self.standardize(x))
        decoded = self.decoder(code)
        return AEOutput(self._finish(decoded), code, decoded)
