"""DenoisingAE: trained to reconstruct clean x from a corrupted x̃ ~ C(x̃ | x)."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseAutoencoder
from ._docstrings import fill_docstring
from .modules import Corruption
from .modules.layers import NOISES


@fill_docstring
class DenoisingAE(BaseAutoencoder):
    """Denoising autoencoder: reconstruct the clean input from a corrupted one.

    Each training batch is corrupted, x̃ ~ C(x̃ | x), and the loss compares
    g(f(x̃)) with the *clean* x. To undo the noise the code must capture the
    structure of the data rather than copy it, which regularises the model
    (it may be overcomplete) and makes it a denoiser. The corruption is a layer
    active only in training mode, like dropout: ``transform`` and
    ``inverse_transform`` are deterministic.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code.
    noise : {"gaussian", "masking", "salt_pepper"}, default="gaussian"
        C(x̃ | x): additive Gaussian noise; masking noise (a random fraction of
        features set to their mean); salt-and-pepper noise (a random fraction
        set to their training minimum or maximum).
    noise_level : float, default=0.5
        For ``"gaussian"`` the noise's standard deviation in units of the
        data's overall standard deviation; for ``"masking"`` and
        ``"salt_pepper"`` the probability that a feature is corrupted.
    hidden_layer_sizes : tuple of int, default=(256, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them.
    activation : str, default="elu"
        Non-linearity of the hidden layers.
    {shared}
    Attributes
    ----------
    {fitted}
    See Also
    --------
    Autoencoder : The same model trained on clean input.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import DenoisingAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = DenoisingAE(n_components=8, max_epochs=5, random_state=0).fit(X)
    >>> noisy = X + np.random.default_rng(0).normal(0, 4, X.shape)
    >>> ae.inverse_transform(ae.transform(noisy)).shape
    (1797, 64)
    """

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "noise": [StrOptions(set(NOISES))],
        "noise_level": [Interval(Real, 0, None, closed="left")],
    }
    _regularised = True

    def __init__(
        self,
        n_components=2,
        *,
        noise="gaussian",
        noise_level=0.5,
        hidden_layer_sizes=(256, 64),
        activation="elu",
        architecture="mlp",
        image_shape=None,
        channels=(32, 64),
        loss="mse",
        max_steps="auto",
        max_epochs=None,
        batch_size=64,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        device="auto",
        random_state=None,
        verbose=0,
        warm_start=False,
        net_params=None,
    ):
        super().__init__(
            n_components,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            architecture=architecture,
            image_shape=image_shape,
            channels=channels,
            loss=loss,
            max_steps=max_steps,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            device=device,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            net_params=net_params,
        )
        self.noise = noise
        self.noise_level = noise_level

    def _module_params(self, X) -> dict:
        if self.noise != "gaussian" and self.noise_level > 1:
            raise ValueError(
                f"noise_level={self.noise_level} is a probability for "
                f'noise="{self.noise}"; it must be in [0, 1].'
            )
        low = high = None
        if self.noise == "salt_pepper":  # the only noise that needs the feature ranges
            mean, scale = self._standardization(X)
            low = (X.min(axis=0) - mean) / scale
            high = (X.max(axis=0) - mean) / scale
        return {
            "activation": self.activation,
            "input_layer": Corruption(self.noise, self.noise_level, low, high),
        }
