"""EncoderClassifier: pretraining on unlabelled rows helps when labels are few."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from skae import Autoencoder, DenoisingAE, EncoderClassifier


def few_labels(y, n, seed=0):
    """Keep ``n`` labels (5 per class where possible), mark the rest -1."""
    rng = np.random.default_rng(seed)
    keep = np.concatenate(
        [rng.choice(np.flatnonzero(y == c), n // 10, replace=False) for c in np.unique(y)]
    )
    y_few = np.full_like(y, -1)
    y_few[keep] = y[keep]
    return y_few, keep


def test_fifty_labels_beat_logistic_regression_on_the_same_labels(digits):
    X_train, X_test, y_train, y_test = digits
    y_few, keep = few_labels(y_train, 50)
    clf = EncoderClassifier(random_state=0).fit(X_train, y_few)
    baseline = LogisticRegression(max_iter=2000).fit(X_train[keep], y_train[keep])
    ours, theirs = clf.score(X_test, y_test), baseline.score(X_test, y_test)
    assert ours > theirs, (ours, theirs)
    assert list(clf.classes_) == list(range(10))


def test_frozen_encoder_stays_as_pretrained(digits):
    X_train, X_test, y_train, _ = digits
    y_few, _ = few_labels(y_train, 100)
    clf = EncoderClassifier(
        DenoisingAE(n_components=8, max_epochs=10), fine_tune=False, random_state=0
    ).fit(X_train, y_few)
    module = clf.net_.module_.autoencoder.eval()
    with torch.no_grad():
        after = module.encode(torch.from_numpy(X_test)).numpy()
    np.testing.assert_allclose(after, clf.autoencoder_.transform(X_test), rtol=1e-5, atol=1e-6)
    tuned = EncoderClassifier(
        DenoisingAE(n_components=8, max_epochs=10), fine_tune=True, random_state=0
    ).fit(X_train, y_few)
    with torch.no_grad():
        moved = tuned.net_.module_.autoencoder.eval().encode(torch.from_numpy(X_test)).numpy()
    assert not np.allclose(moved, tuned.autoencoder_.transform(X_test), atol=1e-3)


def test_a_fitted_autoencoder_is_used_as_it_is_and_left_unchanged(digits):
    X_train, X_test, y_train, _ = digits
    ae = Autoencoder(n_components=8, max_epochs=5, random_state=0).fit(X_train)
    before = ae.transform(X_test)
    clf = EncoderClassifier(ae, random_state=0).fit(X_train, few_labels(y_train, 100)[0])
    assert clf.autoencoder_.n_iter_ == ae.n_iter_ == 5  # not retrained
    np.testing.assert_array_equal(ae.transform(X_test), before)  # fine-tuning used a copy
    with pytest.raises(ValueError, match="the fitted autoencoder expects 64"):
        EncoderClassifier(ae).fit(X_train[:, :10], y_train)


def test_unlabelled_rows_only_serve_the_pretraining(digits):
    X_train, _, y_train, _ = digits
    with pytest.raises(ValueError, match="no labelled row"):
        EncoderClassifier().fit(X_train, np.full(len(y_train), -1))
    y_few, keep = few_labels(y_train, 30)
    clf = EncoderClassifier(Autoencoder(n_components=8, max_epochs=3), max_epochs=2)
    clf.fit(X_train, y_few)
    assert -1 not in clf.classes_
    assert clf.net_.history[-1, "batches", 0, "train_batch_size"] <= len(keep)
    proba = clf.predict_proba(X_train[:5])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
