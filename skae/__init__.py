"""skae: scikit-learn-compatible autoencoders, trained on torch through skorch."""

from ._autoencoder import Autoencoder
from ._linear import LinearAE
from ._net import DivergenceError

__all__ = ["Autoencoder", "DivergenceError", "LinearAE"]
__version__ = "0.1.0"
