"""Convolutional encoders and decoders for rows that are images.

Rows stay flat, (n_samples, C·H·W), on the way in and out, so that a
convolutional autoencoder is a drop-in replacement for PCA; the module
reshapes them inside. The encoder halves the spatial size with strided 3×3
convolutions, then one convolution as large as what is left maps it to an
(n_components, 1, 1) code (the course's (d, 1, 1) bottleneck); the decoder
mirrors it with transposed convolutions, back to the exact input size.

Without an image shape the features are read as a one-channel 1-D signal, so
the same module works on any tabular data.
"""

import math
from collections.abc import Sequence
from itertools import pairwise

import torch
import torch.nn.functional as F
from torch import nn

from .autoencoder import AutoencoderModule
from .mlp import ACTIVATIONS, output_module, wrap_encoder
from .variational import GaussianHead, VariationalModule

_CONV = {1: nn.Conv1d, 2: nn.Conv2d}
_CONV_TRANSPOSE = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d}
_KERNEL, _STRIDE, _PADDING = 3, 2, 1


def resolve_image_shape(n_features: int, image_shape) -> tuple[int, ...]:
    """``(C, H, W)`` or ``(C, L)`` of the rows: ``image_shape`` checked against ``n_features``.

    ``None`` reads the features as a one-channel 1-D signal, ``(1, n_features)``;
    an ``(H, W)`` pair means one channel.
    """
    if image_shape is None:
        return (1, n_features)
    try:
        # Whole numbers only: int() would read 7.9 as 7 and fit another shape.
        shape = tuple(
            int(s) if float(s) == int(s) and not isinstance(s, bool) else 0 for s in image_shape
        )
    except (TypeError, ValueError, OverflowError):
        shape = ()
    if len(shape) == 2:
        shape = (1, *shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(
            f"image_shape must be (channels, height, width) or (height, width) of "
            f"positive integers, got {image_shape!r}."
        )
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)!r} holds {math.prod(shape)} values, but X "
            f"has {n_features} features; rows must be flattened images of that shape."
        )
    return shape


