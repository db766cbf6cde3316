"""Autoencoder: the deep undercomplete autoencoder."""

from ._base import BaseAutoencoder
from ._docstrings import fill_docstring


@fill_docstring
class Autoencoder(BaseAutoencoder):
    """Deep autoencoder: a non-linear counterpart of PCA.

    An MLP encoder f maps each row to ``n_components`` numbers and a mirrored
    decoder g maps them back; both are trained to minimise the reconstruction
    error of g(f(x)). Where PCA finds the best linear subspace, an
    undercomplete autoencoder can follow a curved manifold, so at the same
    ``n_components`` it reconstructs non-linear data better.

    Inputs are standardised internally (per-feature mean, one global scale,
    which leaves the squared-error objective that of PCA up to a constant).

    Parameters
    ----------
    n_components : int, default=2
        Size of the code (the bottleneck), as in PCA.
    hidden_layer_sizes : tuple of int, default=(256, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them.
    activation : str, default="elu"
        Non-linearity of the hidden layers: "relu", "leaky_relu", "elu",
        "selu", "gelu", "tanh", "sigmoid" or "identity".
    {shared}
    Attributes
    ----------
    {fitted}
    See Also
    --------
    LinearAE : The linear autoencoder, which recovers PCA's subspace.
    sklearn.decomposition.PCA : The linear baseline.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import Autoencoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = Autoencoder(n_components=2, max_epochs=5, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 2)
    >>> ae.inverse_transform(ae.transform(X[:3])).shape
    (3, 64)
    """
