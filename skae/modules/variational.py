"""The variational autoencoder's module: a Gaussian head and the reparameterisation."""

import torch
from torch import nn

from .autoencoder import AEOutput, AutoencoderModule

# log σ² is clamped: exp(±10) spans σ from 0.007 to 150, far beyond what a
# standardised input needs, and keeps exp() and the KL finite.
LOG_VAR_BOUNDS = (-10.0, 10.0)


class GaussianHead(nn.Module):
    """Map features to the mean and log-variance of q(z | x) = N(μ, diag σ²)."""

    def __init__(self, in_features: int, n_components: int):
        super().__init__()
        self.mu = nn.Linear(in_features, n_components)
        self.log_var = nn.Linear(in_features, n_components)

    def forward(self, h: torch.Tensor):
        return self.mu(h), self.log_var(h).clamp(*LOG_VAR_BOUNDS)


class VariationalModule(AutoencoderModule):
    """x -> q(z | x) -> z -> g(z), with z = μ + σ·ε in training and z = μ otherwise.

    ``encoder`` is the trunk up to the last hidden layer and ``head`` the
    :class:`GaussianHead`; :meth:`encode` returns μ, so that ``transform`` is
    deterministic.
    """

    def __init__(self, encoder, head, decoder, output_activation=None):
        super().__init__(encoder, decoder, output_activation)
        self.head = head
        # log σ² of a Gaussian decoder's noise on the standardised scale,
        # set after training by estimators that learn it (0: unit variance).
        self.register_buffer("obs_log_var", torch.zeros(()))

    def posterior(self, x: torch.Tensor):
        mu, log_var = self.head(self.encoder(self.standardize(x)))
        # ``code_scale`` rescales each latent dimension (1 during training):
        # z' = z / c, with the decoder taking c·z', is the same model.
        return mu / self.code_scale, log_var - 2 * torch.log(self.code_scale)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.posterior(x)[0]

    def forward(self, x: torch.Tensor) -> AEOutput:
        mu, log_var = self.posterior(x)
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu) if self.training else mu
        decoded = self.decoder(z * self.code_scale)
        return AEOutput(self._finish(decoded), z, decoded, mu, log_var)
