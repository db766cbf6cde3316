"""Penalties added to the reconstruction loss.

A penalty is any callable ``penalty(output, X, module) -> scalar tensor`` where
``output`` is the module's :class:`~skae.modules.AEOutput`, ``X`` the clean
input batch and ``module`` the autoencoder module. Its weight is part of the
callable (a class with a ``weight`` attribute, or a closure). An optional
``name`` attribute names the column under which the net records the penalty's
per-batch value in its history (``"train_<name>"`` / ``"valid_<name>"``).

Variants regularise by listing penalties; the training loop never changes.
"""

import math
from typing import Protocol

import torch
import torch.nn.functional as F
from torch import nn

from .modules import AEOutput


class Penalty(Protocol):
    def __call__(self, output: AEOutput, X: torch.Tensor, module: nn.Module) -> torch.Tensor: ...


def penalty_name(penalty: Penalty) -> str:
    """The history column name of a penalty."""
    return getattr(penalty, "name", None) or type(penalty).__name__.lower()


class KLSparsity:
    """β · Σⱼ KL(ρ ‖ ρ̂ⱼ), ρ̂ⱼ the mean activation of code unit j over the batch.

    The classic sparse-autoencoder penalty (Ng's notes): each unit should be
    active (near 1) on a fraction ρ of the inputs. Needs codes in (0, 1).
    """

    name = "kl_sparsity"

    def __init__(self, weight: float, target: float):
        self.weight = weight
        self.target = target

    def __call__(self, output, X, module):
        rho = self.target
        rho_hat = output.code.mean(dim=0)
        # KL(ρ‖ρ̂) = BCE(ρ̂; ρ) − H(ρ): one fused (and log-clamped) op instead of
        # a dozen small ones, which matters per batch on a CPU. The op raises
        # on a NaN (codes of a diverged step, or of input that overflows
        # float32) instead of returning it: it gets the NaNs replaced, and the
        # second term, 0 for finite codes, hands them on to the loss, which the
        # net's divergence check then stops with its own error.
        finite = rho_hat.nan_to_num(rho)
        cross_entropy = (
            F.binary_cross_entropy(finite, torch.full_like(rho_hat, rho), reduction="sum")
            + (rho_hat - finite).sum()
        )
        entropy = -(rho * math.log(rho) + (1 - rho) * math.log(1 - rho))
        return self.weight * (cross_entropy - entropy * rho_hat.numel())


class L1Sparsity:
    """λ · Σⱼ |hⱼ|, averaged over the batch."""

    name = "l1_sparsity"

    def __init__(self, weight: float):
        self.weight = weight

    def __call__(self, output, X, module):
        return self.weight * output.code.abs().sum(dim=1).mean()


class GaussianKL:
    """weight · KL(q(z|x) ‖ N(0, I)), in closed form, averaged over the batch.

    KL = ½ Σⱼ (μⱼ² + σⱼ² − log σⱼ² − 1). ``ramp`` (set by a warm-up callback)
    scales it during the first epochs; it is never zero.
    """

    name = "kl"

    def __init__(self, weight: float):
        self.weight = weight
        self.ramp = 1.0

    def __call__(self, output, X, module):
        return self.weight * self.ramp * gaussian_kl(output.mu, output.log_var).mean()


