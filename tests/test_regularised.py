"""Sparse, denoising and contractive autoencoders each prove their property on digits."""

import numpy as np
import pytest
import torch
from _seeds import FAST_THEN_SLOW_SEEDS
from sklearn.decomposition import PCA

from skae import Autoencoder, ContractiveAE, DenoisingAE, SparseAE
from skae._penalties import encoder_jacobian_sq_norm, scale_free_contraction
from skae.modules import Corruption, build_mlp_autoencoder


def near_zero_fraction(codes):
    """Share of code entries below 5% of the codes' root mean square (scale-free)."""
    return float(np.mean(np.abs(codes) < 0.05 * np.sqrt(np.mean(codes**2))))


# Slow tier at every seed: a demonstration at the default budget, kept out of the
# 5-minute fast suite (#12), which keeps the claims the issues name.
@pytest.mark.slow
def test_kl_sparsity_holds_units_near_the_target_activation(digits):
    X_train = digits[0]
    rho = 0.05
    # The KL penalty's progress is bounded by the step size (Adam moves each
    # weight by about lr per step); at lr=1e-3 the cosine-annealed budget of
    # 4,000 steps leaves the units at 0.17-0.25 (see the issue note).
    ae = SparseAE(n_components=64, sparsity="kl", sparsity_target=rho, lr=3e-3, random_state=0)
    ae.fit(X_train)
    mean_activation = ae.transform(X_train).mean(axis=0)
    in_band = np.mean((mean_activation >= rho / 2) & (mean_activation <= 2 * rho))
    assert in_band >= 0.8, in_band
    penalty = ae.history_[-1, "batches", 0, "train_kl_sparsity"]
    assert penalty > 0


def test_topk_keeps_at_most_k_active_units_per_row(digits):
    X_train, X_test = digits[0], digits[1]
    ae = SparseAE(n_components=32, sparsity="topk", k=3, max_epochs=20, random_state=0)
    codes = ae.fit(X_train).transform(X_test)
    assert (np.count_nonzero(codes, axis=1) <= 3).all()
    assert np.count_nonzero(codes, axis=1).mean() > 2  # and it does use them
    assert ae.active_fraction_ == pytest.approx(np.mean(ae.transform(X_train) > 0))


def test_topk_trains_with_k_and_encodes_with_transform_k(digits):
    """Makhzani & Frey's αk encoding: the same training, more active units in the codes."""
    X_train, X_test = digits[0], digits[1]
    params = dict(n_components=32, sparsity="topk", k=3, max_epochs=5, random_state=0)
    plain = SparseAE(**params).fit(X_train)
    wider = SparseAE(**params, transform_k=9).fit(X_train)
    # transform_k leaves training alone: the same weights and losses as k alone.
    for name, weight in plain.net_.module_.state_dict().items():
        if name != "code_scale":  # recalibrated for the codes it publishes
            torch.testing.assert_close(wider.net_.module_.state_dict()[name], weight)
    assert wider.loss_curve_ == plain.loss_curve_
    active = np.count_nonzero(wider.transform(X_test), axis=1)
    assert active.max() <= 9 and active.mean() > 6
    assert np.count_nonzero(plain.transform(X_test), axis=1).max() <= 3
    assert wider.active_fraction_ == pytest.approx(np.mean(wider.transform(X_train) > 0))
    with pytest.raises(ValueError, match="transform_k=33 is more than n_components=32"):
        SparseAE(**{**params, "transform_k": 33}).fit(X_train)


def test_tied_topk_writes_back_the_direction_each_unit_reads(digits):
    """Makhzani & Frey's tied k-sparse autoencoder: unit j decodes along row j of the
    encoder's weight (an untied decoder along a direction of its own)."""
    X_train, X_test = digits[0], digits[1]
    params = dict(n_components=32, sparsity="topk", k=3, max_epochs=5, random_state=0)
    cosines = {}
    for tied in (True, False):
        ae = SparseAE(**params, tied=tied).fit(X_train)
        assert np.count_nonzero(ae.transform(X_test), axis=1).max() <= 3
        module = ae.net_.module_
        read = [layer for layer in module.encoder.modules() if isinstance(layer, torch.nn.Linear)]
        with torch.no_grad():
            written = module.decode(torch.eye(32)) - module.decode(torch.zeros(1, 32))
            cosines[tied] = torch.nn.functional.cosine_similarity(written, read[-1].weight)
    torch.testing.assert_close(cosines[True], torch.ones(32))
    assert cosines[False].abs().max() < 0.99


