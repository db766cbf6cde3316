"""Torch modules: architecture only, no training logic.

A forward pass returns an :class:`AEOutput` named tuple so that losses and
penalties can read whichever part they need (reconstruction, code, raw decoder
output) without the module knowing which loss is in use.
"""

from .autoencoder import AEOutput, AutoencoderModule
from .layers import Corruption, TopK
from .mlp import ACTIVATIONS, TiedLinear, build_mlp_autoencoder, build_mlp_vae
from .variational import GaussianHead, VariationalModule

__all__ = [
    "ACTIVATIONS",
    "AEOutput",
    "AutoencoderModule",
    "Corruption",
    "GaussianHead",
    "TiedLinear",
    "TopK",
    "VariationalModule",
    "build_mlp_autoencoder",
    "build_mlp_vae",
]
