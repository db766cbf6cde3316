"""The VAE: a KL that is really there, a latent space near its prior, a decoder that generates."""

import numpy as np
import pytest
import torch
from _seeds import FAST_THEN_SLOW_SEEDS
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import pairwise_distances
from sklearn.neural_network import MLPClassifier

from skae import VAE, Autoencoder, latent_interpolation
from skae._vae import FixedVarianceVAE


def posterior(vae, X):
    module = vae.net_.module_.eval()
    with torch.no_grad():
        mu, log_var = module.posterior(torch.from_numpy(X))
    return mu.numpy(), log_var.exp().numpy()


@pytest.fixture(scope="module")
def default_fit(digits):
    """``default_fit(Estimator, seed)``: ``Estimator(n_components=8)``, every other
    parameter at its default, fitted on the digits once for the module: the tests
    that read the same fit share it (a default fit is 4,000 steps)."""
    fits = {}

    def fit(Estimator, seed):
        if (Estimator, seed) not in fits:
            fits[Estimator, seed] = Estimator(n_components=8, random_state=seed).fit(digits[0])
        return fits[Estimator, seed]

    return fit


@pytest.fixture(scope="module")
def vae(default_fit):
    return default_fit(VAE, 0)


def test_kl_term_is_present_and_positive_in_the_history(vae):
    kl = np.array(vae.history_[:, "batches", :, "train_kl"], dtype=object)
    values = np.concatenate([np.asarray(epoch, dtype=float) for epoch in kl])
    assert len(values) > 0 and (values > 0).all()


# Slow tier at every seed: a demonstration at the default budget, kept out of the
# 5-minute fast suite (#12), which keeps the claims the issues name.
@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_beta_zero_is_a_plain_autoencoder(digits, seed):
    X_train, X_test = digits[0], digits[1]
    # 30 epochs: σ² is 1e-4 by then (the bar is 0.05), and the errors are apart.
    same = dict(n_components=4, max_epochs=30, n_iter_no_change=1000, random_state=seed)
    vae0 = VAE(beta=0.0, **same).fit(X_train)
    ae = Autoencoder(**same).fit(X_train)
    vae1 = VAE(beta=1.0, **same).fit(X_train)

    def mse(model):
        return np.mean((model.inverse_transform(model.transform(X_test)) - X_test) ** 2)

    # Without the KL nothing keeps σ from shrinking: the noise dies out and
    # the model reconstructs like an autoencoder, better than the β=1 VAE.
    assert np.mean(posterior(vae0, X_test)[1]) < 0.05
    assert mse(vae0) < 1.5 * mse(ae)
    assert mse(vae0) < mse(vae1)
    assert max(vae0.history_[-1, "batches", :, "train_kl"]) == 0.0


def test_codes_are_centred_and_their_scale_calibrated_on_held_out_rows_too(vae, digits):
    mu, var = posterior(vae, digits[0])
    assert (np.abs(mu.mean(axis=0)) < 0.25).all(), mu.mean(axis=0)
    # The latent scale is calibrated after training: E[μ² + σ²] = 1 per dimension
    # on the training rows, by construction...
    np.testing.assert_allclose((mu**2 + var).mean(axis=0), 1.0, rtol=1e-3)
    # ...and held-out rows come out near it: 0.86-1.16 per dimension at seeds
    # 0-2 (d = 8); before calibration the training rows' were 1.50-1.77 at d = 4
    # (benchmarks/vae_digits.py), outside the bar.
    mu, var = posterior(vae, digits[1])
    assert (np.abs(mu.mean(axis=0)) < 0.25).all(), mu.mean(axis=0)
    second_moment = (mu**2 + var).mean(axis=0)
    assert ((second_moment > 0.75) & (second_moment < 1.33)).all(), second_moment


def rescored(vae, X, code_scale):
    """``vae.score(X)`` with the module's latent scale replaced (the model is unchanged)."""
    module = vae.net_.module_
    saved, module.code_scale = module.code_scale, code_scale
    vae._inference_modules = type(vae._inference_modules)(X.shape[1])
    try:
        return vae.score(X), vae.inverse_transform(vae.transform(X))
    finally:
        module.code_scale = saved
        vae._inference_modules = type(vae._inference_modules)(X.shape[1])


def test_the_calibrated_latent_scale_maximises_the_elbo(vae, digits):
    X_train = digits[0]
    calibrated = vae.net_.module_.code_scale.clone()
    elbo, reconstruction = rescored(vae, X_train, calibrated)
    for factor in (0.8, 1.25):
        other, other_reconstruction = rescored(vae, X_train, calibrated * factor)
        assert other < elbo - 0.01, (factor, other, elbo)
        # A rescaled latent space is the same autoencoder: only the KL moves.
        np.testing.assert_allclose(other_reconstruction, reconstruction, rtol=1e-4, atol=1e-5)