@pytest.mark.parametrize("sparsity", ["topk", "l1"])
def test_relu_codes_are_published_in_the_datas_units_carrying_its_energy(digits, sparsity):
    """A published value c of any unit moves the reconstruction by length c / s, in X's units,
    with one factor s for every unit, chosen so the codes carry X's centred energy."""
    X_train = digits[0] * 3.0  # the data's units are not the standardised ones training uses
    ae = SparseAE(n_components=32, sparsity=sparsity, k=4, max_epochs=5, random_state=0)
    codes = ae.fit(X_train).transform(X_train)
    alive = np.flatnonzero((codes > 0).any(axis=0))
    typical = np.sqrt(np.mean(codes**2, axis=0))
    moved = ae.inverse_transform(np.diag(typical).astype(np.float32)) - ae.inverse_transform(
        np.zeros((1, 32), np.float32)
    )
    assert len(alive) > 16
    per_unit = np.linalg.norm(moved, axis=1)[alive] / typical[alive]
    np.testing.assert_allclose(per_unit, np.median(per_unit), rtol=1e-3)
    centred = X_train - X_train.mean(axis=0)
    energy = np.mean(np.sum(centred.astype(np.float64) ** 2, axis=1))
    assert np.mean(np.sum(codes.astype(np.float64) ** 2, axis=1)) == pytest.approx(energy, rel=1e-3)


class TopKWithoutRevival(SparseAE):
    def _callbacks(self):
        return []


# Slow tier at every seed: a demonstration at the default budget, kept out of the
# 5-minute fast suite (#12), which keeps the claims the issues name.
@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_topk_revival_keeps_dead_units_from_piling_up(digits, seed):
    X_train = digits[0]
    params = dict(n_components=256, sparsity="topk", k=2, max_epochs=100, random_state=seed)
    without = TopKWithoutRevival(**params).fit(X_train)
    revived = SparseAE(**params).fit(X_train)
    assert without.dead_units_ > 100  # the failure mode is real here ...
    assert revived.dead_units_ < 0.25 * without.dead_units_  # ... and revival prevents it
    assert sum(revived.history_[:, "revived_units"]) > 0


# Slow tier at every seed: a demonstration at the default budget, kept out of the
# 5-minute fast suite (#12), which keeps the claims the issues name.
@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_l1_codes_are_much_sparser_than_a_plain_autoencoders(digits, seed):
    X_train, X_test = digits[0], digits[1]
    sparse = SparseAE(n_components=32, sparsity="l1", random_state=seed).fit(X_train)
    plain = Autoencoder(n_components=32, random_state=seed).fit(X_train)
    sparse_zero = near_zero_fraction(sparse.transform(X_test))
    plain_zero = near_zero_fraction(plain.transform(X_test))
    assert sparse_zero >= 3 * plain_zero, (sparse_zero, plain_zero)
    assert sparse_zero > 0.4


def test_overcomplete_plain_autoencoder_warns_and_regularised_ones_do_not(small):
    X = small[0]
    with pytest.warns(UserWarning, match="overcomplete autoencoder without regularisation"):
        Autoencoder(n_components=80, max_epochs=1).fit(X)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        for Estimator in (SparseAE, DenoisingAE, ContractiveAE):
            Estimator(n_components=80, max_epochs=1, random_state=0).fit(X)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_denoising_beats_plain_autoencoder_and_pca_on_noisy_held_out_data(digits, seed):
    """Each seed draws the noise and both networks' starts."""
    X_train, X_test = digits[0], digits[1]
    noisy = np.clip(X_test + np.random.default_rng(seed).normal(0, 0.3, X_test.shape), 0, 1)
    noisy = noisy.astype(np.float32)

    def denoising_mse(model):
        return np.mean((model.inverse_transform(model.transform(noisy)) - X_test) ** 2)

    k = 16
    dae = denoising_mse(DenoisingAE(n_components=k, random_state=seed).fit(X_train))
    ae = denoising_mse(Autoencoder(n_components=k, random_state=seed).fit(X_train))
    pca = denoising_mse(PCA(n_components=k).fit(X_train))
    # Measured at seeds 0-2: 0.52-0.62x the plain autoencoder's error, 0.71-0.72x PCA's.
    assert dae < 0.8 * ae and dae < 0.8 * pca, (dae, ae, pca)


@pytest.mark.parametrize("noise", ["gaussian", "masking", "salt_pepper"])
def test_corruption_only_in_training_mode(noise):
    layer = Corruption(noise, 0.3, low=-torch.ones(20), high=torch.ones(20))
    x = torch.full((50, 20), 0.5)
    corrupted = layer.train()(x)
    assert not torch.equal(corrupted, x)
    if noise == "masking":
        assert 0.15 < (corrupted == 0).float().mean() < 0.45
    if noise == "salt_pepper":
        assert set(corrupted.unique().tolist()) == {-1.0, 0.5, 1.0}
        assert 0.15 < (corrupted != 0.5).float().mean() < 0.45
    assert torch.equal(layer.eval()(x), x)


