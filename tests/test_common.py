"""scikit-learn's own conformance suite over every public skae estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import VAE, Autoencoder, ContractiveAE, DenoisingAE, LinearAE, SparseAE

# Every public estimator, with its defaults. No check is expected to fail.
ESTIMATORS = [
    Autoencoder(),
    LinearAE(),
    LinearAE(tied=True),
    SparseAE(),
    SparseAE(sparsity="l1"),
    SparseAE(sparsity="topk"),
    DenoisingAE(),
    DenoisingAE(noise="masking"),
    DenoisingAE(noise="salt_pepper"),
    ContractiveAE(),
    ContractiveAE(jacobian="hutchinson"),
    VAE(),
    VAE(kl_warmup=5),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