def test_transform_and_score_are_deterministic(vae, digits):
    X_test = digits[1]
    np.testing.assert_array_equal(vae.transform(X_test), vae.transform(X_test))
    np.testing.assert_array_equal(vae.score_samples(X_test), vae.score_samples(X_test))
    np.testing.assert_allclose(vae.transform(X_test), posterior(vae, X_test)[0], rtol=1e-6)
    assert vae.score(X_test) == pytest.approx(np.mean(vae.score_samples(X_test)), rel=1e-6)


def test_elbo_ranks_real_digits_above_noise(vae, digits):
    X_test = digits[1]
    noise = np.random.default_rng(0).uniform(0, 1, X_test.shape).astype(np.float32)
    assert np.median(vae.score_samples(X_test)) > np.max(vae.score_samples(noise))


def test_sample_is_reproducible_and_leaves_global_rng_alone(vae):
    torch_state = torch.get_rng_state()
    a = vae.sample(5, random_state=3)
    b = vae.sample(5, random_state=3)
    c = vae.sample(5, random_state=4)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert a.shape == (5, 64) and np.isfinite(a).all()
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        vae.sample(0)


def test_gaussian_noise_variance_is_its_maximum_likelihood_value(vae, digits):
    X_train, X_test = digits[0], digits[1]
    reconstruction = vae.inverse_transform(vae.transform(X_train))
    mse = np.mean((reconstruction - X_train) ** 2)  # per feature, in the data's units
    assert vae.noise_variance_ == pytest.approx(mse, rel=1e-4)
    # The maximum-likelihood value: any other variance scores the training data lower.
    module = vae.net_.module_
    learnt = module.obs_log_var.clone()
    elbo = {}
    for factor in (0.5, 1.0, 2.0):
        module.obs_log_var = learnt + np.log(factor)
        vae._inference_modules = type(vae._inference_modules)(X_train.shape[1])
        elbo[factor] = vae.score(X_train)
    module.obs_log_var = learnt
    vae._inference_modules = type(vae._inference_modules)(X_train.shape[1])
    assert elbo[1.0] > elbo[0.5] and elbo[1.0] > elbo[2.0], elbo
    # And it carries to held-out rows: within a factor 2 of their squared error
    # (measured 1.31x, held-out rows reconstruct a little worse). The fixed
    # variance it replaced, the data's, is 5.6x their error.
    held_out = np.mean((vae.inverse_transform(vae.transform(X_test)) - X_test) ** 2)
    assert 0.5 < held_out / vae.noise_variance_ < 2.0, (held_out, vae.noise_variance_)


def test_learning_the_noise_variance_improves_the_held_out_elbo(vae, default_fit, digits):
    """The calibrated Gaussian against the unit-variance one it replaced (same seed, settings)."""
    X_test = digits[1]
    fixed = default_fit(FixedVarianceVAE, 0)
    # Measured at d = 8, seeds 0-2: σ² 0.0095-0.0100 against the fixed 0.073 (the
    # data's variance), and a held-out ELBO of 32.7-34.4 against 10.6-10.8 nats
    # per image (at d = 4: 24.8 against 9.7, benchmarks/vae_digits.py).
    assert fixed.noise_variance_ > 3 * vae.noise_variance_
    assert vae.score(X_test) > fixed.score(X_test) + 10, (vae.score(X_test), fixed.score(X_test))


@pytest.fixture(scope="module")
def digit_judges(digits):
    """Classifiers trained on real digits: how confident they are that a sample is a digit."""
    X_train, _, y_train, _ = digits
    return {
        "logistic": LogisticRegression(max_iter=2000).fit(X_train, y_train),
        "mlp": MLPClassifier((128,), max_iter=500, random_state=0).fit(X_train, y_train),
    }


@pytest.fixture(scope="module", params=FAST_THEN_SLOW_SEEDS)
def seeded_pair(request, default_fit):
    """``(seed, VAE, Autoencoder)`` at defaults with 8 code units, fitted on the digits."""
    seed = request.param
    return seed, default_fit(VAE, seed), default_fit(Autoencoder, seed)