class TiedConvTranspose(nn.Module):
    """A transposed convolution that uses another convolution's weight.

    As :class:`~skae.modules.mlp.TiedLinear`: only the bias is its own, and the
    convolution is held outside this module's children so its weight is
    registered once.
    """

    def __init__(self, tied_to: nn.Module, output_padding):
        super().__init__()
        self._tied_to = (tied_to,)
        self.output_padding = output_padding
        self.bias = nn.Parameter(torch.zeros(tied_to.in_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        conv = self._tied_to[0]
        transpose = F.conv_transpose1d if isinstance(conv, nn.Conv1d) else F.conv_transpose2d
        return transpose(x, conv.weight, self.bias, conv.stride, conv.padding, self.output_padding)


def resolve_output_image_shape(n_outputs: int, output_image_shape) -> tuple[int, ...]:
    """``output_image_shape`` checked against the target's ``n_outputs`` columns."""
    if math.prod(output_image_shape) != n_outputs:
        raise ValueError(
            f"output_image_shape={tuple(output_image_shape)!r} holds "
            f"{math.prod(output_image_shape)} values, but the target has {n_outputs} columns."
        )
    return resolve_image_shape(n_outputs, output_image_shape)


def _output_shape(shape: tuple[int, ...], n_outputs: int | None, output_image_shape=None):
    """The decoder's image shape, when its target is not the input.

    ``output_image_shape`` if given; else the input's height and width with as
    many channels as ``n_outputs`` fills (grey in, colour out); else a
    one-channel 1-D signal of ``n_outputs`` values.
    """
    if n_outputs is None:
        return shape
    if output_image_shape is not None:
        return resolve_output_image_shape(n_outputs, output_image_shape)
    spatial = math.prod(shape[1:])
    if n_outputs % spatial == 0:
        return (n_outputs // spatial, *shape[1:])
    return (1, n_outputs)


def _spatial_sizes(spatial: tuple[int, ...], n_layers: int) -> list[tuple[int, ...]]:
    """Spatial size before each strided convolution and after the last one."""
    sizes = [spatial]
    for _ in range(n_layers):
        # A 3-wide kernel, stride 2, padding 1 maps s to ceil(s / 2).
        sizes.append(tuple((s + 1) // 2 for s in sizes[-1]))
    return sizes


def _encoder_convs(shape, channels, activation):
    """The strided convolutions of the encoder and the spatial sizes they pass through."""
    n_channels, *spatial = shape
    conv = _CONV[len(spatial)]
    sizes = _spatial_sizes(tuple(spatial), len(channels))
    layers = [nn.Unflatten(1, shape)]
    for c_in, c_out in pairwise([n_channels, *channels]):
        layers += [conv(c_in, c_out, _KERNEL, _STRIDE, _PADDING), ACTIVATIONS[activation]()]
    return layers, sizes


def _decoder(shape, channels, n_components, activation, tied_to=None):
    """Transposed convolutions from an (n_components, 1, …) code to flat rows of ``shape``.

    They mirror the encoder's layers, through the spatial sizes that strided
    convolutions would take ``shape`` through (the input's own for an
    autoencoder). ``tied_to`` lists the encoder's convolutions (code layer
    last) for tied weights.
    """
    n_channels, *spatial = shape
    sizes = _spatial_sizes(tuple(spatial), len(channels))
    transpose = _CONV_TRANSPOSE[len(spatial)]
    widths = [n_components, *reversed(channels), n_channels]
    layers = [nn.Unflatten(1, (n_components, *[1] * len(spatial)))]
    for i, (c_in, c_out) in enumerate(pairwise(widths)):
        if i == 0:  # the code layer's mirror: (1, …) -> the smallest feature map
            kernel, stride, padding, output_padding = sizes[-1], 1, 0, 0
        else:
            size_in, size_out = sizes[-i], sizes[-i - 1]
            # Stride 2 maps s to 2s - 1 + output_padding: pick the exact size.
            kernel, stride, padding = _KERNEL, _STRIDE, _PADDING
            output_padding = tuple(o - (2 * s - 1) for s, o in zip(size_in, size_out, strict=True))
        if tied_to is not None:
            layers.append(TiedConvTranspose(tied_to[-1 - i], output_padding))
        else:
            layers.append(transpose(c_in, c_out, kernel, stride, padding, output_padding))
        if i < len(widths) - 2:
            layers.append(ACTIVATIONS[activation]())
    layers.append(nn.Flatten())
    return nn.Sequential(*layers)


def build_conv_autoencoder(
    n_features: int,
    n_components: int,
    image_shape: Sequence[int] | None = None,
    channels: Sequence[int] = (32, 64),
    activation: str = "relu",
    code_activation: str | nn.Module = "identity",
    tied: bool = False,
    output_activation: str = "identity",
    input_layer: nn.Module | None = None,
    n_outputs: int | None = None,
    output_image_shape: Sequence[int] | None = None,
) -> AutoencoderModule:
    """Build a fully convolutional autoencoder over flat rows.

    Parameters
    ----------
    n_features : int
        Input (and output) width, ``prod(image_shape)``.
    n_components : int
        Number of code channels; the code is (n_components, 1, 1), returned
        flat.
    image_shape : tuple of int, default=None
        ``(C, H, W)`` or ``(H, W)`` of the flattened rows; ``None`` reads the
        features as a one-channel 1-D signal.
    channels : sequence of int, default=(32, 64)
        Channels of the strided 3×3 convolutions; each halves the spatial size.
    activation, code_activation, tied, output_activation, input_layer
        As in :func:`~skae.modules.build_mlp_autoencoder`.
    n_outputs : int, default=None
        Output width, when the decoder's target is not the input (``None``:
        ``n_features``).
    output_image_shape : tuple of int, default=None
        Shape of the output images; ``None`` takes the input's height and
        width with as many channels as ``n_outputs`` fills (grey in, colour
        out), or else a 1-D signal.

    Returns
    -------
    AutoencoderModule
    """
    shape = resolve_image_shape(n_features, image_shape)
    output_shape = _output_shape(shape, n_outputs, output_image_shape)
    if tied and output_shape != shape:
        raise ValueError("tied weights need as many outputs as inputs.")
    layers, sizes = _encoder_convs(shape, channels, activation)
    in_channels = channels[-1] if channels else shape[0]
    code_layer = _CONV[len(shape) - 1](in_channels, n_components, sizes[-1])
    encoder = nn.Sequential(*layers, code_layer, nn.Flatten())
    wrap_encoder(encoder, code_activation, input_layer)
    convs = [layer for layer in encoder if isinstance(layer, nn.Conv1d | nn.Conv2d)]
    decoder = _decoder(
        output_shape, channels, n_components, activation, tied_to=convs if tied else None
    )
    out = output_module(output_activation)
    return AutoencoderModule(encoder, decoder, out)


def build_conv_vae(
    n_features: int,
    n_components: int,
    image_shape: Sequence[int] | None = None,
    channels: Sequence[int] = (32, 64),
    activation: str = "elu",
    output_activation: str = "identity",
) -> VariationalModule:
    """Build a convolutional variational autoencoder over flat rows.

    The trunk is the strided convolutions; the Gaussian head maps the last
    feature map to μ and log σ² (a full-size convolution written as a linear
    layer), and the decoder is :func:`build_conv_autoencoder`'s.

    Returns
    -------
    VariationalModule
    """
    shape = resolve_image_shape(n_features, image_shape)
    layers, sizes = _encoder_convs(shape, channels, activation)
    trunk = nn.Sequential(*layers, nn.Flatten())
    head_inputs = (channels[-1] if channels else shape[0]) * math.prod(sizes[-1])
    head = GaussianHead(head_inputs, n_components)
    decoder = _decoder(shape, channels, n_components, activation)
    out = output_module(output_activation)
    return VariationalModule(trunk, head, decoder, out)
