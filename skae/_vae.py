"""VAE: the variational autoencoder, a generative model with a continuous latent space."""

from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback
from torch import nn

from ._base import BaseAutoencoder, _seed_from
from ._docstrings import fill_docstring
from ._inference import InferenceModules
from ._likelihoods import CalibratedGaussianNLL, gaussian_nll_per_feature, ml_variance
from ._penalties import GaussianKL
from ._priors import GaussianMixturePrior
from .modules import ARCHITECTURES

_LIKELIHOOD_LOSS = {"gaussian": "mse", "bernoulli": "bce"}


def _is_count(value, at_least: int) -> bool:
    """An integer of at least ``at_least``; a bool passes ``Integral`` but is no count."""
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= at_least


class KLWarmup(Callback):
    """Ramp the KL weight linearly over the first ``epochs`` epochs: 1/epochs, 2/epochs, …, 1."""

    def __init__(self, epochs: int):
        self.epochs = epochs

    def on_epoch_begin(self, net, **kwargs):
        ramp = min(1.0, len(net.history) / self.epochs)
        for penalty in net.penalties:
            if isinstance(penalty, GaussianKL):
                penalty.ramp = ramp


@fill_docstring
class VAE(BaseAutoencoder):
    """Variational autoencoder (Kingma & Welling, 2014).

    The encoder maps x to a distribution q(z | x) = N(μ(x), diag σ²(x)); a
    code is drawn with the reparameterisation z = μ + σ·ε, ε ~ N(0, I), and
    the decoder gives the likelihood p(x | z). Training maximises the evidence
    lower bound

        ELBO(x) = E_q[log p(x | z)] − β · KL(q(z | x) ‖ N(0, I)),

    with the KL in closed form. The KL pulls every posterior towards the prior,
    which makes the latent space *continuous* (nearby codes decode to similar
    data) and *complete* (codes drawn from the prior decode to valid data), so
    the decoder is a generator: :meth:`sample`.

    After training, the prior N(0, I) is replaced by the one that maximises
    the ELBO for the trained encoder and decoder, as closely as a Gaussian
    mixture can follow it (``prior="mixture"``, see :mod:`skae._priors`):
    with a sharp decoder the posteriors cluster, and codes drawn from N(0, I)
    fall between the clusters and decode to blends.

    ``transform`` returns μ (deterministic, the posterior's centre) and
    ``inverse_transform`` the decoder's mean. ``score_samples`` is the
    per-row ELBO evaluated at z = μ (a deterministic single-point estimate of
    the expectation) in nats, for the data in its own units, with the KL to
    the fitted prior (an upper bound on it for a mixture, so that the ELBO
    stays a lower bound).

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the latent space.
    beta : float, default=1.0
        Weight of the KL term; 1 is the ELBO, larger values give a smoother,
        more prior-like latent space (β-VAE), 0 a plain (noisy) autoencoder.
    likelihood : {"gaussian", "bernoulli"}, default="gaussian"
        p(x | z): a Gaussian whose variance is learnt, or independent
        Bernoullis. The Gaussian's variance σ² is one number shared by every
        feature, at its maximum-likelihood value: the batch's mean squared
        error during training, the training set's (at z = μ) after it,
        stored as ``noise_variance_`` (see :mod:`skae._likelihoods` for why
        shared). A fixed σ would weigh reconstruction against the KL term by
        a factor set by hand, and blur the samples when set too large. The
        Bernoulli (binary cross-entropy, sigmoid output) suits data in
        [0, 1] such as pixel intensities; other data are mapped into [0, 1]
        by one affine map learnt at fit (the training minimum to 0, the
        maximum to 1).
    kl_warmup : int, default=0
        Number of epochs over which the KL weight rises linearly to β
        (β/kl_warmup in the first epoch, never zero); 0 uses β throughout.
    prior : {"mixture", "normal"}, default="mixture"
        The prior p(z) of the fitted model, used by :meth:`sample` and
        ``score_samples``. Training always uses N(0, I). ``"mixture"`` then
        fits a Gaussian mixture (full covariances, 1 to 32 components chosen
        by BIC) to draws from the training rows' posteriors, the aggregate
        posterior, which is the ELBO-optimal prior; ``"normal"`` keeps
        N(0, I), the textbook VAE.
    hidden_layer_sizes : tuple of int, default=(256, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them.
    activation : str, default="elu"
        Non-linearity of the hidden layers.
    {shared}
    Attributes
    ----------
    {fitted}
    noise_variance_ : float or None
        The Gaussian decoder's noise variance σ² in the input's units
        (``likelihood="gaussian"``); ``None`` for the Bernoulli.
    prior_ : GaussianMixturePrior
        The fitted prior: ``weights``, ``means`` and ``covariances`` of its
        components in the latent space of ``transform``.

    See Also
    --------
    Autoencoder : The deterministic autoencoder, whose decoder is no generator.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import VAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> vae = VAE(n_components=2, max_epochs=5, random_state=0).fit(X)
    >>> vae.transform(X[:3]).shape
    (3, 2)
    >>> vae.sample(4, random_state=0).shape
    (4, 64)
    """

    _parameter_constraints: dict = {
        **{k: v for k, v in BaseAutoencoder._parameter_constraints.items() if k != "loss"},
        "beta": [Interval(Real, 0, None, closed="left")],
        "likelihood": [StrOptions(set(_LIKELIHOOD_LOSS))],
        "kl_warmup": [Interval(Integral, 0, None, closed="left")],
        "prior": [StrOptions({"mixture", "normal"})],
    }
    _regularised = True

    def __init__(
        self,
        n_components=2,
        *,
        beta=1.0,
        likelihood="gaussian",
        kl_warmup=0,
        prior="mixture",
        hidden_layer_sizes=(256, 64),
        activation="elu",
        architecture="mlp",
        image_shape=None,
        channels=(32, 64),
        max_steps="auto",
        max_epochs=None,
        batch_size=64,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        device="auto",
        random_state=None,
        verbose=0,
        warm_start=False,
        net_params=None,
    ):
        self.n_components = n_components
        self.beta = beta
        self.likelihood = likelihood
        self.kl_warmup = kl_warmup
        self.prior = prior
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.architecture = architecture
        self.image_shape = image_shape
        self.channels = channels
        self.max_steps = max_steps
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.net_params = net_params

    def _loss(self) -> str:
        return _LIKELIHOOD_LOSS[self.likelihood]

    def _build_module(self, X):
        _, build_vae = ARCHITECTURES[self._architecture()]
        return build_vae(
            X.shape[1],
            self._code_size(),
            **self._layer_params(),
            activation=self.activation,
            output_activation="sigmoid" if self.likelihood == "bernoulli" else "identity",
        )

    def _criterion(self):
        if self.likelihood == "gaussian":
            return CalibratedGaussianNLL
        return super()._criterion()

    def _penalties(self, X: np.ndarray) -> list:
        # The net's reconstruction loss is the negative log-likelihood
        # averaged over features; the ELBO sums them. Dividing the KL by
        # n_features keeps the training loss equal to −ELBO / n_features.
        return [GaussianKL(self.beta / self.n_features_in_)]

    def _min_training_rows(self) -> int:
        # The mixture prior is fitted to the rows' codes after every fit and
        # chunk: a Gaussian's covariance needs two of them.
        return 2 if self.prior == "mixture" else 1

    def _record_diagnostics(self, X):
        self._calibrate_latent_scale(X)
        self._calibrate_noise_variance(X)
        self._fit_prior(X)

    def _fit_prior(self, X):
        if self.prior == "normal":
            self.prior_ = GaussianMixturePrior.standard_normal(self._code_size())
            return
        if len(X) < self._rows_before:
            # partial_fit: a mixture fitted to fewer rows than the largest chunk
            # so far is the noisier; the prior fitted before stays.
            return

        def posterior(rows):
            joint = self._batched(lambda m, batch: torch.cat(m.posterior(batch), dim=1), X[rows])
            return np.split(joint.astype(np.float64), 2, axis=1)

        # The fit's own seed: an unseeded fit draws anew, and every process of
        # a data-parallel fit holds the same seed, hence the same prior.
        self.prior_ = GaussianMixturePrior.fit(posterior, len(X), self._seed % 2**32)

    def _calibrate_latent_scale(self, X):
        """Rescale each latent dimension to its ELBO-optimal scale, in closed form.

        Dividing dimension j by c (the decoder multiplying it back) leaves
        the reconstruction unchanged and changes the KL by
        ½(E[μⱼ² + σⱼ²]/c² + 2 log c): least at c² = E[μⱼ² + σⱼ²] over the
        training rows, where the aggregated posterior's second moment is 1,
        the prior's. Gradient descent approaches that point slowly (the
        direction is flat); left short of it, codes drawn from the prior
        miss the region the decoder was trained on and ``sample`` returns
        faint, average-looking data.
        """
        module = self.net_.module_
        moment = self._batched(lambda m, batch: _second_moment(*m.posterior(batch)), X)
        # The rows of earlier partial_fit chunks are at the prior's moment, 1,
        # at the scale their calibration set.
        moment = self._joined_calibration(1.0, moment.mean(axis=0), len(X))
        scale = torch.as_tensor(np.sqrt(moment), dtype=torch.float32)
        module.code_scale = module.code_scale * scale.clamp_min(1e-6).to(module.mean.device)
        self._inference_modules = InferenceModules(X.shape[1])

    def _calibrate_noise_variance(self, X):
        module = self.net_.module_
        if self.likelihood != "gaussian":
            module.obs_log_var = torch.zeros((), device=module.mean.device)
            self.noise_variance_ = None
            return
        # σ² at its maximum-likelihood value for the model that scores: the
        # decoder's mean at z = μ, over the training rows.
        squared = self._batched(
            lambda m, batch: (m(batch).decoded - m.standardize(batch)).pow(2).mean(dim=1), X
        )
        before = float(module.obs_log_var.exp())  # earlier chunks' (partial_fit)
        squared = self._joined_calibration(before, float(np.mean(squared)), len(X))
        variance = ml_variance(torch.as_tensor(squared, dtype=torch.float32))
        module.obs_log_var = torch.log(variance).to(module.mean.device)
        self.noise_variance_ = float(variance * module.scale.pow(2).mean().cpu())

    def _callbacks(self) -> list:
        return [("kl_warmup", KLWarmup(self.kl_warmup))] if self.kl_warmup else []

    def _row_scores(self, module, batch):
        """Per-row ELBO at z = μ, in nats, for ``batch`` in the input's units."""
        output = module(batch)
        target = module.standardize(batch)
        n_features = batch.shape[1]
        if self.likelihood == "gaussian":
            squared = (output.decoded - target).pow(2).mean(dim=1)
            nll = gaussian_nll_per_feature(squared, module.obs_log_var.exp())
            # Variance σ² on the standardised scale is σ²·scale² in the
            # input's units: the density picks up −n_features·log(scale).
            log_likelihood = -n_features * (nll + torch.log(module.scale))
        else:
            log_likelihood = -F.binary_cross_entropy_with_logits(
                output.decoded, target, reduction="none"
            ).sum(dim=1)
        return log_likelihood - self.beta * self.prior_.kl(output.mu, output.log_var)

    def score_samples(self, X):
        """Evidence lower bound of each row, at z = μ (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        elbo : ndarray of shape (n_samples,)
            log p(x | z=μ) − β·KL(q(z|x) ‖ p(z)) in nats, with p(z) the prior
            fitted after training (``prior_``; for a mixture, an upper bound
            on the KL, so the score stays a bound); with β = 1 a
            deterministic estimate of the lower bound on log p(x).
        """
        return super().score_samples(X)

    def score(self, X, y=None):
        """Mean ELBO over ``X`` (see :meth:`score_samples`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
        """
        return super().score(X)

    def sample(self, n_samples=1, random_state=None):
        """Generate data: decode codes drawn from the prior (``prior_``).

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws; the same value gives the same samples. The global
            random states are left untouched.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features), dtype float32
            The decoder's mean at each drawn code.
        """
        check_is_fitted(self)
        if not _is_count(n_samples, at_least=1):
            raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
        generator = torch.Generator().manual_seed(_seed_from(random_state))
        codes = self.prior_.sample(n_samples, generator).numpy()
        return self._batched(lambda module, batch: module.decode(batch), codes)


