"""ReconstructionOutlierDetector: rows an autoencoder reconstructs badly are anomalies."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._autoencoder import Autoencoder

# For contamination="auto": rows scoring below median − 3·(1.4826·MAD) of the
# training scores are outliers (the 3-sigma rule, made robust).
_AUTO_MADS = 3.0


class ReconstructionOutlierDetector(OutlierMixin, BaseEstimator):
    """Flag rows that a skae autoencoder reconstructs badly.

    The autoencoder learns to reconstruct the (mostly normal) training data;
    rows unlike it reconstruct worse. The anomaly score is the estimator's own
    ``score_samples``: minus the reconstruction error, or the ELBO for a
    :class:`~skae.VAE`. Lower is more abnormal, as in scikit-learn.

    Parameters
    ----------
    estimator : skae autoencoder, default=None
        Cloned and fitted on ``X``; ``None`` means ``Autoencoder()``.
    contamination : "auto" or float in (0, 0.5], default="auto"
        Expected share of outliers in the training data; the threshold
        ``offset_`` is that quantile of the training scores. ``"auto"`` sets it
        at the median minus three robust standard deviations (1.4826 × MAD) of
        the training scores.
    random_state : int, RandomState instance or None, default=None
        When not None, set as the cloned estimator's ``random_state``, so that
        the detector is reproducible whatever estimator it wraps.

    Attributes
    ----------
    estimator_ : skae autoencoder
        The fitted autoencoder.
    offset_ : float
        Threshold on ``score_samples``: ``decision_function = score_samples - offset_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import Autoencoder, ReconstructionOutlierDetector
    >>> X, y = load_digits(return_X_y=True)
    >>> detector = ReconstructionOutlierDetector(
    ...     Autoencoder(n_components=4, max_epochs=20, random_state=0), contamination=0.1
    ... ).fit(X[y == 0])
    >>> round(float((detector.predict(X[y == 0]) == -1).mean()), 2)  # about the contamination
    0.1
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "score_samples"]), None],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, contamination="auto", random_state=None):
        self.estimator = estimator
        self.contamination = contamination
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the autoencoder on ``X`` and set the threshold from its scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, mostly normal.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
        """
        estimator = Autoencoder() if self.estimator is None else self.estimator
        estimator = clone(estimator)
        if self.random_state is not None:
            estimator.set_params(random_state=self.random_state)
        self.estimator_ = estimator.fit(X)
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
        scores = self.estimator_.score_samples(X)
        if self.contamination == "auto":
            median = np.median(scores)
            mad = 1.4826 * np.median(np.abs(scores - median))
            self.offset_ = float(median - _AUTO_MADS * mad)
        else:
            self.offset_ = float(np.percentile(scores, 100.0 * self.contamination))
        return self

    def score_samples(self, X):
        """Minus the reconstruction error (the ELBO for a VAE); lower is more abnormal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.estimator_.score_samples(X)

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