def test_vae_samples_are_judged_digits_more_than_ae_random_decodings(
    digits, digit_judges, seeded_pair
):
    """The course's point, at defaults: decode random codes; the VAE's are digits.

    Both judges of the issue, at every seed: classifiers trained on real
    digits are more confident on the VAE's samples, and the samples lie
    nearer held-out digits, than the autoencoder's decodings of random codes
    drawn at its codes' mean and spread. The mean digit (500 copies), a
    generator that knows nothing, fails the same bars.
    """
    X_train, X_test = digits[0], digits[1]
    seed, vae, ae = seeded_pair
    codes = ae.transform(X_train)
    rng = np.random.default_rng(seed)
    random_codes = rng.normal(codes.mean(axis=0), codes.std(axis=0), (500, 8))
    sources = {
        "vae": vae.sample(500, random_state=seed),
        "ae": ae.inverse_transform(random_codes.astype(np.float32)),
        "mean digit": np.tile(X_train.mean(axis=0), (500, 1)),
    }
    confidence, nearest = {}, {}
    for name, samples in sources.items():
        samples = np.clip(samples, 0.0, 1.0)
        for judge, classifier in digit_judges.items():
            confidence[name, judge] = classifier.predict_proba(samples).max(axis=1).mean()
        nearest[name] = pairwise_distances(samples, X_test).min(axis=1).mean()
    # Measured at seeds 0-3, VAE against AE (mean digit): logistic 0.83-0.87
    # against 0.64-0.65 (0.32), MLP 0.94-0.96 against 0.82-0.85 (0.89),
    # nearest-neighbour distance 1.14-1.19 against 1.52-1.55 (1.63);
    # benchmarks/vae_digits.py.
    for other in ("ae", "mean digit"):
        assert confidence["vae", "logistic"] > confidence[other, "logistic"] + 0.1, confidence
        assert confidence["vae", "mlp"] > confidence[other, "mlp"] + 0.02, confidence
        assert nearest["vae"] < 0.85 * nearest[other], nearest


def test_the_standard_normal_prior_samples_worse_than_the_fitted_one(
    seeded_pair, digits, digit_judges
):
    """What the fitted prior buys: the same network, its codes drawn from N(0, I) instead."""
    X_train, X_test = digits[0], digits[1]
    _, vae, _ = seeded_pair
    fitted_prior, fitted_elbo = vae.prior_, vae.score(X_test)
    fitted = np.clip(vae.sample(500, random_state=0), 0, 1)
    original = vae.prior  # the fixture's fit is shared: restored below
    try:
        vae.set_params(prior="normal")._fit_prior(X_train)
        normal = np.clip(vae.sample(500, random_state=0), 0, 1)
        normal_elbo = vae.score(X_test)
    finally:
        vae.set_params(prior=original).prior_ = fitted_prior
    judge = digit_judges["logistic"]
    # Measured at d = 8, seeds 0-3: confidence 0.83-0.87 against 0.63-0.66;
    # held-out ELBO 1.5-2.0 nats per image higher (benchmarks/vae_digits.py).
    assert judge.predict_proba(fitted).max(axis=1).mean() > (
        judge.predict_proba(normal).max(axis=1).mean() + 0.1
    )
    assert fitted_elbo > normal_elbo + 0.5


def test_kl_warmup_ramps_the_weight_without_ever_zeroing_it(small):
    X = small[0]
    ramps = []
    for epochs in (1, 2, 4, 6):
        vae = VAE(kl_warmup=4, max_epochs=epochs, n_iter_no_change=100, random_state=0).fit(X)
        ramps.append(vae.net_.penalties[0].ramp)
        assert min(vae.history_[0, "batches", :, "train_kl"]) > 0
    assert ramps == [0.25, 0.5, 1.0, 1.0]


def test_bernoulli_likelihood_maps_data_into_the_unit_interval(small):
    X, X_test = small
    vae = VAE(likelihood="bernoulli", max_epochs=5, random_state=0).fit(X)
    samples = vae.sample(10, random_state=0)
    assert samples.min() >= 0 and samples.max() <= 1
    assert np.isfinite(vae.score_samples(X_test)).all()
    # Digits' pixels are 0..16: X * 16 - 8 maps back onto X exactly, so the
    # fit is the same model. Its samples come in the data's units; its ELBO
    # is unchanged (a Bernoulli's probabilities do not depend on the two
    # values it is put on).
    wide = VAE(likelihood="bernoulli", max_epochs=5, random_state=0).fit(X * 16 - 8)
    np.testing.assert_allclose(wide.sample(10, random_state=0), samples * 16 - 8, atol=1e-4)
    np.testing.assert_allclose(
        wide.score_samples(X_test * 16 - 8), vae.score_samples(X_test), rtol=1e-5
    )


def test_vae_has_no_loss_parameter():
    assert "loss" not in VAE().get_params()
    assert "loss :" not in VAE.__doc__


def test_latent_interpolation_runs_between_the_two_reconstructions(vae, digits):
    X_test = digits[1]
    path = latent_interpolation(vae, X_test[0], X_test[1], n_steps=6)
    ends = vae.inverse_transform(vae.transform(X_test[:2]))
    assert path.shape == (6, 64)
    np.testing.assert_allclose(path[[0, -1]], ends, rtol=1e-5, atol=1e-6)
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    assert steps.max() < np.linalg.norm(ends[1] - ends[0])  # a path, not a jump
