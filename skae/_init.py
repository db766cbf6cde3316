"""Starting an encoder-decoder at the best linear solution, and keeping it unless beaten.

An undercomplete autoencoder with a linear path (:class:`~skae.modules.LinearPath`)
whose affine maps are PCA's projection and reconstruction starts with PCA's
training error exactly; its hidden layers start at zero and only add what
training finds beyond the principal subspace. With a held-out check on the
way (``early_stopping``), the fitted model is never far worse than PCA, even
on 100 nearly linear rows where a randomly started network overfits. An
encoder-decoder with a paired target Y starts the same way at PCA's
counterpart for a target: reduced-rank regression, the best linear map from
X to Y through ``n_components`` numbers (:func:`reduced_rank_regression`).

The held-out rows judge the fitted curvature, and on a small table they are
few (10 of iris's 105 training rows): the best of a thousand epochs on ten
rows can look better than PCA by chance. :class:`KeepReferenceUnlessBetter`
keeps the trained network only where its gain over the linear solution on the
held-out rows is significant (a one-sided paired t-test at 5%); otherwise the fit
returns the start, the linear solution itself. With ``init="random"`` the
network starts at random and the linear solution is only the judge's
reference, the state the fit falls back to: a large fit begun at the linear
solution can settle near it. :class:`StartsLinear` gives an estimator all
three pieces: the linear paths, their start and the judge.
"""

import copy

import numpy as np
import torch
from scipy import stats
from skorch.callbacks import Callback

from ._distributed import unwrap
from .modules.mlp import LinearPath


def _scatter(chunks, mean: np.ndarray, scale: float) -> tuple[np.ndarray, int]:
    """The scatter matrix of the standardised rows, and their number.

    ``chunks`` yields row blocks of the data; the scatter is accumulated a
    block at a time, so a memory-mapped X is never loaded whole. Each block's
    product is taken in float32 (a fraction of float64's time; a block holds
    a few thousand centred rows) and summed in float64.
    """
    n_features = len(mean)
    scatter, n_rows = np.zeros((n_features, n_features)), 0
    for chunk in chunks:
        centred = ((chunk - mean) / scale).astype(np.float32, copy=False)
        scatter += centred.T @ centred
        n_rows += len(chunk)
    return scatter, n_rows


def principal_axes(chunks, mean: np.ndarray, scale: float, n_components: int) -> np.ndarray:
    """The top ``n_components`` principal axes, shape (n_features, n_components)."""
    _, vectors = np.linalg.eigh(_scatter(chunks, mean, scale)[0])  # ascending eigenvalues
    k = min(n_components, len(mean))
    return vectors[:, ::-1][:, :k].copy()  # a copy: torch refuses negative strides


def pca_errors(chunks, mean: np.ndarray, scale: float, n_components: int) -> tuple[float, float]:
    """PCA's mean squared reconstruction error at ``n_components``, and at none.

    Both per entry, in the standardised units: the least error any linear
    autoencoder with that code size can reach on these rows (Eckart-Young),
    and the rows' total variance.
    """
    scatter, n_rows = _scatter(chunks, mean, scale)
    values = np.clip(np.linalg.eigvalsh(scatter), 0.0, None)  # ascending
    entries = n_rows * len(mean)
    left_out = values[: max(len(values) - n_components, 0)]
    return float(left_out.sum()) / entries, float(values.sum()) / entries


def _paired_scatter(pairs, x_stats, y_stats):
    """X'X, X'Y and the summed squares of Y, over standardised rows, and their number.

    ``pairs`` yields matching row blocks of X and Y; each ``*_stats`` is the
    ``(mean, scale)`` of that side's standardisation. Products are taken in
    float32 a block at a time and summed in float64, as in :func:`_scatter`.
    """
    (x_mean, x_scale), (y_mean, y_scale) = x_stats, y_stats
    xx, xy, yy, n_rows = 0.0, 0.0, 0.0, 0
    for x_chunk, y_chunk in pairs:
        xs = ((x_chunk - x_mean) / x_scale).astype(np.float32, copy=False)
        ys = ((y_chunk - y_mean) / y_scale).astype(np.float32, copy=False)
        xx = xx + (xs.T @ xs).astype(np.float64)
        xy = xy + (xs.T @ ys).astype(np.float64)
        yy += float(np.einsum("ij,ij->", ys, ys, dtype=np.float64))
        n_rows += len(xs)
    return xx, xy, yy, n_rows