def gaussian_kl(mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """Per-row KL(N(μ, diag σ²) ‖ N(0, I))."""
    return 0.5 * (mu.pow(2) + log_var.exp() - log_var - 1).sum(dim=1)


class Contraction:
    """λ · ‖∂f(x)/∂x‖²_F, the squared Frobenius norm of the encoder's Jacobian.

    ``jacobian="exact"`` is exact for any encoder: in closed form for linear
    layers and element-wise activations (see :func:`encoder_jacobian_sq_norm`),
    by one backward pass per code unit otherwise (a convolutional encoder);
    ``"hutchinson"`` is the unbiased one-probe estimate ‖vᵀJ‖² with
    v ~ N(0, I) in code space, one extra backward pass through the encoder
    whatever its width. Both are taken with respect to the standardised input,
    so that λ does not depend on the data's units.
    """

    name = "contraction"

    def __init__(self, weight: float, jacobian: str = "exact"):
        self.weight = weight
        self.jacobian = jacobian

    def __call__(self, output, X, module):
        x = module.standardize(X)
        if self.jacobian == "exact":
            norms = encoder_jacobian_sq_norm(module, x)
        else:
            norms = hutchinson_jacobian_sq_norm(module, x)
        return self.weight * norms.mean()


def hutchinson_jacobian_sq_norm(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Per-row unbiased estimate of ‖J‖²_F of ``module.encoder``: ‖vᵀJ‖², v ~ N(0, I)."""
    training = torch.is_grad_enabled()  # keep the graph only when it will be used
    x = x.detach().requires_grad_()
    with torch.enable_grad():
        code = module.encoder(x)
        probe = torch.randn_like(code)
        (row_vjp,) = torch.autograd.grad(code, x, grad_outputs=probe, create_graph=training)
    return row_vjp.pow(2).sum(dim=1)


def autograd_jacobian_sq_norm(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Per-row ‖J‖²_F of any encoder (a convolutional one, say), exactly.

    One backward pass per code unit: row j of J is the gradient of code unit
    j, and rows of a batch do not interact, so the gradient of the unit's sum
    over the batch holds every row's.
    """
    training = torch.is_grad_enabled()  # keep the graph only when it will be used
    x = x.detach().requires_grad_()
    with torch.enable_grad():
        code = module.encoder(x)
        norms = torch.zeros(len(x), dtype=x.dtype, device=x.device)
        for unit in range(code.shape[1]):
            (row_grad,) = torch.autograd.grad(
                code[:, unit].sum(), x, create_graph=training, retain_graph=True
            )
            norms = norms + row_grad.pow(2).sum(dim=1)
    return norms


def _elementwise_derivative(activation: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """σ'(z) of an element-wise activation.

    While training it stays differentiable in z, because the penalty's
    gradient flows through σ' into the weights; otherwise it is a plain value.
    """
    if isinstance(activation, nn.Identity):
        return torch.ones_like(z)
    if z.requires_grad and torch.is_grad_enabled():
        (derivative,) = torch.autograd.grad(activation(z).sum(), z, create_graph=True)
        return derivative
    with torch.enable_grad():
        z = z.detach().requires_grad_()
        (derivative,) = torch.autograd.grad(activation(z).sum(), z)
    return derivative


def encoder_jacobian_sq_norm(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Per-row ‖J‖²_F of ``module.encoder`` at the (standardised) rows ``x``.

    The encoder is a chain f = σ_L ∘ W_L ∘ … ∘ σ_1 ∘ W_1 of linear layers and
    element-wise activations, so J = S_L W_L ⋯ S_1 W_1 with S_l = diag(σ_l'(z_l)).
    The product is formed per row from the code side, (rows, d, h₁), and its
    norm against the widest matrix W₁ (h₁ × D) is taken through the Gram
    matrix G = W₁W₁ᵀ: ‖A W₁‖²_F = Σ (A G) ⊙ A, which costs d·h₁² per row instead
    of d·h₁·D. Any other encoder (a convolutional one) goes to
    :func:`autograd_jacobian_sq_norm`.

    Returns
    -------
    torch.Tensor of shape (n_rows,)
    """
    if not all(
        isinstance(layer, nn.Linear) or type(layer).__name__ in _ELEMENTWISE
        for layer in module.encoder
    ):
        return autograd_jacobian_sq_norm(module, x)
    weights, derivatives = [], []
    h = x
    for layer in module.encoder:
        if isinstance(layer, nn.Linear):
            h = layer(h)
            weights.append(layer.weight)
            derivatives.append(None)
        else:
            derivatives[-1] = _elementwise_derivative(layer, h)
            h = layer(h)
    first = weights[0]
    if len(weights) == 1:
        row_norms = first.pow(2).sum(dim=1)  # (d,)
        s = derivatives[0]
        return row_norms.sum().expand(len(x)) if s is None else s.pow(2) @ row_norms
    A = weights[-1].unsqueeze(0)  # (1, d, h_{L-1})
    if derivatives[-1] is not None:
        A = derivatives[-1].unsqueeze(2) * A
    for W, s in zip(reversed(weights[1:-1]), reversed(derivatives[1:-1]), strict=True):
        if s is not None:
            A = A * s.unsqueeze(1)
        A = A @ W
    if derivatives[0] is not None:
        A = A * derivatives[0].unsqueeze(1)
    A = A.expand(len(x), -1, -1)
    if first.shape[0] < first.shape[1]:
        gram = first @ first.t()
        return ((A @ gram) * A).sum(dim=(1, 2))
    return (A @ first).pow(2).sum(dim=(1, 2))


def scale_free_contraction(module: nn.Module, x: torch.Tensor, rtol: float = 1e-6) -> float:
    """Mean ‖Σ^(-1/2) J_f(x)‖²_F over the (standardised) rows ``x``, Σ the codes' covariance.

    How sensitive the code is to small input changes relative to how far it
    spreads over the data: ‖J‖²_F of the codes once whitened over ``x``, that is
    E tr(Σ⁻¹ J Jᵀ).

    Why not the raw mean of ‖J_f(x)‖²_F: mapping the code through an invertible
    linear A multiplies J by A, and a decoder whose first layer is linear undoes
    A at no cost to the reconstruction. Shrinking the codes by c divides ‖J‖²_F
    by c² without the encoder getting any flatter relative to the codes' spread,
    which is how a contractive penalty with an untied decoder lowers it. Σ
    becomes AΣAᵀ under the same map, so the whitened norm does not change:
    it depends on the encoder's geometry alone. Dividing by the codes' total
    variance tr Σ would remove a common rescaling only; an uneven one (most of
    the variance in a few directions) still lowers that ratio, and a penalty
    normalised that way learns to do so.

    For a linear encoder W on data of covariance C the measure is
    tr((WCWᵀ)⁻¹WWᵀ), which depends on W's row space only; PCA's subspace
    minimises it among linear encoders, at Σᵢ 1/λᵢ over the top eigenvalues.

    Parameters
    ----------
    module : torch.nn.Module
        An autoencoder module; its ``encoder`` maps ``x`` to the codes.
    x : torch.Tensor of shape (n_rows, n_features)
        Standardised rows (``module.standardize(X)``), many more than code
        units: they estimate the codes' covariance too.
    rtol : float, default=1e-6
        Code directions whose variance is below ``rtol`` times the largest have
        no spread to compare with (dead units, codes confined to a subspace)
        and are left out, as a pseudo-inverse would.

    Returns
    -------
    float
    """
    with torch.no_grad():
        codes = module.encoder(x).double()
        covariance = torch.cov(codes.T, correction=0).reshape(codes.shape[1], -1)
        variances, axes = torch.linalg.eigh(covariance)
        keep = variances > rtol * variances.max()
        # Any P with PᵀP = Σ⁻¹ whitens. Appending it to the encoder as a fixed
        # linear layer lets the closed-form Jacobian norm do the rest.
        whiten = nn.Linear(codes.shape[1], int(keep.sum()), bias=False)
        whiten = whiten.to(device=x.device, dtype=x.dtype)
        whiten.weight.copy_((axes[:, keep] / variances[keep].sqrt()).T)
        whitened = nn.Module()
        whitened.encoder = nn.Sequential(*module.encoder, whiten)
        return encoder_jacobian_sq_norm(whitened, x).mean().item()


_ELEMENTWISE = {
    "Identity",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "SELU",
    "GELU",
    "Tanh",
    "Sigmoid",
    "Softplus",
}
