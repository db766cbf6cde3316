"""ReconstructionOutlierDetector: rows an autoencoder encodes or reconstructs unusually.

Built for the data outlier detection meets in practice: unlabelled tables
whose training rows include the outliers. Three choices, each measured on
the ODDS tables of ``benchmarks/odds_outliers.py``:

- **A short fit of a small network**, sized to the data (a code of about
  √n_features units, one hidden layer of 64): autoencoders fit the rare rows
  late in training, so a short fit (150 steps, rounded up to whole epochs,
  and at most 5 epochs per network) reconstructs the bulk and not the
  outliers. On the ODDS tables the training adds little to the network's PCA
  start; the score below does the work.
- **A probabilistic-PCA score.** The anomaly distance of a row is its distance under
  probabilistic PCA's Gaussian, with the network's code and residual: the
  squared Mahalanobis distance of the code (Ledoit-Wolf covariance) plus the
  squared residual over the residual variance, both fitted on rows the
  network did not train on. Unlike a reconstruction error, it catches rows
  that are extreme *within* the code space (musk: 0.956 AUC against 0.945).
- **Cross-fitting.** The rows are split in ``n_splits`` folds; one network
  is trained without each fold and scores it. So every training row gets a
  score from a network that never saw it, and the ``"auto"`` threshold comes
  from such scores: it holds on unseen rows, where a threshold from a
  network's own training rows (reconstructed better than new ones) flags too
  many. New rows are scored by all the networks, averaged.
"""

import math
from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, OutlierMixin, _fit_context, clone
from sklearn.covariance import LedoitWolf
from sklearn.ensemble._base import _set_random_states
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ._autoencoder import Autoencoder
from ._base import unchanged_if_it_fails
from ._float32 import float_dtype, rounding_already_said
from ._vae import VAE

# For contamination="auto": rows whose cross-fitted score lies more than three
# robust standard deviations (1.4826 x MAD) beyond the median are outliers.
_AUTO_MADS = 3.0
# Rows a fold needs: its held-out distances come from two halves of 2 or more.
_MIN_FOLD_ROWS = 4
_MAD_TO_SD = 1.4826


def default_estimator(n_features: int) -> Autoencoder:
    """The detector's own network: a code of about √n_features units, a short fit."""
    return Autoencoder(
        n_components=max(1, round(math.sqrt(n_features))),
        hidden_layer_sizes=(64,),
        max_steps=150,
        max_epochs=5,
        batch_size=64,
        early_stopping=False,
    )


def _robust_location_scale(values: np.ndarray) -> tuple[float, float]:
    median = float(np.median(values))
    scale = _MAD_TO_SD * float(np.median(np.abs(values - median)))
    return median, scale if scale > 0 else 1.0


class _ShrunkGaussian:
    """Mean and Ledoit-Wolf covariance of some rows; squared Mahalanobis distances to them.

    The shrunk covariance is positive definite, so a Cholesky factor serves
    (several times faster than the eigendecomposition of a pseudo-inverse).
    """

    def __init__(self, Z: np.ndarray):
        estimate = LedoitWolf(store_precision=False).fit(Z)
        self.location = estimate.location_
        covariance = estimate.covariance_
        # Rows with no spread at all still get a usable factor.
        jitter = 1e-9 * max(float(np.trace(covariance)) / len(covariance), 1e-12)
        self.factor = linalg.cholesky(covariance + jitter * np.eye(len(covariance)), lower=True)

    def distance(self, Z: np.ndarray) -> np.ndarray:
        whitened = linalg.solve_triangular(self.factor, (Z - self.location).T, lower=True)
        return np.einsum("ij,ij->j", whitened, whitened)


