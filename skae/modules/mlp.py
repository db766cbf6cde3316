"""Fully connected (MLP) encoders and decoders.

The decoder mirrors the encoder, as ``MLPRegressor`` users expect from
``hidden_layer_sizes``: ``(256, 64)`` builds n_features-256-64-k-64-256-n_features.
"""

from collections.abc import Sequence
from itertools import pairwise

import torch
import torch.nn.functional as F
from torch import nn

from .autoencoder import AutoencoderModule
from .variational import GaussianHead, VariationalModule

ACTIVATIONS = {
    "identity": nn.Identity,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
}


class TiedLinear(nn.Module):
    """A linear layer whose weight is the transpose of another linear layer's.

    Only the bias is a parameter of its own. The tied layer is kept out of this
    module's children (in a tuple) so that its weight is registered, saved and
    counted once, by the encoder that owns it.
    """

    def __init__(self, tied_to: nn.Linear):
        super().__init__()
        self._tied_to = (tied_to,)
        self.bias = nn.Parameter(torch.zeros(tied_to.in_features))

    @property
    def weight(self) -> torch.Tensor:
        return self._tied_to[0].weight.t()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight, self.bias)


class LinearPath(nn.Module):
    """``x -> linear(x) + body(x)``: an affine map with a non-linear correction.

    The body's last layer starts at zero, so the module starts as its linear
    part alone; an autoencoder built of two of these can start at PCA's
    solution and move away from it only where training finds curvature.
    """

    def __init__(self, linear: nn.Linear, body: nn.Sequential):
        super().__init__()
        self.linear = linear
        self.body = body
        last = body[-1]
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x) + self.body(x)


def wrap_encoder(encoder: nn.Sequential, code_activation, input_layer) -> None:
    """Append the code's activation to ``encoder`` and put ``input_layer`` first, in place.

    Shared by every architecture's builder: the code activation (a key of
    ``ACTIVATIONS`` or a module such as :class:`~skae.modules.layers.TopK`) and
    the input layer (a :class:`~skae.modules.layers.Corruption`) do not depend
    on the layers in between.
    """
    if isinstance(code_activation, nn.Module):
        encoder.append(code_activation)
    elif code_activation != "identity":
        encoder.append(ACTIVATIONS[code_activation]())
    if input_layer is not None:
        encoder.insert(0, input_layer)


def output_module(output_activation: str) -> nn.Module | None:
    """The module mapping raw decoder output to data space; None for the identity."""
    return None if output_activation == "identity" else ACTIVATIONS[output_activation]()


def _stack(layers: Sequence[nn.Module], activation: str) -> nn.Sequential:
    """Interleave ``activation`` between layers (not after the last one)."""
    modules = []
    for i, layer in enumerate(layers):
        modules.append(layer)
        if i < len(layers) - 1:
            modules.append(ACTIVATIONS[activation]())
    return nn.Sequential(*modules)


def build_mlp_autoencoder(
    n_features: int,
    n_components: int,
    hidden_layer_sizes: Sequence[int] = (),
    activation: str = "relu",
    code_activation: str | nn.Module = "identity",
    tied: bool = False,
    output_activation: str = "identity",
    input_layer: nn.Module | None = None,
    linear_path: bool = False,
    n_outputs: int | None = None,
) -> AutoencoderModule:
    """Build a mirrored MLP autoencoder.

    Parameters
    ----------
    n_features : int
        Input (and output) width.
    n_components : int
        Bottleneck width.
    hidden_layer_sizes : sequence of int, default=()
        Encoder hidden widths; the decoder uses them in reverse.
    activation : str, default="relu"
        Non-linearity between hidden layers, a key of ``ACTIVATIONS``.
    code_activation : str or torch.nn.Module, default="identity"
        Applied to the code: a key of ``ACTIVATIONS`` (a sigmoid for KL
        sparsity, say) or a module (:class:`~skae.modules.layers.TopK`).
    tied : bool, default=False
        Each decoder layer uses the transpose of the mirrored encoder layer's
        weight (with a bias of its own).
    output_activation : str, default="identity"
        Maps the raw decoder output to data space.
    input_layer : torch.nn.Module, default=None
        Put first in the encoder (a :class:`~skae.modules.layers.Corruption`).
    linear_path : bool, default=False
        Make encoder and decoder each a :class:`LinearPath`: a direct affine
        map plus the hidden layers as a correction that starts at zero.
    n_outputs : int, default=None
        Output width, when the decoder's target is not the input (``None``:
        ``n_features``).

    Returns
    -------
    AutoencoderModule
    """
    n_outputs = n_features if n_outputs is None else n_outputs
    widths = [n_features, *hidden_layer_sizes, n_components]
    encoder_layers = [nn.Linear(a, b) for a, b in pairwise(widths)]
    if tied:
        if n_outputs != n_features:
            raise ValueError("tied weights need as many outputs as inputs.")
        decoder_layers = [TiedLinear(layer) for layer in reversed(encoder_layers)]
    else:
        back = [n_components, *reversed(hidden_layer_sizes), n_outputs]
        decoder_layers = [nn.Linear(a, b) for a, b in pairwise(back)]
    encoder = _stack(encoder_layers, activation)
    decoder = _stack(decoder_layers, activation)
    if linear_path:
        if tied:
            raise ValueError("linear_path and tied weights cannot be combined.")
        encoder = nn.Sequential(LinearPath(nn.Linear(n_features, n_components), encoder))
        decoder = LinearPath(nn.Linear(n_components, n_outputs), decoder)
    wrap_encoder(encoder, code_activation, input_layer)
    out = output_module(output_activation)
    return AutoencoderModule(encoder, decoder, out)


def build_mlp_vae(
    n_features: int,
    n_components: int,
    hidden_layer_sizes: Sequence[int] = (),
    activation: str = "elu",
    output_activation: str = "identity",
) -> VariationalModule:
    """Build a mirrored MLP variational autoencoder.

    The encoder trunk is n_features-hidden…-(activation), the Gaussian head
    maps its output to μ and log σ² of size ``n_components``, and the decoder
    mirrors the trunk back to ``n_features``.

    Returns
    -------
    VariationalModule
    """
    widths = [n_features, *hidden_layer_sizes]
    trunk = nn.Sequential()
    for a, b in pairwise(widths):
        trunk.append(nn.Linear(a, b))
        trunk.append(ACTIVATIONS[activation]())
    head = GaussianHead(widths[-1], n_components)
    back = [n_components, *reversed(hidden_layer_sizes), n_features]
    decoder = _stack([nn.Linear(a, b) for a, b in pairwise(back)], activation)
    out = output_module(output_activation)
    return VariationalModule(trunk, head, decoder, out)
