"""Starting an autoencoder at PCA's solution.

An undercomplete autoencoder with a linear path (:class:`~skae.modules.LinearPath`)
whose affine maps are PCA's projection and reconstruction starts with PCA's
training error exactly; its hidden layers start at zero and only add what
training finds beyond the principal subspace. With a held-out check on the
way (``early_stopping``), the fitted model is never far worse than PCA, even
on 100 nearly linear rows where a randomly started network overfits.

The held-out rows judge the fitted curvature, and on a small table they are
few (10 of iris's 105 training rows): the best of a thousand epochs on ten
rows can look better than PCA by chance. :class:`KeepStartUnlessBetter`
keeps the trained network only where its gain over the start on the held-out
rows is significant (a one-sided paired t-test at 5%); otherwise the fit
returns the start, PCA itself.
"""

import copy

import numpy as np
import torch
from scipy import stats
from skorch.callbacks import Callback

from ._distributed import unwrap


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


def start_at_pca(module, axes: np.ndarray) -> None:
    """Set the linear paths of ``module`` to PCA's projection and reconstruction."""
    encoder_linear = module.encoder[0].linear
    decoder_linear = module.decoder.linear
    k = axes.shape[1]
    weights = torch.as_tensor(axes, dtype=encoder_linear.weight.dtype)
    with torch.no_grad():
        # Code units beyond the data's rank (an overcomplete code) keep their
        # random start.
        encoder_linear.weight[:k] = weights.T
        encoder_linear.bias.zero_()
        decoder_linear.weight[:, :k] = weights
        decoder_linear.weight[:, k:] = 0.0
        decoder_linear.bias.zero_()


class KeepStartUnlessBetter(Callback):
    """Return to the starting weights unless training beat them significantly.

    At the end of a fit with held-out rows (after ``EarlyStopping`` has
    restored the best epoch), each held-out row's squared reconstruction
    error is taken under the trained and the starting weights. The trained
    weights stay only if the paired differences pass a one-sided t-test at
    ``alpha``: the gain must be larger than the held-out rows' own noise.
    Continued fits (``warm_start``, ``partial_fit``) and objectives with
    penalties are not judged.

    Attributes
    ----------
    kept_start_ : bool
        Whether the last fit returned to the start.
    """

    def __init__(self, alpha: float = 0.05):
        self.alpha = alpha

    def on_train_begin(self, net, X=None, **kwargs):
        # Only a fit whose objective is the reconstruction alone is judged by
        # it: a penalty (a subclass's) may trade reconstruction for its aim.
        judged = (
            not len(net.history)
            and net.train_split is not None
            and not getattr(net, "penalties", ())
        )
        self.start_ = copy.deepcopy(net.module_.state_dict()) if judged else None
        self.kept_start_ = False

    def on_train_end(self, net, X=None, **kwargs):
        if self.start_ is None:
            return
        _, valid = net.get_split_datasets(X)
        trained = self._row_errors(net, valid)
        trained_state = copy.deepcopy(net.module_.state_dict())
        net.module_.load_state_dict(self.start_)
        gain = self._row_errors(net, valid) - trained
        if len(gain) > 1 and gain.std() > 0:
            significant = stats.ttest_1samp(gain, 0.0, alternative="greater").pvalue < self.alpha
        else:
            significant = False
        if significant:
            net.module_.load_state_dict(trained_state)
        else:
            self.kept_start_ = True
            if net.verbose:
                print("The trained network did not beat its start on the held-out rows; kept it.")
        self.start_ = None

    @staticmethod
    def _row_errors(net, dataset) -> np.ndarray:
        module = unwrap(net.module_)
        errors = []
        with torch.no_grad():
            for batch in net.get_iterator(dataset, training=False):
                decoded = net.evaluation_step(batch).decoded
                target = module.standardize(batch[0].to(decoded.device))
                errors.append(((decoded - target) ** 2).mean(dim=1).cpu())
        return torch.cat(errors).double().numpy()