class FixedVarianceVAE(VAE):
    """The VAE with a Gaussian decoder of unit variance on the standardised scale.

    What ``likelihood="gaussian"`` meant before the variance was learnt:
    squared error, with a KL weighed against it by a variance set by hand.
    Kept as the baseline the calibrated likelihood is measured against
    (``tests/test_vae.py``, ``benchmarks/sampling_vs_bottleneck.py``); not
    part of the public API.
    """

    def _criterion(self):
        return nn.MSELoss if self.likelihood == "gaussian" else super()._criterion()

    def _penalties(self, X):
        # Squared error is 2/n_features times the unit-variance Gaussian's
        # negative log-likelihood (up to a constant), hence the factor 2.
        factor = 2.0 if self.likelihood == "gaussian" else 1.0
        return [GaussianKL(self.beta * factor / self.n_features_in_)]

    def _record_diagnostics(self, X):
        module = self.net_.module_
        module.obs_log_var = torch.zeros((), device=module.mean.device)
        self.noise_variance_ = float(module.scale.pow(2).mean().cpu())
        self._fit_prior(X)


def _second_moment(mu, log_var):
    """Per-row μ² + σ² of q(z | x), each latent dimension apart."""
    return mu.pow(2) + log_var.exp()


def latent_interpolation(estimator, x_start, x_end, n_steps=8):
    """Decode evenly spaced codes on the segment between two inputs' codes.

    Works with any fitted skae autoencoder; with a :class:`VAE` the codes are
    posterior means, and a continuous latent space gives a smooth morph.

    Parameters
    ----------
    estimator : fitted skae autoencoder
    x_start, x_end : array-like of shape (n_features,)
        The two end points, in input space.
    n_steps : int, default=8
        Number of decoded points, end points included (at least 2).

    Returns
    -------
    path : ndarray of shape (n_steps, n_features)

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import VAE, latent_interpolation
    >>> X, _ = load_digits(return_X_y=True)
    >>> vae = VAE(max_epochs=3, random_state=0).fit(X)
    >>> latent_interpolation(vae, X[0], X[1], n_steps=5).shape
    (5, 64)
    """
    if not _is_count(n_steps, at_least=2):
        raise ValueError(
            f"n_steps must be an integer of at least 2 (the two end points), got {n_steps!r}."
        )
    for name, end in (("x_start", x_start), ("x_end", x_end)):
        shape = np.shape(end)
        if not (len(shape) == 1 or (len(shape) == 2 and shape[0] == 1)):
            raise ValueError(
                f"{name} must be one sample, of shape (n_features,), got shape {shape}."
            )
    # Both ends go through transform as they came, as one table: a pandas row
    # keeps the feature names a model fitted on a DataFrame checks.
    if all(hasattr(end, "iloc") for end in (x_start, x_end)):
        import pandas as pd

        rows = [end.to_frame().T if end.ndim == 1 else end for end in (x_start, x_end)]
        ends = pd.concat(rows, ignore_index=True)
    else:
        ends = np.vstack([np.asarray(end).reshape(1, -1) for end in (x_start, x_end)])
    codes = np.asarray(estimator.transform(ends))  # an array, whatever set_output asks for
    weights = np.linspace(0.0, 1.0, n_steps, dtype=codes.dtype)[:, None]
    return estimator.inverse_transform((1 - weights) * codes[0] + weights * codes[1])
