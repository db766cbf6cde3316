"""The VAE's prior p(z): a Gaussian mixture, of which N(0, I) is the one-component case.

A VAE trains against the standard normal prior, whose KL term keeps the codes
near the origin. After training, the prior that maximises the ELBO for the
trained encoder and decoder is the *aggregate posterior* q(z) = E_x q(z | x)
(Hoffman & Johnson 2016, "ELBO surgery": the KL term averaged over the data is
the mutual information I(x; z) plus KL(q(z) ‖ p(z)), and only the second part
depends on the prior). When the decoder is sharp (a learnt noise variance,
:mod:`skae._likelihoods`), the posteriors are narrow and q(z) is far from
N(0, I): clusters, one or more per kind of input, with empty space between
them. Codes drawn from N(0, I) land in that space as often as not and decode
to blends of digits. A Gaussian mixture fitted to draws from q(z), by maximum
likelihood with its number of components chosen by BIC, follows the clusters:
the ELBO rises and the samples come from where the data's codes lie (the
VampPrior of Tomczak & Welling 2018 learns such a prior during training; the
two-stage VAE of Dai & Wipf 2019 fits one after it).

With a mixture the KL term has no closed form. :meth:`GaussianMixturePrior.kl`
returns an upper bound instead (Jensen's inequality on the log-sum-exp over
components), so the ELBO that ``score_samples`` reports stays a lower bound on
log p(x); with one standard normal component the bound is the closed form.
"""

import math

import numpy as np
import torch
from sklearn.mixture import GaussianMixture

# Component counts tried, in order, until BIC stops improving.
COMPONENT_LADDER = (1, 2, 4, 8, 16, 32)
# The mixture is fitted on at most this many posterior draws (EM costs
# n_draws · n_components · n_latent² per iteration).
MAX_DRAWS = 10_000
LOG_2PI = math.log(2 * math.pi)


class GaussianMixturePrior:
    """p(z) = Σₖ πₖ N(z; mₖ, Sₖ), with full covariances.

    Parameters
    ----------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_latent)
    covariances : ndarray of shape (n_components, n_latent, n_latent)
    """

    def __init__(self, weights, means, covariances):
        self.weights = np.asarray(weights, dtype=np.float64)
        self.means = np.asarray(means, dtype=np.float64)
        self.covariances = np.asarray(covariances, dtype=np.float64)
        self.cholesky = np.linalg.cholesky(self.covariances)
        self.precisions = np.linalg.inv(self.covariances)
        self.log_dets = np.linalg.slogdet(self.covariances)[1]

    @classmethod
    def standard_normal(cls, n_latent: int) -> "GaussianMixturePrior":
        """N(0, I): the prior a VAE trains against."""
        return cls(np.ones(1), np.zeros((1, n_latent)), np.eye(n_latent)[None])

    @classmethod
    def fit(cls, posterior, n_rows: int, random_state: int) -> "GaussianMixturePrior":
        """Fit to one draw from each row's posterior N(μ, diag σ²), components chosen by BIC.

        ``posterior(rows)`` returns ``(mu, log_var)`` of those training rows,
        so that only the rows used are encoded: :data:`MAX_DRAWS` of them, at
        random, when there are more. The ladder of component counts stops at
        the first count whose BIC is no better than the previous one's, or
        where a component would have fewer rows to estimate it from than it
        has parameters. N(0, I) is kept when the fitted prior does not lower
        the mean KL over those rows.
        """
        rng = np.random.default_rng(random_state)
        rows = slice(None) if n_rows <= MAX_DRAWS else rng.choice(n_rows, MAX_DRAWS, replace=False)
        mu, log_var = posterior(rows)
        draws = mu + np.exp(0.5 * log_var) * rng.standard_normal(mu.shape)
        n_rows, n_latent = draws.shape
        parameters = n_latent + n_latent * (n_latent + 1) // 2 + 1
        best, best_bic = None, np.inf
        for n_components in COMPONENT_LADDER:
            if n_components > 1 and n_rows < n_components * parameters:
                break
            mixture = GaussianMixture(
                n_components, covariance_type="full", reg_covar=1e-4, random_state=random_state
            ).fit(draws)
            bic = mixture.bic(draws)
            if bic >= best_bic:
                break
            best, best_bic = mixture, bic
        fitted = cls(best.weights_, best.means_, best.covariances_)
        standard = cls.standard_normal(n_latent)
        # Refitting is meant to raise the ELBO. On rows too few to estimate a
        # covariance (2 rows, 2 latent dimensions) the fit is near-singular and
        # its KL explodes: -5074 nats of ELBO against N(0, I)'s -15.
        mu, log_var = torch.as_tensor(mu), torch.as_tensor(log_var)
        if fitted.kl(mu, log_var).mean() >= standard.kl(mu, log_var).mean():
            return standard
        return fitted

    @property
    def n_components(self) -> int:
        return len(self.weights)

    def _tensor(self, array, like: torch.Tensor) -> torch.Tensor:
        return torch.as_tensor(array, dtype=like.dtype, device=like.device)

    def kl(self, mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
        """Per-row upper bound on KL(N(μ, diag σ²) ‖ p); exact for one component.

        KL = E_q log q − E_q log p, and E_q log Σₖ πₖ Nₖ(z) ≥ log Σₖ πₖ
        exp(E_q log Nₖ(z)) (the log-sum-exp is convex), where
        E_q log Nₖ(z) = −½ (d log 2π + log|Sₖ| + (μ − mₖ)ᵀ Sₖ⁻¹ (μ − mₖ) + tr(Sₖ⁻¹ diag σ²)).
        """
        n_latent = mu.shape[1]
        neg_entropy = -0.5 * (n_latent * (1 + LOG_2PI) + log_var.sum(dim=1))
        precisions = self._tensor(self.precisions, mu)  # (K, d, d)
        offsets = mu.unsqueeze(1) - self._tensor(self.means, mu)  # (n, K, d)
        mahalanobis = torch.einsum("nkd,kde,nke->nk", offsets, precisions, offsets)
        traces = log_var.exp() @ torch.diagonal(precisions, dim1=1, dim2=2).T  # (n, K)
        expected_log_densities = -0.5 * (
            n_latent * LOG_2PI + self._tensor(self.log_dets, mu) + mahalanobis + traces
        )
        log_weights = self._tensor(np.log(self.weights), mu)
        return neg_entropy - torch.logsumexp(log_weights + expected_log_densities, dim=1)

    def sample(self, n_samples: int, generator: torch.Generator) -> torch.Tensor:
        """``n_samples`` codes drawn from the mixture (float32, on the CPU)."""
        weights = torch.as_tensor(self.weights, dtype=torch.float64)
        components = torch.multinomial(weights, n_samples, replacement=True, generator=generator)
        shape = (n_samples, self.means.shape[1])
        noise = torch.randn(shape, generator=generator, dtype=torch.float64)
        cholesky = torch.as_tensor(self.cholesky)[components]  # (n, d, d)
        means = torch.as_tensor(self.means)[components]
        return (means + (cholesky @ noise.unsqueeze(2)).squeeze(2)).float()
