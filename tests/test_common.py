"""scikit-learn's own conformance suite over every public skae estimator."""

import re

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (
    VAE,
    Autoencoder,
    ContractiveAE,
    ConvAE,
    DenoisingAE,
    EncoderClassifier,
    EncoderDecoderRegressor,
    LinearAE,
    ReconstructionOutlierDetector,
    SparseAE,
)

# Every public estimator, and its main options. No check depends on
# convergence (the classifier's accuracy check is met by its own fine-tuning,
# the regressor's R² check by its 5 epochs), so every other configuration
# trains for 2 epochs: the default budget would give each of the checks'
# 20-to-100-row tables 4,000 steps, and the suite runs over a thousand fits.
# The budget itself is tested in test_budget.py.
QUICK = {"max_epochs": 2}
# In the fast suite: each public estimator once, at its default options.
ESTIMATORS = [
    Autoencoder(**QUICK),
    LinearAE(**QUICK),
    SparseAE(**QUICK),
    DenoisingAE(**QUICK),
    ContractiveAE(**QUICK),
    VAE(**QUICK),
    ConvAE(**QUICK),
    # The paired-target regressor. check_regressors_train wants R² > 0.5, which
    # the dense net reaches on its 200-row table in 5 epochs.
    EncoderDecoderRegressor(max_epochs=5),
    ReconstructionOutlierDetector(Autoencoder(**QUICK)),
    # The default classifier with its default autoencoder, a DenoisingAE of
    # min(32, n_features) units, capped at 2 epochs and given 32 units, which
    # the checks' narrow tables do not change. At the full budget of 4,000
    # steps a fit, the classifier's checks took 2.4 minutes on two cores.
    EncoderClassifier(DenoisingAE(n_components=32, **QUICK)),
]
# In the slow tier (make test-slow, which CI runs): the other options, which
# double the checks' time, kept out of the 5-minute fast suite (#12).
OPTIONS = [
    # The checks' tables are not in [0, 1]: the cross-entropy maps them there.
    Autoencoder(loss="bce", **QUICK),
    LinearAE(tied=True, **QUICK),
    SparseAE(sparsity="l1", **QUICK),
    SparseAE(sparsity="kl", **QUICK),
    SparseAE(tied=True, **QUICK),
    DenoisingAE(noise="masking", **QUICK),
    DenoisingAE(noise="salt_pepper", **QUICK),
    ContractiveAE(jacobian="hutchinson", **QUICK),
    VAE(kl_warmup=5, **QUICK),
    VAE(likelihood="bernoulli", **QUICK),
    # The conv architecture of each variant (the checks' features are read as
    # a 1-D signal).
    LinearAE(architecture="conv", tied=True, **QUICK),
    SparseAE(architecture="conv", sparsity="topk", **QUICK),
    DenoisingAE(architecture="conv", **QUICK),
    ContractiveAE(architecture="conv", **QUICK),
    VAE(architecture="conv", **QUICK),
    # The 1-D conv net reaches R² > 0.5 after 30 epochs at the default lr, or 10 at lr=1e-2.
    EncoderDecoderRegressor(architecture="conv", max_epochs=15, lr=1e-2),
    ReconstructionOutlierDetector(VAE(**QUICK), contamination=0.1),
    # The classifier's own training is checked for accuracy
    # (check_classifiers_train asks for 0.83 on its 3-class blobs): 30 epochs
    # at lr=1e-2 reach it with or without fine-tuning, so 40 are given (at the
    # default lr=1e-3, 50 of the default 300 do not reach it without).
    EncoderClassifier(Autoencoder(**QUICK), max_epochs=40, lr=1e-2),
    EncoderClassifier(Autoencoder(**QUICK), fine_tune=False, max_epochs=40, lr=1e-2),
]


def expected_failed_checks(estimator):
    if isinstance(estimator, EncoderClassifier):
        return {
            "check_classifiers_classes": (
                "y == -1 marks an unlabelled row (scikit-learn's semi-supervised "
                "convention, as for SelfTrainingClassifier, which this check special-"
                "cases by name); the check's labels [-1, 1] therefore leave one class."
            )
        }
    if isinstance(estimator, ReconstructionOutlierDetector) and estimator.contamination == "auto":
        reason = (
            'contamination="auto" flags rows beyond three robust standard deviations '
            "of the scores of rows the networks did not train on; the check's 300 rows "
            "of three Gaussian blobs hold none, and it requires a flagged training row. "
            "The threshold is tested in test_outlier.py; a float contamination passes."
        )
        return {"check_outliers_fit_predict": reason, "check_outliers_train": reason}
    return {}


# A check that fails on some machines and passes on others: an expected
# failure only where it fails (every other expected failure is strict).
MACHINE_DEPENDENT = {
    (ReconstructionOutlierDetector, "check_methods_subset_invariance"): (
        "the probabilistic-PCA distance starts from the network's float32 reconstruction, "
        "whose last bit can depend on the batch's row count (torch picks matrix "
        "kernels by shape and CPU); after the Mahalanobis form, the log and the robust "
        "scaling, scores of a row alone and in a batch differed by up to 3e-7 "
        "(relative), above the check's rtol=1e-7."
    )
}


# The configurations train for a few epochs (no check depends on convergence),
# so LinearAE's fit says it has not reached PCA's error yet.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
# (Expected failures are strict through pyproject's xfail_strict: parametrize_with_checks'
# own xfail_strict argument needs scikit-learn 1.8.)
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    run_check(estimator, check)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(OPTIONS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_options(estimator, check):
    run_check(estimator, check)


def run_check(estimator, check):
    reason = MACHINE_DEPENDENT.get((type(estimator), getattr(check, "func", check).__name__))
    if reason is None:
        check(estimator)
        return
    try:
        check(estimator)
    except AssertionError as error:
        # Only the rounding the reason names; a larger difference is a failure.
        found = re.search(r"Max relative difference[^:]*:\s*([0-9.eE+-]+)", str(error))
        if found is None or float(found.group(1)) > 1e-6:
            raise
        pytest.xfail(reason)
