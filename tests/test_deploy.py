"""Leaving the notebook: ONNX export, skops and pickle persistence, inference cost, threads."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback
from threadpoolctl import threadpool_limits

import skae._threads
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
from skae._threads import threads_for

QUICK = dict(max_epochs=3, random_state=0)
# Every autoencoder variant, MLP and conv.
AUTOENCODERS = [
    Autoencoder(8, **QUICK),
    LinearAE(8, tied=True, **QUICK),
    SparseAE(**QUICK),
    SparseAE(sparsity="topk", **QUICK),
    DenoisingAE(8, **QUICK),
    ContractiveAE(8, **QUICK),
    VAE(8, **QUICK),
    Autoencoder(8, loss="bce", **QUICK),
    ConvAE(8, image_shape=(1, 8, 8), **QUICK),
    LinearAE(8, architecture="conv", image_shape=(1, 8, 8), tied=True, **QUICK),
    SparseAE(architecture="conv", image_shape=(1, 8, 8), sparsity="topk", **QUICK),
    DenoisingAE(8, architecture="conv", image_shape=(1, 8, 8), **QUICK),
    VAE(8, architecture="conv", image_shape=(1, 8, 8), **QUICK),
]
IDS = [f"{i}-{type(e).__name__}" for i, e in enumerate(AUTOENCODERS)]


@pytest.fixture(scope="module")
def fitted(small):
    X, _ = small
    return {name: clone(e).fit(X) for name, e in zip(IDS, AUTOENCODERS, strict=True)}


@pytest.fixture(scope="module")
def detector(small):
    X, _ = small
    return ReconstructionOutlierDetector(random_state=0).fit(X)


# -- ONNX ------------------------------------------------------------------


def _session(model):
    onnxruntime = pytest.importorskip("onnxruntime")
    return onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def _run(model, X):
    session = _session(model)
    return session.run(None, {session.get_inputs()[0].name: X})


@pytest.mark.parametrize("name", IDS)
def test_onnx_export_matches_transform_and_inverse_transform(fitted, small, name, skae_onnx):
    model = fitted[name]
    X = small[1]
    codes = model.transform(X)
    assert np.abs(_run(skae_onnx.to_onnx(model), X)[0] - codes).max() <= 1e-5
    decoded = _run(skae_onnx.to_onnx(model, "inverse_transform"), codes)[0]
    assert np.abs(decoded - model.inverse_transform(codes)).max() <= 1e-5
    scores = _run(skae_onnx.to_onnx(model, "score_samples"), X)[0]
    np.testing.assert_allclose(scores, model.score_samples(X), rtol=1e-5, atol=1e-5)
    # float64 input: a float64 graph whose network computes in float32.
    codes64 = _run(skae_onnx.to_onnx(model, dtype=np.float64), X.astype(np.float64))[0]
    assert codes64.dtype == np.float64
    assert np.abs(codes64 - model.transform(X.astype(np.float64))).max() <= 1e-5


@pytest.mark.parametrize("name", [IDS[0], IDS[4], IDS[8]])
def test_skl2onnx_converts_a_pipeline_with_a_skae_step(fitted, digits, name, skae_onnx):
    skl2onnx = pytest.importorskip("skl2onnx")
    X_train, X_test, y_train, _ = digits
    autoencoder = fitted[name]
    pipe = make_pipeline(StandardScaler(), autoencoder, LogisticRegression(max_iter=300))
    pipe.fit(X_train[:300], y_train[:300])
    model = skl2onnx.to_onnx(pipe, X_test[:1], options={"zipmap": False})
    labels, proba = _run(model, X_test)
    np.testing.assert_array_equal(labels, pipe.predict(X_test))
    assert np.abs(proba - pipe.predict_proba(X_test)).max() <= 1e-5


def test_onnx_export_is_in_eval_mode_even_when_the_module_is_not(fitted, small, skae_onnx):
    model = fitted[IDS[4]]  # DenoisingAE: its encoder corrupts in training mode
    model.net_.module_.train()
    try:
        codes = _run(skae_onnx.to_onnx(model), small[1])[0]
    finally:
        model.net_.module_.eval()
    assert np.abs(codes - model.transform(small[1])).max() <= 1e-5


def test_onnx_detector_methods_directly_and_in_a_pipeline(detector, small, digits, skae_onnx):
    skl2onnx = pytest.importorskip("skl2onnx")
    X = np.vstack([small[1], small[1][:20] + 3.0]).astype(np.float32)  # with outliers
    for method in ("score_samples", "decision_function"):
        out = _run(skae_onnx.to_onnx(detector, method), X)[0]
        assert np.abs(out - getattr(detector, method)(X)).max() <= 1e-5
    labels = _run(skae_onnx.to_onnx(detector, "predict"), X)[0]
    np.testing.assert_array_equal(labels, detector.predict(X))
    assert (labels == -1).any()
    pipe = make_pipeline(StandardScaler(), ReconstructionOutlierDetector(random_state=0))
    pipe.fit(digits[0][:300])
    model = skl2onnx.to_onnx(pipe, X[:1], options={id(pipe[-1]): {"score_samples": True}})
    labels, decision, scores = _run(model, X)
    np.testing.assert_array_equal(labels, pipe.predict(X))
    assert np.abs(decision[:, 0] - pipe.decision_function(X)).max() <= 1e-5
    assert np.abs(scores[:, 0] - pipe.score_samples(X)).max() <= 1e-5


def test_onnx_classifier_labels_and_probabilities_directly_and_in_a_pipeline(digits, skae_onnx):
    skl2onnx = pytest.importorskip("skl2onnx")
    X_train, X_test, y_train, _ = digits
    clf = EncoderClassifier(Autoencoder(8, max_epochs=2), max_epochs=5, random_state=0)
    clf.fit(X_train[:300], y_train[:300])
    proba = _run(skae_onnx.to_onnx(clf, "predict_proba"), X_test)[0]
    assert np.abs(proba - clf.predict_proba(X_test)).max() <= 1e-5
    labels = _run(skae_onnx.to_onnx(clf), X_test)[0]
    np.testing.assert_array_equal(labels, clf.predict(X_test))
    assert len(np.unique(labels)) > 1  # not a constant
    wide = _run(skae_onnx.to_onnx(clf, dtype=np.float64), X_test.astype(np.float64))[0]
    np.testing.assert_array_equal(wide, labels)
    # String labels come back as strings; a pipeline gives label and probabilities.
    names = np.array([f"digit {i}" for i in range(10)])[y_train[:300]]
    pipe = make_pipeline(StandardScaler(), clone(clf)).fit(X_train[:300], names)
    label, probabilities = _run(
        skl2onnx.to_onnx(pipe, X_test[:1], options={"zipmap": False}), X_test
    )
    np.testing.assert_array_equal(label, pipe.predict(X_test))
    assert np.abs(probabilities - pipe.predict_proba(X_test)).max() <= 1e-5


def test_to_onnx_refuses_what_it_cannot_export(fitted, skae_onnx):
    with pytest.raises(ValueError, match="method must be one of"):
        skae_onnx.to_onnx(fitted[IDS[0]], "predict")
    with pytest.raises(TypeError, match="exports skae autoencoders"):
        skae_onnx.to_onnx(StandardScaler().fit(np.eye(3)))
    classifier = EncoderClassifier(Autoencoder(2, max_epochs=1), max_epochs=1).fit(
        np.random.default_rng(0).normal(size=(20, 4)), np.arange(20) % 2
    )
    with pytest.raises(ValueError, match="method must be one of"):
        skae_onnx.to_onnx(classifier, "transform")
    pca_detector = ReconstructionOutlierDetector(PCA(2), distance="estimator").fit(np.eye(8))
    with pytest.raises(TypeError, match="estimator is a skae autoencoder; this one's is PCA"):
        skae_onnx.to_onnx(pca_detector)  # an AttributeError on net_


def test_onnx_predict_of_a_one_dimensional_target_is_one_dimensional(small, skae_onnx):
    X = small[1]
    regressor = EncoderDecoderRegressor(2, max_epochs=2, random_state=0).fit(X, X[:, 10])
    predicted = _run(skae_onnx.to_onnx(regressor, "predict"), X)[0]
    assert predicted.shape == regressor.predict(X).shape == (len(X),)  # was (n, 1)
    np.testing.assert_allclose(predicted, regressor.predict(X), rtol=1e-5, atol=1e-6)


# -- skops and pickle --------------------------------------------------------


def _outputs(estimator, X):
    if isinstance(estimator, EncoderClassifier):
        return estimator.predict_proba(X)
    if isinstance(estimator, ReconstructionOutlierDetector):
        return estimator.score_samples(X)
    return np.hstack([estimator.transform(X), estimator.inverse_transform(estimator.transform(X))])


def _every_estimator(fitted, detector, digits):
    X_train, _, y_train, _ = digits
    classifier = EncoderClassifier(Autoencoder(8, **QUICK), max_epochs=3, random_state=0)
    return [*fitted.values(), detector, classifier.fit(X_train[:300], y_train[:300])]


def test_skops_round_trips_every_estimator_naming_only_skae_types(fitted, detector, digits):
    sio = pytest.importorskip("skops.io")
    X = digits[1]
    for estimator in _every_estimator(fitted, detector, digits):
        data = sio.dumps(estimator)
        untrusted = sio.get_untrusted_types(data=data)
        assert untrusted and all(name.startswith("skae.") for name in untrusted), untrusted
        loaded = sio.loads(data, trusted=untrusted)
        np.testing.assert_array_equal(_outputs(loaded, X), _outputs(estimator, X))


def test_skops_refuses_a_file_with_an_unknown_type(small):
    sio = pytest.importorskip("skops.io")
    from skops.io.exceptions import UntrustedTypesFoundException

    model = Autoencoder(4, optimizer=torch.optim.NAdam, **QUICK).fit(small[0])
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    assert any("NAdam" in name for name in untrusted)
    with pytest.raises(UntrustedTypesFoundException):
        sio.loads(data)
    with pytest.raises(UntrustedTypesFoundException):
        sio.loads(data, trusted=[name for name in untrusted if name.startswith("skae.")])


def test_a_reloaded_model_keeps_training_from_its_optimizer_state(small):
    X, X_test = small
    model = Autoencoder(4, warm_start=True, **QUICK).fit(X)
    twin = pickle.loads(pickle.dumps(model))
    assert twin.net_.optimizer_.state_dict()["state"]  # Adam's moments came back
    model.fit(X)
    twin.fit(X)
    np.testing.assert_allclose(twin.transform(X_test), model.transform(X_test), atol=1e-6)
    assert twin.n_iter_ == model.n_iter_ == 2 * QUICK["max_epochs"]


def test_a_stream_saved_between_chunks_judges_dead_units_as_one_kept_in_memory(digits):
    """A top-k SparseAE judges its dead units on 10 rows per unit, over several chunks.

    Its net was saved without the rows counted so far, so a stream pickled between
    chunks (a Dask cluster may move it between workers at every chunk) started the
    count afresh at each one, and with chunks under the 160 rows judged here, never
    revived a unit.
    """
    sio = pytest.importorskip("skops.io")
    chunks = np.array_split(digits[0][:480], 24)

    def stream(save_and_load):
        model = SparseAE(n_components=64, sparsity="topk", k=4, random_state=0)
        for chunk in chunks:
            model = save_and_load(model.partial_fit(chunk))
        return model

    def by_skops(model):
        data = sio.dumps(model)
        return sio.loads(data, trusted=sio.get_untrusted_types(data=data))

    def revivals(model):
        return [epoch.get("revived_units") for epoch in model.history_]

    def saved_before_it_was_kept(model):  # a record of the last version
        state = model.__getstate__()
        del state["net_"]["callbacks"]
        loaded = SparseAE.__new__(SparseAE)
        loaded.__setstate__(state)
        return loaded

    kept = stream(lambda model: model)
    assert any(revivals(kept))  # measured: 2 units, at the 24th chunk
    for save_and_load in (lambda model: pickle.loads(pickle.dumps(model)), by_skops):
        saved = stream(save_and_load)
        assert revivals(saved) == revivals(kept)
        np.testing.assert_array_equal(saved.transform(digits[1]), kept.transform(digits[1]))
    assert not any(revivals(stream(saved_before_it_was_kept)))  # still loads, as before


def test_a_model_saved_from_a_gpu_loads_on_a_cpu_only_machine(small, monkeypatch):
    X, X_test = small
    model = Autoencoder(4, **QUICK).fit(X)
    state = model.__getstate__()
    state["net_"]["device"] = "cuda:0"  # what a GPU-fitted model records
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = Autoencoder.__new__(Autoencoder)
    loaded.__setstate__(state)
    assert str(loaded.net_.device) == "cpu"
    np.testing.assert_array_equal(loaded.transform(X_test), model.transform(X_test))


def test_loading_leaves_torchs_random_state_alone(small):
    model = Autoencoder(4, **QUICK).fit(small[0])
    blob = pickle.dumps(model)
    before = torch.get_rng_state()
    pickle.loads(blob)
    assert torch.equal(torch.get_rng_state(), before)


# -- inference cost ----------------------------------------------------------


def test_the_module_is_in_eval_mode_after_fit(fitted):
    assert not any(model.net_.module_.training for model in fitted.values())


def test_float64_inference_copies_the_module_once_and_again_only_after_training(small):
    X, X_test = small
    model = Autoencoder(4, **QUICK).fit(X)
    X64 = X_test.astype(np.float64)
    first = model.transform(X64)
    twin = model._inference_modules._twin
    model.transform(X64)
    assert model._inference_modules._twin is twin  # no per-call copy
    model.partial_fit(X)  # the weights change: the float64 copy must follow
    again = model.transform(X64)
    assert model._inference_modules._twin is not twin
    assert np.abs(again - first).max() > 1e-4
    np.testing.assert_allclose(again, model.transform(X_test), atol=1e-5)


# -- threads -----------------------------------------------------------------


class RecordThreads(Callback):
    def on_epoch_begin(self, net, **kwargs):
        self.seen_ = torch.get_num_threads()


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def _threads_during_fit(X, **params):
    recorder = RecordThreads()
    Autoencoder(4, max_epochs=1, net_params={"callbacks": [("threads", recorder)]}, **params).fit(X)
    return recorder.seen_


def test_a_small_network_trains_on_one_thread_and_a_large_one_on_more(small, two_threads):
    X, _ = small
    assert _threads_during_fit(X, hidden_layer_sizes=(16,)) == 1
    assert torch.get_num_threads() == 2  # restored after the fit
    # The same rule with a tiny work per thread gives the whole pool.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(skae._threads, "WORK_PER_THREAD", 1.0)
        assert _threads_during_fit(X, hidden_layer_sizes=(16,)) == 2
        with threadpool_limits(limits=1):
            assert _threads_during_fit(X, hidden_layer_sizes=(16,)) == 1  # threadpoolctl's limit
    assert torch.get_num_threads() == 2


def test_threads_grow_with_the_work_within_the_limit(two_threads):
    assert threads_for(1e3) == 1
    assert threads_for(10 * skae._threads.WORK_PER_THREAD) == 2
    with threadpool_limits(limits=1):
        assert threads_for(10 * skae._threads.WORK_PER_THREAD) == 1


def test_work_counts_dense_and_convolutional_layers(fitted):
    from skae._threads import forward_work_per_row

    dense = fitted[IDS[0]].net_.module_  # 64-256-64-8 with a linear path, mirrored
    expected = 2 * (64 * 256 + 256 * 64 + 64 * 8 + 64 * 8)
    assert forward_work_per_row(dense, 64) == expected
    conv = fitted[IDS[8]].net_.module_
    assert forward_work_per_row(conv, 64) > sum(p.numel() for p in conv.parameters())


def _fit_in_a_worker(X):
    # A network big enough that the rule alone would take two threads.
    seen = _threads_during_fit(X, hidden_layer_sizes=(1000, 1000), batch_size=256)
    return seen, torch.get_num_threads()


# Slow tier (make test-slow, which CI runs), as test_scale.py's Dask cluster: two
# loky processes import torch beside the other pytest-xdist worker (14 s).
@pytest.mark.slow
def test_fits_in_joblib_process_workers_stay_within_their_share_of_the_cores(small):
    from joblib import Parallel, cpu_count, delayed

    X, _ = small
    results = Parallel(n_jobs=2, backend="loky")(delayed(_fit_in_a_worker)(X) for _ in range(2))
    share = max(cpu_count() // 2, 1)  # what joblib gives each of its 2 workers
    for seen, limit in results:
        assert limit <= share
        assert seen <= limit


def test_concurrent_transforms_from_threads_agree_with_serial_ones(small):
    from concurrent.futures import ThreadPoolExecutor

    X, X_test = small
    model = Autoencoder(4, **QUICK).fit(X)
    inputs = [X_test, X_test.astype(np.float64)] * 4
    expected = [model.transform(x) for x in inputs[:2]] * 4
    model = pickle.loads(pickle.dumps(model))  # no float64 copy made yet: threads race to it
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(model.transform, inputs))
    for result, reference in zip(results, expected, strict=True):
        np.testing.assert_array_equal(result, reference)
