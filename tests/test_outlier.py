"""ReconstructionOutlierDetector: reconstruction error (or ELBO) flags anomalies."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from skae import VAE, Autoencoder, ReconstructionOutlierDetector


@pytest.fixture(scope="module")
def zeros_vs_ones(digits):
    X_train, X_test, y_train, y_test = digits
    normal = X_train[y_train == 0]
    test = X_test[np.isin(y_test, [0, 1])]
    is_anomaly = y_test[np.isin(y_test, [0, 1])] == 1
    return normal, test, is_anomaly


def test_detector_ranks_an_unseen_digit_as_anomalous(zeros_vs_ones):
    normal, test, is_anomaly = zeros_vs_ones
    detector = ReconstructionOutlierDetector(Autoencoder(n_components=4, random_state=0)).fit(
        normal
    )
    auc = roc_auc_score(is_anomaly, -detector.score_samples(test))
    assert auc > 0.9, auc


def test_contamination_flags_that_share_of_the_training_rows(digits):
    X_train = digits[0]
    detector = ReconstructionOutlierDetector(
        Autoencoder(n_components=8, max_epochs=30, random_state=0), contamination=0.1
    )
    labels = detector.fit_predict(X_train)
    assert set(np.unique(labels)) == {-1, 1}
    assert np.mean(labels == -1) == pytest.approx(0.1, abs=0.01)
    np.testing.assert_allclose(
        detector.decision_function(X_train), detector.score_samples(X_train) - detector.offset_
    )


def test_auto_contamination_flags_few_normal_rows_and_most_noise(zeros_vs_ones):
    normal, _, _ = zeros_vs_ones
    detector = ReconstructionOutlierDetector(Autoencoder(n_components=4, random_state=0))
    detector.fit(normal)
    assert np.mean(detector.predict(normal) == -1) < 0.1
    noise = np.random.default_rng(0).uniform(0, 1, (50, normal.shape[1])).astype(np.float32)
    assert np.mean(detector.predict(noise) == -1) > 0.9


def test_vae_detector_scores_with_the_elbo(zeros_vs_ones):
    normal, test, is_anomaly = zeros_vs_ones
    detector = ReconstructionOutlierDetector(VAE(n_components=4, random_state=0)).fit(normal)
    np.testing.assert_array_equal(
        detector.score_samples(test), detector.estimator_.score_samples(test)
    )
    np.testing.assert_array_equal(detector.score_samples(test), detector.score_samples(test))
    assert roc_auc_score(is_anomaly, -detector.score_samples(test)) > 0.9


def test_default_estimator_is_an_autoencoder_and_the_given_one_is_not_touched(small):
    X = small[0]
    detector = ReconstructionOutlierDetector(random_state=0).fit(X)
    assert type(detector.estimator_) is Autoencoder
    given = Autoencoder(max_epochs=2)
    ReconstructionOutlierDetector(given).fit(X)
    assert not hasattr(given, "net_")
