"""Torch modules: architecture only, no training logic.

A forward pass returns an :class:`AEOutput` named tuple so that losses and
penalties can read whichever part they need (reconstruction, code, raw decoder
output) without the module knowing which loss is in use.
"""

from .autoencoder import AEOutput, AutoencoderModule
from .layers import Corruption, TopK
from .mlp import ACTIVATIONS, TiedLinear, build_mlp_autoencoder

__all__ = [
    "ACTIVATIONS",
    "AEOutput",
    "AutoencoderModule",
    "Corruption",
    "TiedLinear",
    "TopK",
    "build_mlp_autoencoder",
]
