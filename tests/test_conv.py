"""ConvAE and ``architecture="conv"`` for every variant, on digits (8×8 images)."""

import numpy as np
import pytest
import torch
from _seeds import FAST_THEN_SLOW_SEEDS
from sklearn.decomposition import PCA
from torch import nn

from skae import VAE, Autoencoder, ContractiveAE, ConvAE, DenoisingAE, LinearAE, SparseAE
from skae._penalties import autograd_jacobian_sq_norm, encoder_jacobian_sq_norm
from skae.modules import build_conv_autoencoder, build_conv_vae, resolve_image_shape

VARIANTS = [Autoencoder, LinearAE, SparseAE, DenoisingAE, ContractiveAE, VAE]


@pytest.mark.parametrize(
    "image_shape, channels",
    [
        ((1, 28, 28), (8, 16)),
        ((3, 7, 5), (4, 8, 16)),  # odd sizes: 7 -> 4 -> 2 -> 1 and back
        ((2, 1, 1), (4,)),
        ((1, 13), (4, 8)),  # a 1-D signal
        ((1, 6, 6), ()),  # no strided layer: one full-size convolution
    ],
)
@pytest.mark.parametrize("builder", [build_conv_autoencoder, build_conv_vae])
def test_conv_modules_map_flat_rows_back_to_their_exact_shape(builder, image_shape, channels):
    n_features = int(np.prod(image_shape))
    module = builder(n_features, 3, image_shape=image_shape, channels=channels)
    x = torch.randn(5, n_features)
    output = module(x)
    assert output.code.shape == (5, 3)
    assert output.reconstruction.shape == (5, n_features)
    assert module.decode(torch.randn(2, 3)).shape == (2, n_features)


def test_the_code_is_a_d_by_1_by_1_feature_map():
    module = build_conv_autoencoder(784, 32, image_shape=(1, 28, 28), channels=(32, 64))
    convs = [m for m in module.encoder if isinstance(m, nn.Conv2d)]
    assert [c.stride for c in convs] == [(2, 2), (2, 2), (1, 1)]
    # 28 -> 14 -> 7, then a 7×7 convolution to (32, 1, 1).
    assert convs[-1].kernel_size == (7, 7) and convs[-1].out_channels == 32


def test_image_shape_is_checked_against_n_features(small):
    X, _ = small
    with pytest.raises(ValueError, match=r"image_shape=\(7, 8\) holds 56 values, but X has 64"):
        ConvAE(image_shape=(7, 8), max_epochs=1).fit(X)
    with pytest.raises(ValueError, match="holds 128 values"):
        DenoisingAE(architecture="conv", image_shape=(2, 8, 8), max_epochs=1).fit(X)
    for bad in [(0, 8, 8), (8,), (1, 2, 4, 8), ("a", "b")]:
        with pytest.raises(ValueError, match="image_shape must be"):
            resolve_image_shape(64, bad)
    assert resolve_image_shape(64, None) == (1, 64)
    assert resolve_image_shape(64, [8, 8]) == (1, 8, 8)


def test_tied_transposed_convolution_is_the_adjoint_of_its_convolution():
    module = build_conv_autoencoder(64, 4, image_shape=(8, 8), channels=(5,), tied=True)
    conv = module.encoder[1]
    tied = module.decoder[-2]
    with torch.no_grad():
        tied.bias.zero_()
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(3, 1, 8, 8, generator=generator)
        y = torch.randn(3, 5, 4, 4, generator=generator)
        forward = torch.nn.functional.conv2d(x, conv.weight, None, conv.stride, conv.padding)
        # <Wx, y> = <x, Wᵀy>, up to float32 rounding of sums whose terms may
        # cancel: the tolerance scales with the terms' sizes, not the sum's.
        scale = (forward * y).abs().sum()
        assert torch.allclose((forward * y).sum(), (tied(y) * x).sum(), atol=1e-5 * scale)
    # The decoder owns biases only: its weights are the encoder's.
    assert all(p.dim() == 1 for p in module.decoder.parameters())


def test_exact_contraction_of_a_conv_encoder_equals_the_full_jacobian():
    torch.manual_seed(0)
    module = build_conv_autoencoder(64, 3, image_shape=(8, 8), channels=(4, 6), activation="elu")
    x = torch.randn(4, 64)
    expected = torch.stack(
        [torch.autograd.functional.jacobian(module.encoder, row[None]).pow(2).sum() for row in x]
    )
    assert torch.allclose(encoder_jacobian_sq_norm(module, x), expected, rtol=1e-4)
    assert torch.allclose(autograd_jacobian_sq_norm(module, x), expected, rtol=1e-4)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_accepts_the_conv_architecture(variant, small):
    X, X_test = small
    ae = variant(
        n_components=4, architecture="conv", image_shape=(8, 8), channels=(8, 16), max_epochs=3
    ).fit(X)
    assert any(isinstance(m, nn.Conv2d) for m in ae.net_.module_.modules())
    assert not any(isinstance(m, nn.Linear) for m in ae.net_.module_.encoder)
    codes = ae.transform(X_test)
    assert codes.shape == (len(X_test), 4)
    assert ae.inverse_transform(codes).shape == X_test.shape
    assert np.isfinite(ae.score(X_test))


@pytest.mark.parametrize("seed", FAST_THEN_SLOW_SEEDS)
def test_conv_ae_beats_pca_at_four_components(digits, seed):
    X_train, X_test, _, _ = digits
    pca = PCA(4).fit(X_train)
    pca_error = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    ae = ConvAE(4, image_shape=(8, 8), max_epochs=30, random_state=seed).fit(X_train)
    ae_error = np.mean((ae.inverse_transform(ae.transform(X_test)) - X_test) ** 2)
    assert ae_error < 0.85 * pca_error  # measured 0.76-0.78x at seeds 0-2


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_conv_denoising_ae_removes_noise_better_than_pca(digits, seed):
    """The setting of docs/examples/denoising_images.md; each seed draws the noise too."""
    X_train, X_test, _, _ = digits
    rng = np.random.default_rng(seed)
    noisy = np.clip(X_test + rng.normal(0, 0.3, X_test.shape), 0, 1).astype(np.float32)
    dae = DenoisingAE(
        16, architecture="conv", image_shape=(8, 8), max_epochs=60, random_state=seed
    ).fit(X_train)
    pca = PCA(16).fit(X_train)
    dae_error = np.mean((dae.inverse_transform(dae.transform(noisy)) - X_test) ** 2)
    pca_error = np.mean((pca.inverse_transform(pca.transform(noisy)) - X_test) ** 2)
    assert dae_error < 0.9 * pca_error  # measured 0.78-0.80x at seeds 0-2


def test_conv_top_k_codes_keep_k_units(small):
    X, X_test = small
    ae = SparseAE(32, sparsity="topk", k=3, architecture="conv", image_shape=(8, 8), max_epochs=5)
    codes = ae.fit(X).transform(X_test)
    assert ((codes > 0).sum(axis=1) <= 3).all()
    assert (codes > 0).sum(axis=1).mean() > 1


def test_conv_on_tabular_data_without_image_shape(small):
    X, _ = small
    ae = ConvAE(3, max_epochs=2, random_state=0).fit(X[:, :10])
    assert isinstance(ae.net_.module_.encoder[1], nn.Conv1d)
    assert ae.transform(X[:, :10]).shape == (len(X), 3)
