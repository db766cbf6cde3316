"""The calibrated Gaussian likelihood: a decoder whose noise variance is learnt, not set.

A Gaussian decoder p(x | z) = N(g(z), σ² I) with σ fixed by hand (σ = 1 on
the standardised scale is what squared error means) weighs the reconstruction
against the VAE's KL term by an arbitrary factor 1/σ²: too large a σ and the
KL wins, the codes carry little and samples blur. Learning σ removes that
knob. Here σ² is *shared* by every feature and set to its maximum-likelihood
value, the mean squared error (Rybkin, Daniilidis & Levine 2021, "optimal
σ-VAE"): per-feature variances collapse to zero on features the decoder gets
exactly (MNIST's blank borders), sending the likelihood to infinity, while
one shared variance is the single knob a fixed σ sets by hand.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

# σ² never goes below 1e-4 of the data's variance (σ ≥ 1% of its spread):
# a decoder that reconstructs its training data exactly would otherwise send
# log σ² to −∞ and the likelihood to +∞.
MIN_VARIANCE = 1e-4
LOG_2PI = math.log(2 * math.pi)


def ml_variance(mean_squared_error: torch.Tensor) -> torch.Tensor:
    """The shared variance that maximises the likelihood: the mean squared error, floored."""
    return mean_squared_error.detach().clamp_min(MIN_VARIANCE)


def gaussian_nll_per_feature(mean_squared_error, variance) -> torch.Tensor:
    """−log N(x; x̂, σ²) averaged over features, given the mean of (x − x̂)²."""
    return 0.5 * (mean_squared_error / variance + torch.log(variance) + LOG_2PI)


class CalibratedGaussianNLL(nn.Module):
    """Gaussian negative log-likelihood per feature, σ² at the batch's maximum-likelihood value.

    With σ² equal to the batch's mean squared error (detached, floored at
    :data:`MIN_VARIANCE`) the loss is ½(1 + log MSE + log 2π): its gradient is
    the squared error's scaled by 1/(2σ²), so the reconstruction's weight
    against any penalty grows as the fit improves, as a likelihood's should.
    """

    def forward(self, decoded: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        mean_squared_error = F.mse_loss(decoded, target)
        return gaussian_nll_per_feature(mean_squared_error, ml_variance(mean_squared_error))
