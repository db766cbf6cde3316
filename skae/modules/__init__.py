"""Torch modules: architecture only, no training logic.

A forward pass returns an :class:`AEOutput` named tuple so that losses and
penalties can read whichever part they need (reconstruction, code, raw decoder
output) without the module knowing which loss is in use.
"""

from .autoencoder import AEOutput, AutoencoderModule
from .conv import (
    TiedConvTranspose,
    build_conv_autoencoder,
    build_conv_vae,
    resolve_image_shape,
    resolve_output_image_shape,
)
from .layers import Corruption, TopK
from .mlp import ACTIVATIONS, LinearPath, TiedLinear, build_mlp_autoencoder, build_mlp_vae
from .variational import GaussianHead, VariationalModule

# Builders by ``architecture``: (autoencoder, variational autoencoder).
ARCHITECTURES = {
    "mlp": (build_mlp_autoencoder, build_mlp_vae),
    "conv": (build_conv_autoencoder, build_conv_vae),
}

__all__ = [
    "ACTIVATIONS",
    "ARCHITECTURES",
    "AEOutput",
    "AutoencoderModule",
    "Corruption",
    "GaussianHead",
    "LinearPath",
    "TiedConvTranspose",
    "TiedLinear",
    "TopK",
    "VariationalModule",
    "build_conv_autoencoder",
    "build_conv_vae",
    "build_mlp_autoencoder",
    "build_mlp_vae",
    "resolve_image_shape",
    "resolve_output_image_shape",
]