def _gcv_penalty(values, energy, total, n_rows) -> float:
    """Ridge's penalty by generalised cross-validation (Golub, Heath & Wahba 1979).

    ``values`` are the eigenvalues of X'X and ``energy`` the squared norms of
    X'Y's rows in their eigenbasis; ``total`` is Y's summed squares. GCV's
    residual sum of squares and degrees of freedom follow from these in
    closed form, so every penalty on a grid costs O(n_features), and the
    rows are never revisited. The grid spans the eigenvalues' scale; the
    centring counts as one more degree of freedom.
    """
    base = float(values.mean()) or 1.0
    best, best_score = base, np.inf
    for alpha in base * np.logspace(-6, 3, 37):
        shrunk = values + alpha
        residual = total - float(np.sum(energy * (2.0 / shrunk - values / shrunk**2)))
        dof = float(np.sum(values / shrunk)) + 1.0
        if dof >= n_rows:
            continue
        score = max(residual, 0.0) / (1.0 - dof / n_rows) ** 2
        if score < best_score:
            best, best_score = alpha, score
    return best


def reduced_rank_regression(pairs, x_stats, y_stats, n_components: int):
    """The best linear map from X to Y through ``n_components`` numbers, as two factors.

    Ridge regression of the standardised Y on the standardised X (its
    penalty by :func:`_gcv_penalty`), restricted to the top principal
    directions of its fitted values: reduced-rank regression (Izenman 1975),
    PCA's counterpart for a paired target. Returns the encoder's weights, shape
    (n_features, k), and the decoder's, (n_outputs, k), with
    k = min(n_components, n_features, n_outputs).
    """
    xx, xy, yy, n_rows = _paired_scatter(pairs, x_stats, y_stats)
    values, vectors = np.linalg.eigh(xx)
    values = np.clip(values, 0.0, None)
    projected = vectors.T @ xy
    alpha = _gcv_penalty(values, (projected**2).sum(axis=1), yy, n_rows)
    coef = vectors @ (projected / (values + alpha)[:, None])  # (n_features, n_outputs)
    _, directions = np.linalg.eigh(coef.T @ xx @ coef)  # the fitted values' scatter
    k = min(n_components, *coef.shape)
    directions = directions[:, ::-1][:, :k].copy()  # a copy: torch refuses negative strides
    return coef @ directions, directions


def start_linear(module, encoder_weights: np.ndarray, decoder_weights: np.ndarray) -> None:
    """Set the linear paths of ``module``: code = X W_e, output = code W_dᵀ.

    ``encoder_weights`` has shape (n_features, k), ``decoder_weights``
    (n_outputs, k); both on the standardised scales.
    """
    encoder_linear = module.encoder[0].linear
    decoder_linear = module.decoder.linear
    k = encoder_weights.shape[1]
    dtype = encoder_linear.weight.dtype
    with torch.no_grad():
        # Code units beyond k (an overcomplete code, or one wider than the
        # target) keep their random start and no say in the output.
        encoder_linear.weight[:k] = torch.as_tensor(encoder_weights.T, dtype=dtype)
        encoder_linear.bias.zero_()
        decoder_linear.weight[:, :k] = torch.as_tensor(decoder_weights, dtype=dtype)
        decoder_linear.weight[:, k:] = 0.0
        decoder_linear.bias.zero_()


class KeepReferenceUnlessBetter(Callback):
    """Return to a reference state unless training beat it significantly.

    At the end of a fit with held-out rows (after ``EarlyStopping`` has
    restored the best epoch), each held-out row's squared error (of its
    reconstruction, or of its paired target's prediction) is taken under the
    trained weights and under the reference: the linear solution, whether
    the fit started there or at random. The trained weights stay only if the
    paired differences pass a one-sided t-test at ``alpha``: the gain must be
    larger than the held-out rows' own noise.
    Continued fits (``warm_start``, ``partial_fit``) and objectives with
    penalties are not judged.

    Parameters
    ----------
    reference : dict or None, default=None
        A ``state_dict`` of the module to fall back to; None: the starting
        weights.
    alpha : float, default=0.05
        The test's level.

    Attributes
    ----------
    kept_reference_ : bool
        Whether the last fit returned to the reference.
    """

    def __init__(self, reference=None, alpha: float = 0.05):
        self.reference = reference
        self.alpha = alpha

    def on_train_begin(self, net, X=None, **kwargs):
        # Only a fit whose objective is the reconstruction alone is judged by
        # it: a penalty (a subclass's) may trade reconstruction for its aim.
        judged = (
            not len(net.history)
            and net.train_split is not None
            and not getattr(net, "penalties", ())
        )
        reference = net.module_.state_dict() if self.reference is None else self.reference
        self.reference_ = copy.deepcopy(reference) if judged else None
        self.kept_reference_ = False

    def on_train_end(self, net, X=None, **kwargs):
        if self.reference_ is None:
            return
        _, valid = net.get_split_datasets(X)
        trained = self._row_errors(net, valid)
        trained_state = copy.deepcopy(net.module_.state_dict())
        net.module_.load_state_dict(self.reference_)
        gain = self._row_errors(net, valid) - trained
        if len(gain) > 1 and gain.std() > 0:
            significant = stats.ttest_1samp(gain, 0.0, alternative="greater").pvalue < self.alpha
        else:
            significant = False
        if significant:
            net.module_.load_state_dict(trained_state)
        else:
            self.kept_reference_ = True
            if net.verbose:
                print(
                    "The trained network did not beat the reference weights on the "
                    "held-out rows; returned to them."
                )
        self.reference_ = None

    @staticmethod
    def _row_errors(net, dataset) -> np.ndarray:
        module = unwrap(net.module_)
        errors = []
        with torch.no_grad():
            for inputs, targets in net.get_iterator(dataset, training=False):
                decoded = net.evaluation_step((inputs, targets)).decoded
                # The input itself for an autoencoder, the paired target otherwise.
                target = inputs if targets is None else targets
                target = module.standardize_target(target.to(decoded.device))
                errors.append(((decoded - target) ** 2).mean(dim=1).cpu())
        return torch.cat(errors).double().numpy()


