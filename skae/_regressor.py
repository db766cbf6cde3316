"""EncoderDecoderRegressor: an encoder-decoder trained to map X to a paired target Y."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import _check_y, check_consistent_length, check_is_fitted

from ._base import BaseAutoencoder, _chunks, unchanged_if_it_fails
from ._docstrings import fill_docstring
from ._float32 import refuse_beyond_float32
from ._init import StartsLinear, reduced_rank_regression
from .modules import resolve_output_image_shape


def _never(estimator) -> bool:
    return False


@fill_docstring
class EncoderDecoderRegressor(RegressorMixin, StartsLinear, BaseAutoencoder):
    """Map one view of a sample to another through a bottleneck: Ŷ = g(f(X)).

    The autoencoders' encoder f and decoder g, trained on a paired target:
    the decoder's output is compared with ``Y`` instead of ``X``. A masked
    image to the whole image ("fill in the blanks"), a grey image to its
    colours, a noisy signal to the clean one. The architecture, the training
    budget, early stopping, the divergence error and the standardisation
    (``X``'s and ``Y``'s, each its own) are those of every skae autoencoder,
    and the training loop is the same: only the target differs.

    It is a regressor (``predict`` gives Ŷ, ``score`` is R², as for every
    scikit-learn regressor) and a transformer (``transform`` gives the
    codes f(X)), so it fits a ``Pipeline`` at either end, a ``GridSearchCV``
    and a ``TransformedTargetRegressor``.

    As ``Autoencoder`` starts at PCA, by default (``init="linear"``) encoder
    and decoder each have a direct linear path beside the hidden layers,
    started at the best linear map from X to Y through ``n_components``
    numbers (reduced-rank regression: ridge regression, its penalty chosen by
    generalised cross-validation, restricted to the top ``n_components``
    directions of its predictions), while the hidden layers' contribution
    starts at zero. With ``early_stopping="auto"``, the trained network is
    kept only if it beats that start on the held-out rows by more than their
    noise (a one-sided paired t-test at 5%), else the fit returns the linear
    solution: on a small table, where a network overfits, the fit does no
    harm beside a linear model (on fewer than ``10 / validation_fraction``
    rows it holds out 10, at most half the rows, for that check).

    Parameters
    ----------
    n_components : int, default=2
        Size of the code (the bottleneck).
    hidden_layer_sizes : tuple of int, default=(256, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them, ending
        at Y's width.
    activation : str, default="elu"
        Non-linearity of the hidden layers: "relu", "leaky_relu", "elu",
        "selu", "gelu", "tanh", "sigmoid" or "identity".
    init : {"linear", "random"}, default="linear"
        Where training starts. ``"linear"``: the linear paths at reduced-rank
        regression's solution, the hidden layers' contribution at zero.
        ``"random"``: every weight at random. Either way, with held-out rows
        the fit returns reduced-rank regression's solution unless the trained
        network beats it. The MLP architecture with ``loss="mse"`` only
        (otherwise the plain stack of layers, at random).
    output_image_shape : tuple of int, default=None
        For ``architecture="conv"``: ``(channels, height, width)`` or
        ``(height, width)`` of the images that the rows of ``Y`` flatten.
        ``None`` takes the input images' height and width with as many
        channels as Y's width fills (a grey input and an RGB target: 3
        channels), or else reads Y as a 1-D signal.
    {shared}
    Attributes
    ----------
    {fitted}
    n_outputs_ : int
        Number of target columns seen during fit.

    See Also
    --------
    Autoencoder : The same network with the input as its target.
    sklearn.neural_network.MLPRegressor : A regressor without a bottleneck.

    Notes
    -----
    ``loss="bce"`` maps ``Y`` into [0, 1] as the autoencoders map ``X``
    (pixel intensities stay as they are). A 1-D ``y`` is one target column and
    ``predict`` returns it 1-D, as scikit-learn's regressors do.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import EncoderDecoderRegressor
    >>> X, _ = load_digits(return_X_y=True)
    >>> top, bottom = X[:, :32], X[:, 32:]          # the upper and lower halves
    >>> model = EncoderDecoderRegressor(n_components=8, max_epochs=20, random_state=0)
    >>> completed = model.fit(top[:1500], bottom[:1500]).predict(top[1500:])
    >>> completed.shape
    (297, 32)
    >>> error = ((completed - bottom[1500:]) ** 2).mean()
    >>> mean_image_error = ((bottom[:1500].mean(axis=0) - bottom[1500:]) ** 2).mean()
    >>> bool(error < 0.7 * mean_image_error)
    True
    """

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "init": [StrOptions({"linear", "random"})],
        "output_image_shape": ["array-like", None],
    }

    # The target is not the input: a code as wide as the input cannot copy
    # its way to a low error.
    _regularised = True

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(256, 64),
        activation="elu",
        init="linear",
        output_image_shape=None,
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
        self.output_image_shape = output_image_shape

    def _layer_params(self) -> dict:
        params = super()._layer_params()
        if self._architecture() == "conv":
            params["output_image_shape"] = self.output_image_shape
        return params

    def _module_params(self, X) -> dict:
        return {**super()._module_params(X), "n_outputs": self.n_outputs_}

    def _linear_start(self, module, X, Y):
        x_stats = (module.mean.numpy(), float(module.scale))
        y_stats = (module.target_mean.numpy(), float(module.target_scale))
        pairs = zip(_chunks(X), _chunks(Y), strict=True)
        return reduced_rank_regression(pairs, x_stats, y_stats, self._code_size())

    def _validate_X_and_Y(self, X, y, reset: bool) -> tuple[np.ndarray, np.ndarray, bool]:
        """``X`` as the autoencoders read it, ``y`` as a 2-D float array paired with
        it, and whether ``y`` was 1-D.

        X is read once (``_validate_X``, which also records the feature names)
        and y checked on its own: validating the pair together read X a
        second time.
        """
        if y is None:  # scikit-learn's message
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        if sp.issparse(y):  # _check_y accepts it, and numpy then fails unclearly
            raise TypeError(
                "Sparse data was passed for y, but dense data is required. "
                "Use '.toarray()' to convert to a dense numpy array."
            )
        X = self._validate_X(X, reset=reset)
        y = _check_y(y, multi_output=True, y_numeric=True, estimator=self)
        check_consistent_length(X, y)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        # Integers are read as float64, as X is: float32 would round values
        # above 2**24 before the rounding check (which trusts float32 input) ran.
        Y = Y.astype(np.float32 if Y.dtype == np.float32 else np.float64, copy=False)
        largest = float(np.abs(Y).max()) if Y.size else 0.0
        refuse_beyond_float32(
            largest, "y", "holds values beyond float32's range", type(self).__name__
        )
        return X, Y, y.ndim == 1

    def _fit_or_continue(self, X, Y, y_1d: bool, epochs: int | None, continuing: bool):
        if continuing:
            self._continue(X, epochs, self._same_outputs(Y))
        else:
            if self.output_image_shape is not None:  # an MLP ignored one that did not fit
                resolve_output_image_shape(Y.shape[1], self.output_image_shape)
            self.n_outputs_ = Y.shape[1]
            self._fit_new(X, epochs, Y)
        self._y_1d = y_1d
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    @unchanged_if_it_fails
    def fit(self, X, y):
        """Train the encoder-decoder to map ``X`` to ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Paired targets.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "net_")
        X, Y, y_1d = self._validate_X_and_Y(X, y, reset=not continuing)
        return self._fit_or_continue(X, Y, y_1d, None, continuing)

    def _same_outputs(self, Y):
        """``Y``, refused when its width differs from the fitted model's outputs."""
        if Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} columns; the model was fitted on {self.n_outputs_}."
            )
        return Y

    @_fit_context(prefer_skip_nested_validation=True)
    @unchanged_if_it_fails
    def partial_fit(self, X, y):
        """Train for one epoch over ``(X, y)``, initialising on the first call.

        The first call also fixes both standardisations from its rows; a later
        chunk spread over 100 times either scale is warned about.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self : object
        """
        first = not hasattr(self, "net_")
        X, Y, y_1d = self._validate_X_and_Y(X, y, reset=first)
        return self._fit_or_continue(X, Y, y_1d, 1, continuing=not first)

    def predict(self, X):
        """Ŷ = g(f(X)), in the target's units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_outputs), or (n_samples,)
            The predicted targets (1-D when ``y`` was 1-D at fit), in the
            input's float dtype.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False, training=False)
        Y = self._batched(lambda module, batch: module(batch).reconstruction, X)
        return Y.ravel() if self._y_1d else Y

    # An autoencoder's reconstruction error of X: not defined for a target Y.
    score_samples = available_if(_never)(BaseAutoencoder.score_samples)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = True
        return tags