class _PPCADistance:
    """A row's distance under probabilistic PCA's Gaussian, with the network's code and residual.

    Probabilistic PCA (Tipping & Bishop, 1999) models the data as a Gaussian
    with covariance ``W Wᵀ + σ² I``: its Mahalanobis distance is that of the
    code (under the codes' own covariance) plus the squared residual over
    σ². Here the code and the residual come from the autoencoder, so the
    distance bends with the network. The residual is isotropic on purpose: a
    full residual covariance over hundreds of pixels is a poor estimate (one-
    class MNIST falls from 0.966 to 0.938 AUC with one). Returned per
    dimension and in log.
    """

    def __init__(self, estimator, X_reference: np.ndarray):
        self.estimator = estimator
        codes, residuals = self._parts(X_reference)
        self.fit_ = self._fit(codes, residuals)
        self.held_out_ = self._held_out(codes, residuals)

    @staticmethod
    def _fit(codes, residuals):
        return _ShrunkGaussian(codes), float(np.mean(residuals**2)) + 1e-12

    @staticmethod
    def _distance(fit, codes, residuals) -> np.ndarray:
        gaussian, residual_variance = fit
        residual_distance = np.einsum("ij,ij->i", residuals, residuals) / residual_variance
        total = gaussian.distance(codes) + residual_distance
        # Chi-square-like and skewed: the log makes the robust z-score meaningful.
        return np.log(total / (codes.shape[1] + residuals.shape[1]) + 1e-12)

    def _held_out(self, codes, residuals) -> np.ndarray:
        """Distances of the reference rows, each under a Gaussian fitted without it.

        In-sample distances are too small, and the threshold is set from
        these: each half of the rows is judged by the other half's Gaussian
        (the detector gives every fold at least ``_MIN_FOLD_ROWS`` rows).
        """
        halves = (np.arange(len(codes)) % 2).astype(bool)
        distances = np.empty(len(codes))
        for judged in (halves, ~halves):
            other = self._fit(codes[~judged], residuals[~judged])
            distances[judged] = self._distance(other, codes[judged], residuals[judged])
        return distances

    def _parts(self, X):
        codes = self.estimator.transform(X).astype(np.float64)
        residuals = self.estimator.inverse_transform(codes.astype(np.float32)) - X
        return codes, residuals.astype(np.float64)

    def __call__(self, X) -> np.ndarray:
        return self._distance(self.fit_, *self._parts(X))


class _EstimatorDistance:
    """Minus the estimator's own ``score_samples`` (reconstruction error, or minus the ELBO)."""

    def __init__(self, estimator, X_reference: np.ndarray):
        self.estimator = estimator
        self.held_out_ = self(X_reference)  # the estimator did not train on these rows

    def __call__(self, X) -> np.ndarray:
        return -self.estimator.score_samples(X)


