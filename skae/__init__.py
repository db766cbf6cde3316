"""skae: scikit-learn-compatible autoencoders, trained on torch through skorch."""

from ._autoencoder import Autoencoder
from ._contractive import ContractiveAE
from ._conv import ConvAE
from ._denoising import DenoisingAE
from ._linear import LinearAE
from ._net import DivergenceError
from ._regressor import EncoderDecoderRegressor
from ._sparse import SparseAE
from ._vae import VAE, latent_interpolation
from ._warnings import Float32RoundingWarning
from .classifier import EncoderClassifier
from .outlier import ReconstructionOutlierDetector

__all__ = [
    "Autoencoder",
    "ContractiveAE",
    "ConvAE",
    "DenoisingAE",
    "DivergenceError",
    "EncoderClassifier",
    "EncoderDecoderRegressor",
    "Float32RoundingWarning",
    "LinearAE",
    "ReconstructionOutlierDetector",
    "SparseAE",
    "VAE",
    "latent_interpolation",
]
__version__ = "0.1.0"