def test_denoising_transform_is_deterministic(small):
    X, X_test = small
    ae = DenoisingAE(noise="masking", noise_level=0.5, max_epochs=3, random_state=0).fit(X)
    codes = ae.transform(X_test)
    np.testing.assert_array_equal(codes, ae.transform(X_test))
    # transform encodes the clean input: the encoder without its corruption
    # layer gives the same codes, while training's forward pass corrupts.
    module = ae.net_.module_
    x = torch.as_tensor(X_test)
    with torch.no_grad():
        clean = module.encoder[1:](module.standardize(x)) / module.code_scale
        np.testing.assert_allclose(codes, clean.numpy(), rtol=1e-5, atol=1e-6)
        corrupted = module.train().encode(x)
    module.eval()
    assert not np.allclose(corrupted.numpy(), codes, atol=1e-3)


@pytest.mark.parametrize("hidden", [(), (7,), (9, 5), (20, 8, 6)])
@pytest.mark.parametrize("activation", ["elu", "tanh", "sigmoid", "relu", "gelu"])
def test_jacobian_penalty_is_exact_for_any_mlp_encoder(hidden, activation):
    torch.manual_seed(0)
    module = build_mlp_autoencoder(12, 4, hidden, activation=activation, code_activation="sigmoid")
    x = torch.randn(6, 12)
    fast = encoder_jacobian_sq_norm(module, x)
    brute = torch.stack(
        [torch.autograd.functional.jacobian(module.encoder, row).pow(2).sum() for row in x]
    )
    torch.testing.assert_close(fast, brute, rtol=1e-4, atol=1e-6)


def test_jacobian_penalty_gradient_matches_autograd_through_the_jacobian():
    torch.manual_seed(1)
    module = build_mlp_autoencoder(6, 3, (5,), activation="tanh")
    x = torch.randn(4, 6)
    encoder_jacobian_sq_norm(module, x).sum().backward()
    # The code layer's bias does not move the Jacobian: its gradient is zero.
    fast = [
        torch.zeros_like(p) if p.grad is None else p.grad.clone()
        for p in module.encoder.parameters()
    ]
    module.zero_grad()
    jac = torch.autograd.functional.jacobian(
        lambda inp: module.encoder(inp), x, create_graph=True
    )  # (4, 3, 4, 6); only the diagonal row blocks matter
    torch.stack([jac[i, :, i, :].pow(2).sum() for i in range(4)]).sum().backward()
    for a, p in zip(fast, module.encoder.parameters(), strict=True):
        expected = torch.zeros_like(p) if p.grad is None else p.grad
        torch.testing.assert_close(a, expected, rtol=1e-4, atol=1e-6)
    assert any(g.abs().sum() > 0 for g in fast)


def scale_free(model, X):
    """The fitted encoder's Jacobian relative to the codes' spread on ``X``."""
    module = model.net_.module_.eval()
    return scale_free_contraction(module, module.standardize(torch.from_numpy(X)))


def test_scale_free_contraction_ignores_linear_maps_of_the_code():
    torch.manual_seed(0)
    module = build_mlp_autoencoder(12, 3, (9,), activation="tanh")
    x = torch.randn(500, 12)
    raw, measure = encoder_jacobian_sq_norm(module, x).mean(), scale_free_contraction(module, x)
    # An untied decoder undoes any invertible linear map of the code at no cost; the
    # raw norm follows the map, the measure must not.
    mix = torch.tensor([[0.1, 0.0, 0.0], [0.03, 0.2, 0.0], [0.0, -0.1, 0.05]])
    code_layer = module.encoder[-1]
    with torch.no_grad():
        code_layer.weight.copy_(mix @ code_layer.weight)
        code_layer.bias.copy_(mix @ code_layer.bias + 5.0)
    assert encoder_jacobian_sq_norm(module, x).mean() < 0.5 * raw
    assert scale_free_contraction(module, x) == pytest.approx(measure, rel=1e-4)


def test_scale_free_contraction_of_a_linear_encoder_is_the_closed_form():
    torch.manual_seed(0)
    module = build_mlp_autoencoder(6, 2, ())
    x = torch.randn(400, 6) @ torch.randn(6, 6)
    W = module.encoder[0].weight.detach().double()
    C = torch.cov(x.double().T, correction=0)
    expected = torch.trace(torch.linalg.solve(W @ C @ W.T, W @ W.T)).item()
    assert scale_free_contraction(module, x) == pytest.approx(expected, rel=1e-4)


