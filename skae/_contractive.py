"""ContractiveAE: reconstruction plus λ‖∂f(x)/∂x‖²_F."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseAutoencoder
from ._docstrings import fill_docstring
from ._penalties import Contraction


@fill_docstring
class ContractiveAE(BaseAutoencoder):
    """Contractive autoencoder: a code that is insensitive to small input changes.

    The loss is the reconstruction error plus λ‖J_f(x)‖²_F, the squared
    Frobenius norm of the encoder's Jacobian ∂f(x)/∂x (Rifai et al., 2011).
    Reconstruction wants f to tell inputs apart; the penalty wants f flat, so
    the code stays sensitive only along the directions of the data manifold.
    The penalty is exact for any MLP encoder (every layer's activation
    derivative enters), not only for a single sigmoid layer, and for a
    convolutional one (``architecture="conv"``, one backward pass per code
    unit); it is taken with respect to the standardised input.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code.
    contraction_weight : float, default=0.1
        λ, the weight of the Jacobian penalty.
    jacobian : {"exact", "hutchinson"}, default="exact"
        How the penalty is computed: exactly, through the chain of layer
        Jacobians (cost about ``n_components`` × (first hidden width)² per
        row), or by Hutchinson's unbiased one-probe estimate ‖vᵀJ‖²,
        v ~ N(0, I), which costs one extra backward pass through the encoder
        and suits wide codes.
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
    DenoisingAE : Robustness to finite input perturbations instead of
        infinitesimal ones.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ContractiveAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = ContractiveAE(n_components=4, max_epochs=3, random_state=0).fit(X)
    >>> ae.transform(X[:5]).shape
    (5, 4)
    """

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "contraction_weight": [Interval(Real, 0, None, closed="left")],
        "jacobian": [StrOptions({"exact", "hutchinson"})],
    }
    _regularised = True

    def __init__(
        self,
        n_components=2,
        *,
        contraction_weight=0.1,
        jacobian="exact",
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
        self.contraction_weight = contraction_weight
        self.jacobian = jacobian

    def _penalties(self, X) -> list:
        return [Contraction(self.contraction_weight, self.jacobian)]
