"""Autoencoder: the deep undercomplete autoencoder."""

from sklearn.utils._param_validation import StrOptions

from ._base import BaseAutoencoder, _chunks
from ._docstrings import fill_docstring
from ._init import StartsLinear, principal_axes


@fill_docstring
class Autoencoder(StartsLinear, BaseAutoencoder):
    """Deep autoencoder: a non-linear counterpart of PCA.

    An MLP encoder f maps each row to ``n_components`` numbers and a mirrored
    decoder g maps them back; both are trained to minimise the reconstruction
    error of g(f(x)). Where PCA finds the best linear subspace, an
    undercomplete autoencoder can follow a curved manifold, so at the same
    ``n_components`` it reconstructs non-linear data better.

    Inputs are standardised internally (per-feature mean, one global scale,
    which leaves the squared-error objective that of PCA up to a constant).

    By default (``init="pca"``) encoder and decoder each have a direct linear
    path beside the hidden layers, started at PCA's projection and
    reconstruction, while the hidden layers' contribution starts at zero: the
    network starts as PCA and training adds the curvature the data have.
    With the held-out check of ``early_stopping="auto"``, the result does no
    harm where the data are nearly linear and small (where a randomly started
    network overfits) and beats PCA where they are curved: the trained
    network is kept only if it beats its start on the held-out rows by more
    than their noise (a one-sided paired t-test at 5%), else the fit returns
    PCA's solution. On fewer than ``10 / validation_fraction`` rows, where
    ``early_stopping="auto"`` holds out no rows for other estimators, this
    one holds out 10 (at most half the rows) for that check.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code (the bottleneck), as in PCA.
    hidden_layer_sizes : tuple of int, default=(256, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them.
    activation : str, default="elu"
        Non-linearity of the hidden layers: "relu", "leaky_relu", "elu",
        "selu", "gelu", "tanh", "sigmoid" or "identity".
    init : {"pca", "random"}, default="pca"
        Where training starts. ``"pca"``: the linear paths at PCA's solution,
        the hidden layers' contribution at zero (as ``TSNE(init="pca")``
        starts its embedding). ``"random"``: every weight at random. Either
        way, with held-out rows the fit returns PCA's solution unless the
        trained network beats it. The MLP architecture with ``loss="mse"``
        only (otherwise the plain stack of layers, at random).
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

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "init": [StrOptions({"pca", "random"})],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(256, 64),
        activation="elu",
        init="pca",
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
        early_stopping="auto",
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
        self.init = init

    def _linear_start(self, module, X, Y):
        mean, scale = module.mean.numpy(), float(module.scale)
        axes = principal_axes(_chunks(X), mean, scale, self._code_size())
        return axes, axes  # PCA's projection and reconstruction