# The claim's setting: held-out digits, 8 code units, small layers and a short budget
# (each fit takes a few seconds), the plain Autoencoder with the same layers and budget
# (its PCA start and held-out check off, so that only the penalty and tying differ).
# Seed 0 in the fast suite, 1 and 2 in the slow tier.
CONTRACTION_SETTING = dict(n_components=8, hidden_layer_sizes=(64, 32), max_epochs=60, lr=3e-3)
COMPARED_MODELS = {
    "plain": lambda **kw: Autoencoder(init="random", early_stopping=False, **kw),
    "contractive": ContractiveAE,
    "tied, no penalty": lambda **kw: ContractiveAE(contraction_weight=0, **kw),
}


def contraction_and_error(name, seed, digits):
    """The scale-free contraction and held-out error of one compared model."""
    X_train, X_test = digits[0], digits[1]
    model = COMPARED_MODELS[name](**CONTRACTION_SETTING, random_state=seed).fit(X_train)
    return scale_free(model, X_test), -model.score(X_test)


@pytest.fixture(scope="module", params=FAST_THEN_SLOW_SEEDS)
def contraction_fits(request, digits):
    """``(seed, {model: (contraction, held-out error)})`` for the compared models."""
    seed = request.param
    return seed, {name: contraction_and_error(name, seed, digits) for name in COMPARED_MODELS}


def test_contractive_encoder_is_flatter_relative_to_its_spread_at_similar_error(
    contraction_fits,
):
    # Measured (ContractiveAE / plain Autoencoder): contraction 0.40, 0.42, 0.38 and
    # held-out error 1.27, 1.27, 1.23 at seeds 0, 1, 2 (bars 0.5 and 1.5). Before the
    # decoder was tied, the raw ‖J‖²_F was 0.004× the plain model's, all of it from codes
    # about 100 times smaller in variance; measured this way, 0.46-0.50×.
    seed, fits = contraction_fits
    cae, plain = fits["contractive"], fits["plain"]
    assert cae[0] <= 0.5 * plain[0], (seed, cae[0] / plain[0])
    assert cae[1] <= 1.5 * plain[1], (seed, cae[1] / plain[1])


def test_contraction_bar_is_not_met_by_a_plain_autoencoder_at_another_seed(
    contraction_fits, digits
):
    # The bar must separate models, not seeds: measured 0.93-1.07.
    seed, fits = contraction_fits
    other = contraction_and_error("plain", (seed + 1) % len(FAST_THEN_SLOW_SEEDS), digits)
    ratio = other[0] / fits["plain"][0]
    assert ratio > 0.5, (seed, ratio)


def test_contraction_comes_from_the_penalty_not_only_from_tying(contraction_fits):
    # Tied weights alone make the encoder flatter relative to its spread (0.54-0.59× the
    # plain model's); the penalty takes it further: measured 0.74, 0.71, 0.70.
    seed, fits = contraction_fits
    cae, tied = fits["contractive"], fits["tied, no penalty"]
    assert cae[0] <= 0.85 * tied[0], (seed, cae[0] / tied[0])


def test_kl_penalty_equals_the_closed_form():
    from skae._penalties import KLSparsity
    from skae.modules import AEOutput

    code = torch.rand(50, 10)
    rho, rho_hat = 0.05, code.mean(dim=0)
    expected = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
    penalty = KLSparsity(2.0, rho)(AEOutput(None, code, None), None, None)
    torch.testing.assert_close(penalty, 2.0 * expected.sum())


def test_hutchinson_estimate_is_unbiased():
    from skae._penalties import hutchinson_jacobian_sq_norm

    torch.manual_seed(0)
    module = build_mlp_autoencoder(12, 4, (9, 5), activation="elu")
    x = torch.randn(8, 12)
    exact = encoder_jacobian_sq_norm(module, x)
    with torch.no_grad():
        estimate = torch.stack([hutchinson_jacobian_sq_norm(module, x) for _ in range(4000)])
    torch.testing.assert_close(estimate.mean(dim=0), exact, rtol=0.05, atol=0)


def test_hutchinson_contractive_autoencoder_also_contracts(digits, contraction_fits):
    # Measured 0.37-0.42x the plain autoencoder's at seeds 0-2 (the exact penalty:
    # 0.38-0.42x, benchmarks/contraction_trials.py).
    X_train, X_test = digits[0], digits[1]
    seed, fits = contraction_fits
    cae = ContractiveAE(jacobian="hutchinson", **CONTRACTION_SETTING, random_state=seed)
    contraction = scale_free(cae.fit(X_train), X_test)
    assert contraction <= 0.5 * fits["plain"][0], contraction
