"""The VAE's prior (skae._priors): N(0, I) exact, a mixture's KL bounded, BIC sizing it."""

import numpy as np
import pytest
import torch

from skae._penalties import gaussian_kl
from skae._priors import GaussianMixturePrior


def posteriors(n=200, d=3, seed=0):
    rng = np.random.default_rng(seed)
    mu = torch.as_tensor(rng.normal(size=(n, d)) * 2.0)
    log_var = torch.as_tensor(rng.normal(-2.0, 0.5, size=(n, d)))
    return mu, log_var


def test_one_standard_normal_component_gives_the_closed_form_kl():
    mu, log_var = posteriors()
    prior = GaussianMixturePrior.standard_normal(3)
    torch.testing.assert_close(prior.kl(mu, log_var), gaussian_kl(mu, log_var))


def test_the_mixture_kl_is_an_upper_bound_on_the_monte_carlo_kl():
    """So that an ELBO computed with it stays a lower bound on log p(x)."""
    mu, log_var = posteriors(n=50)
    prior = GaussianMixturePrior(
        [0.3, 0.7], [[-2.0, 0.0, 1.0], [2.0, 1.0, 0.0]], [np.eye(3) * 0.5, np.diag([2.0, 1.0, 0.3])]
    )
    bound = prior.kl(mu, log_var)
    # Monte Carlo KL: E_q[log q(z) - log p(z)] with 20000 draws per row.
    gen = torch.Generator().manual_seed(0)
    eps = torch.randn(20000, *mu.shape, generator=gen, dtype=mu.dtype)
    z = mu + (0.5 * log_var).exp() * eps
    log_q = torch.distributions.Normal(mu, (0.5 * log_var).exp()).log_prob(z).sum(-1)
    components = torch.distributions.MultivariateNormal(
        torch.as_tensor(prior.means), torch.as_tensor(prior.covariances)
    )
    log_p = torch.logsumexp(
        components.log_prob(z.unsqueeze(2)) + torch.log(torch.as_tensor(prior.weights)), dim=-1
    )
    monte_carlo = (log_q - log_p).mean(0)
    standard_error = (log_q - log_p).std(0) / np.sqrt(len(z))
    assert (bound >= monte_carlo - 4 * standard_error).all()
    # A bound, not a loose one: on average within half a nat here.
    assert (bound - monte_carlo).mean() < 0.5


def test_bic_picks_several_components_for_clusters_and_one_for_a_gaussian():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(6, 4)) * 5
    clustered = centres[rng.integers(6, size=3000)] + rng.normal(size=(3000, 4)) * 0.3
    gaussian = rng.normal(size=(3000, 4))
    tiny = np.full((3000, 4), -8.0)  # σ = 0.018: the draws are the means, nearly

    def fitted(mu):
        return GaussianMixturePrior.fit(lambda rows: (mu[rows], tiny[rows]), len(mu), 0)

    assert fitted(clustered).n_components >= 4
    assert fitted(gaussian).n_components == 1


def test_samples_follow_the_mixture():
    covariances = [np.eye(2), np.eye(2) * 0.25]
    prior = GaussianMixturePrior([0.25, 0.75], [[-3.0, 0.0], [3.0, 1.0]], covariances)
    z = prior.sample(20000, torch.Generator().manual_seed(0)).numpy()
    assert z.dtype == np.float32
    left = z[:, 0] < 0
    assert left.mean() == pytest.approx(0.25, abs=0.02)
    np.testing.assert_allclose(z[~left].mean(axis=0), [3.0, 1.0], atol=0.03)
    np.testing.assert_allclose(np.cov(z[~left].T), np.eye(2) * 0.25, atol=0.02)


def test_a_prior_fitted_to_too_few_rows_is_not_kept():
    """2 rows in 2 latent dimensions: the fitted covariance is near-singular and its
    KL exploded (a VAE's ELBO -5074 nats against -15 under N(0, I)); N(0, I) is kept.
    Where the rows support it the fitted prior stays (it lowers the mean KL)."""
    rng = np.random.default_rng(0)

    def posterior_of(mu):
        return lambda rows: (mu[rows], np.full_like(mu[rows], np.log(0.01)))

    few = rng.normal(size=(2, 2))
    prior = GaussianMixturePrior.fit(posterior_of(few), 2, 0)
    np.testing.assert_array_equal(prior.covariances, np.eye(2)[None])
    np.testing.assert_array_equal(prior.means, np.zeros((1, 2)))
    many = rng.normal(0, 3, size=(500, 2)) + 5  # far from N(0, I)
    prior = GaussianMixturePrior.fit(posterior_of(many), 500, 0)
    mu, log_var = (torch.as_tensor(a) for a in posterior_of(many)(slice(None)))
    standard = GaussianMixturePrior.standard_normal(2)
    assert prior.kl(mu, log_var).mean() < 0.5 * standard.kl(mu, log_var).mean()