class ReconstructionOutlierDetector(OutlierMixin, BaseEstimator):
    """Flag rows that a skae autoencoder encodes or reconstructs unusually.

    ``n_splits`` autoencoders are cross-fitted: each is trained on all folds
    but one and judges that fold, so each training row is scored by a network
    that never saw it (the module docstring says why each choice is made).
    A row's anomaly distance under one network is, by default, its distance
    under probabilistic PCA's Gaussian built from the network: the squared
    Mahalanobis distance of its code (Ledoit-Wolf covariance) plus its
    squared residual over the residual variance, both fitted on the held-out
    fold, per dimension and in log; a :class:`~skae.VAE` scores by its ELBO.
    Each network's distances are centred and scaled by their median and MAD
    on its held-out fold, and averaged over the networks.
    ``score_samples`` is minus that average: lower is more abnormal, as in
    scikit-learn.

    Parameters
    ----------
    estimator : skae autoencoder, default=None
        Cloned and fitted once per fold. ``None`` means a small, briefly
        trained ``Autoencoder``: a code of ``round(sqrt(n_features))`` units,
        ``hidden_layer_sizes=(64,)``, 150 steps (rounded up to whole epochs) and at
        most 5 epochs at ``batch_size=64`` (:func:`default_estimator`).
    contamination : "auto" or float in (0, 0.5], default="auto"
        Expected share of outliers in the training data. A float sets the
        threshold ``offset_`` at that quantile of the training rows' scores.
        ``"auto"`` sets it at three robust standard deviations (1.4826 × MAD)
        beyond the median of the cross-fitted scores, scores of rows the
        networks did not train on, so it holds on unseen data.
    distance : {"auto", "estimator"}, default="auto"
        ``"auto"``: the probabilistic-PCA distance of code and residual for
        deterministic autoencoders, the ELBO for a :class:`~skae.VAE`, and
        the estimator's own ``score_samples`` for one without ``transform``
        and ``inverse_transform``.
        ``"estimator"``: the estimator's own ``score_samples`` (minus the
        reconstruction error).
    n_splits : int, default=2
        Folds of the cross-fit, and networks trained: at most one fold per 4
        rows, and below 8 rows one network trained on all rows, judged on
        them. ``fit`` needs at least 4 rows.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and, when not None, each cloned estimator's
        ``random_state``, so that the detector is reproducible whatever
        estimator it wraps.

    Attributes
    ----------
    estimators_ : list of skae autoencoders
        The fitted autoencoders, one per fold.
    offset_ : float
        Threshold on ``score_samples``: ``decision_function = score_samples - offset_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skae import ReconstructionOutlierDetector
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> benign, malignant = X[y == 1], X[y == 0]
    >>> detector = ReconstructionOutlierDetector(random_state=0).fit(benign[:250])
    >>> float((detector.predict(benign[250:]) == -1).mean())  # unseen benign rows flagged
    0.0
    >>> bool((detector.predict(malignant) == -1).mean() > 0.25)
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "score_samples"]), None],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "distance": [StrOptions({"auto", "estimator"})],
        "n_splits": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self, estimator=None, contamination="auto", distance="auto", n_splits=2, random_state=None
    ):
        self.estimator = estimator
        self.contamination = contamination
        self.distance = distance
        self.n_splits = n_splits
        self.random_state = random_state

    def _distance_kind(self, estimator):
        # The PPCA distance reads codes and reconstructions: an estimator
        # without them (an IsolationForest) is scored by its own score_samples.
        codes = hasattr(estimator, "transform") and hasattr(estimator, "inverse_transform")
        ppca = self.distance == "auto" and codes and not isinstance(estimator, VAE)
        return _PPCADistance if ppca else _EstimatorDistance

    @_fit_context(prefer_skip_nested_validation=False)
    @unchanged_if_it_fails
    def fit(self, X, y=None):
        """Cross-fit the autoencoders on ``X`` and set the threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, mostly normal; its outliers may stay in.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
        """
        # The threshold comes from distances held out of the Gaussian that
        # scores them (two halves of at least 2 rows): fewer rows give only
        # in-sample distances, too small, and every new row would be flagged.
        X = validate_data(self, X, dtype=float_dtype(X), ensure_min_samples=_MIN_FOLD_ROWS)
        rng = check_random_state(self.random_state)
        n = len(X)
        order = rng.permutation(n)
        n_folds = min(self.n_splits, n // _MIN_FOLD_ROWS)  # folds of at least 4 rows
        folds = np.array_split(order, n_folds) if n_folds >= 2 else [order]
        self.estimators_, self._distances, self._standardizers = [], [], []
        held_out_scores = np.empty(n)
        template = default_estimator(X.shape[1]) if self.estimator is None else self.estimator
        for i, fold in enumerate(folds):
            train = np.setdiff1d(order, fold) if len(folds) > 1 else order
            estimator = clone(template)
            if self.random_state is not None:
                # Every random_state, nested ones too (a pipeline's steps), as
                # scikit-learn's ensembles seed their estimators: one draw for a
                # plain autoencoder.
                _set_random_states(estimator, rng)
            # The same columns round alike in every fold: said once.
            with rounding_already_said() if i > 0 else nullcontext():
                estimator.fit(X[train])
            # Small decompositions: one BLAS thread, not a pool that would
            # contend with torch's (still spinning after training).
            with threadpool_limits(limits=1, user_api="blas"):
                distance = self._distance_kind(estimator)(estimator, X[fold])
                fold_distance = distance.held_out_
            if not np.all(np.isfinite(fold_distance)):
                raise ValueError(
                    "The anomaly scores of the training rows are not finite; check X for "
                    "extreme values, or pass an estimator with a lower lr."
                )
            location, scale = _robust_location_scale(fold_distance)
            held_out_scores[fold] = -(fold_distance - location) / scale
            self.estimators_.append(estimator)
            self._distances.append(distance)
            self._standardizers.append((location, scale))
        if self.contamination == "auto":
            median, scale = _robust_location_scale(held_out_scores)
            self.offset_ = median - _AUTO_MADS * scale
        else:
            self.offset_ = float(np.percentile(self.score_samples(X), 100.0 * self.contamination))
        return self

    def score_samples(self, X):
        """Minus the average standardised anomaly distance; lower is more abnormal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=float_dtype(X), reset=False)
        total = np.zeros(len(X))
        for distance, (location, scale) in zip(self._distances, self._standardizers, strict=True):
            total += (distance(X) - location) / scale
        return -total / len(self._distances)

    def decision_function(self, X):
        """``score_samples(X) - offset_``: negative for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        decision : ndarray of shape (n_samples,)
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """+1 for inliers, -1 for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return np.where(self.decision_function(X) < 0, -1, 1)
