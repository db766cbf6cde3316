"""LinearAE: the linear autoencoder, which learns PCA's principal subspace."""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._base import BaseAutoencoder, _chunks
from ._budget import MAX_STEPS
from ._docstrings import fill_docstring
from ._init import pca_errors
from ._net import DivergenceError
from ._warnings import warn_user

# A fit whose training error exceeds PCA's by more than this share (and by
# more than float32's resolution of the data's variance) has not converged.
_SHORT_OF_PCA = 0.01
_RESOLUTION = 1e-6


def _steps(history) -> int:
    """Optimizer steps a fit's history records."""
    return sum(len(epoch["batches"]) for epoch in history)


@fill_docstring
class LinearAE(BaseAutoencoder):
    """Linear autoencoder, optionally with tied weights.

    Encoder and decoder are affine maps with no non-linearity. Trained on the
    squared error, the optimum spans the same subspace as PCA's first
    ``n_components`` principal components (Baldi & Hornik, 1989), though the
    code's axes are any basis of it, not the ordered, orthogonal components.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code, as in PCA.
    tied : bool, default=False
        Use the transpose of the encoder's weight as the decoder's weight
        (decoder = encoderᵀ, with a bias of its own), halving the parameters.
    hidden_layer_sizes : tuple of int, default=()
        Widths of linear hidden layers; a deep linear network is still linear.
    {shared}
    Attributes
    ----------
    pca_error_ratio_ : float
        Training reconstruction error divided by PCA's at the same
        ``n_components``, the least any linear autoencoder can reach
        (Eckart-Young): 1.0 once training has found PCA's subspace.
        ``fit`` warns (``ConvergenceWarning``) when it is over 1.01, unless
        rows were held out (with ``early_stopping`` the weights are those that
        did best on the held-out rows, not the optimum on every row) or
        ``weight_decay`` moves the optimum. Set by ``fit``, not by
        ``partial_fit``.
    {fitted}
    See Also
    --------
    Autoencoder : The non-linear autoencoder.
    sklearn.decomposition.PCA : What this estimator recovers.

    Notes
    -----
    Two defaults differ from :class:`Autoencoder`'s: ``lr=1e-2`` (a linear
    map tolerates a larger step, which escapes the saddle points between
    principal subspaces sooner) and ``tol=0.0``: once the error is near PCA's,
    the code keeps turning towards the principal subspace while the loss
    barely moves (the eigenvalue gaps of real data are small), so any
    improvement counts. The cosine-annealed step budget (``max_steps``) then
    brings it within 2% of PCA's error and 10° of its subspace on tables of
    100 rows as on digits.

    On unstandardised tables whose features span orders of magnitude (raw
    ``load_wine()``: proline in the hundreds, hue near 1) the principal
    variances past the first few are 1e-4 of the first, and gradient steps
    sized for the first direction barely move the code towards the others:
    one budget of 4,000 steps ends up to 5.1x over PCA's held-out error on raw
    wine and 18x on raw breast cancer. The optimum being known
    (``pca_error_ratio_``), a fit at ``max_steps="auto"`` runs as an
    iterative solver does, until its gap closes: while its training error is
    over 1.01x PCA's it continues with another budget (a warm restart of the
    cosine schedule), as long as the last one narrowed the gap and the steps
    stay under the budget's 80,000 cap. Each further budget runs in full: it
    restarts at a minimum of the same loss, so its first epochs, at the top
    rate, are its best for a while, and a stall rule would stop it there,
    worse than it began. A budget that does not narrow the gap is undone: the
    fit keeps the one before it. Those fits then end within 1.006x of
    PCA's training error, though up to 1.08x its held-out error on raw wine
    at k = 5, where the last eigenvalue gaps are tiny; standardised, within
    1.004x (``benchmarks/linear_ae_unstandardised.py``). ``fit`` warns if the
    gap stays open.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import LinearAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = LinearAE(n_components=8, tied=True, max_epochs=10, random_state=0)
    >>> ae.fit_transform(X).shape
    (1797, 8)
    >>> round(ae.pca_error_ratio_, 2)  # training error over PCA's: 1.0 at PCA's subspace
    1.0
    """

    _parameter_constraints: dict = {
        **{k: v for k, v in BaseAutoencoder._parameter_constraints.items() if k != "activation"},
        "tied": ["boolean"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        tied=False,
        hidden_layer_sizes=(),
        architecture="mlp",
        image_shape=None,
        channels=(32, 64),
        loss="mse",
        max_steps="auto",
        max_epochs=None,
        batch_size=64,
        lr=1e-2,
        optimizer="adam",
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=0.0,
        device="auto",
        random_state=None,
        verbose=0,
        warm_start=False,
        net_params=None,
    ):
        self.n_components = n_components
        self.tied = tied
        self.hidden_layer_sizes = hidden_layer_sizes
        self.architecture = architecture
        self.image_shape = image_shape
        self.channels = channels
        self.loss = loss
        self.max_steps = max_steps
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.net_params = net_params

    def _module_params(self, X) -> dict:
        return {"activation": "identity", "tied": self.tied}

    def _judged(self) -> bool:
        # With held-out rows, early stopping keeps the weights that did best on
        # them, which need not be the optimum on every row; weight decay moves
        # the optimum off PCA's: no verdict then.
        return not self._holdout_used and not self.weight_decay

    def _fit_new(self, X, epochs, Y=None):
        super()._fit_new(X, epochs, Y)
        # The optimum is known (pca_error_ratio_), so a default fit runs as an
        # iterative solver does, until its gap closes: a fit still short of
        # PCA's error continues with another budget (a warm restart of the
        # cosine schedule) while the last one narrowed the gap and the steps
        # stay within the budget's cap.
        if epochs is not None or self.max_steps != "auto" or self.max_epochs is not None:
            return self
        per_budget = _steps(self.history_)
        gap = getattr(self, "pca_error_ratio_", 1.0) - 1.0
        while (
            self._judged()
            and _SHORT_OF_PCA < gap < np.inf
            and _steps(self.history_) + per_budget <= MAX_STEPS
        ):
            before = self._training_state()
            try:
                self._continue(X, None, new_data=False)  # the fit's own rows: no scale check
            except DivergenceError as error:
                # _continue returned the network to the end of the last budget:
                # keep it, as a solver keeps its last iterate, and say so.
                warn_user(
                    f"LinearAE's further budget diverged ({error}); the fit keeps the "
                    "weights of the budget before it.",
                    ConvergenceWarning,
                )
                break
            last_gap, gap = gap, self.pca_error_ratio_ - 1.0
            if gap >= last_gap:
                # This budget did not narrow the gap, and more will not either:
                # keep the budget before it, as a solver keeps its best iterate.
                self._return_to(before)
                break
        return self

    def fit(self, X, y=None):
        self._pca_errors = None  # PCA's errors on this fit's rows, computed once
        super().fit(X, y)
        ratio = getattr(self, "pca_error_ratio_", 1.0)
        if ratio > 1.0 + _SHORT_OF_PCA and self._judged():
            warn_user(
                f"LinearAE stopped with {self._short_of_pca(ratio)} at "
                f"n_components={self.n_components}: it has not found the principal "
                f"subspace yet. {self._what_stopped_it()} Features on very different "
                "scales make the later principal directions slow to learn: "
                "standardise X (StandardScaler).",
                ConvergenceWarning,
            )
        return self

    fit.__doc__ = BaseAutoencoder.fit.__doc__

    def _what_stopped_it(self) -> str:
        """The limit that ended the fit, so the advice names the one to raise."""
        if self.max_steps != "auto" or self.max_epochs is not None:
            return (
                f"The budget set here (max_steps={self.max_steps!r}, "
                f"max_epochs={self.max_epochs!r}) ended it: raise it, or leave both at "
                "their defaults, where LinearAE continues while it is short of PCA's error."
            )
        return f"The default budget ended it (max_steps='auto', at most {MAX_STEPS:,} steps)."

    @staticmethod
    def _short_of_pca(ratio: float) -> str:
        if np.isfinite(ratio):
            return f"{ratio:.3g}x PCA's training error"
        return "a training error where PCA's is zero (n_components reaches the data's rank)"

    def _record_diagnostics(self, X):
        self.__dict__.pop("pca_error_ratio_", None)
        if self._architecture() != "mlp" or self._loss() != "mse":
            return  # a convolutional code is not PCA's, nor is a cross-entropy optimum
        if not self._budgeted:
            # partial_fit: one epoch of many, each on one chunk; measuring
            # every call would cost an eigendecomposition each time.
            return
        module = self.net_.module_
        scale = float(module.scale)
        if getattr(self, "_pca_errors", None) is None:  # the same rows at each budget
            mean = module.mean.numpy()
            self._pca_errors = pca_errors(_chunks(X), mean, scale, self._code_size())
        least, total = self._pca_errors
        # In the standardised units, as PCA's: the rows' mean squared error.
        error = -float(np.mean(self._batched(self._row_scores, X))) / scale**2
        if error - least <= _RESOLUTION * total:  # PCA's error, as far as float32 tells
            self.pca_error_ratio_ = min(error / least, 1.0) if least > 0 else 1.0
        else:  # PCA's error is 0 (to float32's resolution) where n_components reaches the rank
            self.pca_error_ratio_ = error / least if least > _RESOLUTION * total else float("inf")