class StartsLinear:
    """Mixin: an MLP encoder-decoder judged against the best linear solution.

    The module gets a linear path beside its hidden layers in the encoder and
    the decoder. With ``init`` other than ``"random"`` it starts at
    :meth:`_linear_start` (PCA's solution for an autoencoder, reduced-rank
    regression's for a paired target), with the hidden layers' contribution
    at zero; with ``"random"`` every weight starts at random (and without
    ``early_stopping`` the module is the plain stack of layers). Either way,
    where held-out rows judge the fit, :class:`KeepReferenceUnlessBetter` returns
    it to the linear solution unless the trained network beats that on
    them. For the MLP architecture and the squared error only; otherwise the
    estimator trains as it would without the mixin. Put it before
    ``BaseAutoencoder`` among the bases.
    """

    def _judges_linear(self) -> bool:
        """Whether the architecture and loss admit the linear path and its judge."""
        return self._architecture() == "mlp" and self._loss() == "mse"

    def _starts_linear(self) -> bool:
        return self.init != "random" and self._judges_linear()

    def _linear_path(self) -> bool:
        # A random start that nothing judges has no use for the linear path:
        # it trains as the plain stack of layers. Decided by the parameters
        # alone, so that a fitted module is rebuilt the same way at load.
        return self._judges_linear() and (self.init != "random" or bool(self.early_stopping))

    def _linear_start(self, module, X, Y) -> tuple[np.ndarray, np.ndarray]:
        """The encoder's (n_features, k) and the decoder's (n_outputs, k) starting weights."""
        raise NotImplementedError

    def _module_params(self, X) -> dict:
        params = super()._module_params(X)
        return {**params, "linear_path": True} if self._linear_path() else params

    def _initialize_module(self, module, X, Y=None) -> None:
        self._linear_reference = None
        if not self._linear_path():
            return
        if self._starts_linear():
            start_linear(module, *self._linear_start(module, X, Y))
            return  # the start is the judge's reference
        reference = copy.deepcopy(module)  # the hidden layers' output at zero
        start_linear(reference, *self._linear_start(reference, X, Y))
        self._linear_reference = reference.state_dict()
        for path in module.modules():  # the start's hidden layers' output at random too
            if isinstance(path, LinearPath):
                path.body[-1].reset_parameters()

    def _holdout(self, n_rows: int) -> float | None:
        fraction = super()._holdout(n_rows)
        if fraction is None and self.early_stopping == "auto" and self._judges_linear():
            # The held-out judge is what keeps the fit from doing harm: below
            # the rows early stopping asks for, hold out that many anyway (at
            # most half the rows). A t-test on few rows rarely finds a gain,
            # so the fit keeps the linear solution, the right answer where
            # nothing can show the curvature is real; without the judge, 84
            # rows train (256, 64) hidden layers to 1.3-3x PCA's held-out error.
            n_valid = min(self._MIN_VALIDATION_ROWS, n_rows // 2)
            if n_valid >= 2:  # a t-test needs two rows
                return n_valid / n_rows
        return fraction

    def _callbacks(self) -> list:
        callbacks = super()._callbacks()
        # Built after _initialize_module; the reference leaves the estimator here.
        reference = self.__dict__.pop("_linear_reference", None)
        if self._linear_path():
            callbacks = [*callbacks, ("keep_reference", KeepReferenceUnlessBetter(reference))]
        return callbacks
