"""Bad input fails clearly at the boundary; fits are reproducible and side-effect free."""

import copy
import pickle
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

import skae._base
from skae import (
    VAE,
    Autoencoder,
    ConvAE,
    DenoisingAE,
    DivergenceError,
    EncoderClassifier,
    EncoderDecoderRegressor,
    Float32RoundingWarning,
    LinearAE,
    ReconstructionOutlierDetector,
    SparseAE,
    latent_interpolation,
)
from skae._penalties import KLSparsity
from skae._sparse import ReviveDeadUnits
from skae._vae import _second_moment
from skae.modules import AEOutput

FAST = dict(max_epochs=3, random_state=0)


@pytest.fixture(scope="module")
def fitted(small):
    return Autoencoder(n_components=3, **FAST).fit(small[0])


def test_float32_input_is_trained_on_without_a_copy(small, monkeypatch):
    X = np.ascontiguousarray(small[0], dtype=np.float32)
    seen = []
    original = skae._base.ArrayDataset

    def spy(tensor, **kwargs):
        seen.append(tensor)
        return original(tensor, **kwargs)

    monkeypatch.setattr(skae._base, "ArrayDataset", spy)
    Autoencoder(**FAST).fit(X)
    assert seen and seen[0].data_ptr() == X.ctypes.data
    assert seen[0].dtype == torch.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_output_dtype_follows_input(small, fitted, dtype):
    X = small[1].astype(dtype)
    assert fitted.transform(X).dtype == dtype
    assert fitted.inverse_transform(fitted.transform(X)).dtype == dtype
    assert fitted.score_samples(X).dtype == dtype


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("method", ["fit", "transform", "score_samples"])
def test_non_finite_values_are_refused(small, fitted, bad, method):
    X = small[1].copy()
    X[3, 5] = bad
    target = Autoencoder(**FAST) if method == "fit" else fitted
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        getattr(target, method)(X)


def test_non_finite_codes_are_refused(fitted):
    with pytest.raises(ValueError, match="NaN"):
        fitted.inverse_transform(np.array([[0.0, np.nan, 1.0]]))


def test_wrong_number_of_features_is_named(small, fitted):
    with pytest.raises(ValueError, match="X has 10 features, but Autoencoder is expecting 64"):
        fitted.transform(small[1][:, :10])
    with pytest.raises(ValueError, match=r"X has 4 features.*codes of the 3 features"):
        fitted.inverse_transform(np.zeros((2, 4)))


@pytest.mark.parametrize(
    "X, message",
    [
        (np.zeros(64), "Expected 2D array, got 1D array"),
        (np.zeros((0, 64)), "0 sample"),
        (np.zeros((5, 0)), "0 feature"),
        (np.zeros((2, 4, 8)), "Found array with dim 3"),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), "could not convert string to float"),
        (np.ones((3, 64)) + 1j, "Complex data not supported"),
    ],
    ids=["1d", "empty-rows", "empty-features", "3d", "strings", "complex"],
)
def test_malformed_input_gets_a_clear_value_error(X, message):
    with pytest.raises(ValueError, match=message):
        Autoencoder(**FAST).fit(X)


def test_sparse_input_is_refused_with_what_to_do(small):
    with pytest.raises(TypeError, match=r"dense data is required.*toarray"):
        Autoencoder(**FAST).fit(sp.csr_matrix(small[0]))


def test_sparse_targets_are_refused_with_what_to_do(small):
    X = small[0][:20]
    model = EncoderDecoderRegressor(**FAST).fit(X, X[:, :3])
    with pytest.raises(TypeError, match=r"passed for y.*dense data is required.*toarray"):
        model.fit(X[:, :5], sp.csr_matrix(X[:, :3]))  # numpy failed inside
    assert model.n_features_in_ == 64  # refused before X was read


@pytest.mark.parametrize(
    "Estimator",
    [
        lambda: Autoencoder(loss="bce", **FAST),
        # Salt-and-pepper noise reads the feature ranges on the [0, 1] scale.
        lambda: DenoisingAE(loss="bce", noise="salt_pepper", **FAST),
    ],
    ids=["Autoencoder", "DenoisingAE-salt_pepper"],
)
def test_bce_maps_data_outside_the_unit_interval_into_it(small, Estimator):
    X, X_test = small
    unit = Estimator().fit(X)
    module = unit.net_.module_
    assert (module.mean == 0).all() and module.scale == 1  # [0, 1] data are kept as they are
    # Digits' pixels are 0..16: X * 16 - 8 maps back onto X exactly, so the
    # fit is the same model, its reconstructions in the data's own units.
    wide = Estimator().fit(X * 16 - 8)
    np.testing.assert_allclose(wide.transform(X_test * 16 - 8), unit.transform(X_test), atol=1e-6)
    recon = wide.inverse_transform(wide.transform(X_test * 16 - 8))
    assert recon.min() >= -8 and recon.max() <= 8
    np.testing.assert_allclose(
        recon, unit.inverse_transform(unit.transform(X_test)) * 16 - 8, atol=1e-4
    )
    np.testing.assert_allclose(
        wide.score_samples(X_test * 16 - 8), unit.score_samples(X_test), atol=1e-6
    )


def test_bce_on_constant_data_outside_the_unit_interval(small):
    # No spread to divide by: the map is a shift, of the constant to 0.
    ae = Autoencoder(loss="bce", **FAST).fit(np.full((50, 4), 5.0))
    assert ae.net_.module_.scale == 1
    recon = ae.inverse_transform(ae.transform(np.full((2, 4), 5.0)))
    assert ((recon > 5) & (recon < 6)).all()


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_float64_values_beyond_float32_are_refused_at_fit(small, fitted, method):
    X = small[1].astype(np.float64)
    X[3, 5] = -1e39
    with pytest.raises(ValueError, match=r"beyond float32's range \(largest absolute value 1e\+39"):
        getattr(Autoencoder(**FAST), method)(X)
    # Inference on float64 input runs in float64, where they are fine.
    assert np.isfinite(fitted.transform(X)).all()


@pytest.mark.parametrize("polars_dtype", ["Float32", "Float64"])
def test_polars_output_dtype_follows_input(small, polars_dtype):
    pl = pytest.importorskip("polars")
    X = small[1]
    frame = pl.DataFrame(X, schema=[f"f{i}" for i in range(X.shape[1])])
    frame = frame.cast(getattr(pl, polars_dtype))
    dtype = np.float32 if polars_dtype == "Float32" else np.float64
    ae = Autoencoder(n_components=3, **FAST).fit(frame)
    codes = ae.transform(frame)
    assert codes.dtype == dtype
    assert ae.score_samples(frame).dtype == dtype
    codes_frame = pl.DataFrame(codes).cast(getattr(pl, polars_dtype))
    assert ae.inverse_transform(codes_frame).dtype == dtype
    # As PCA: a float64 column makes a float64 frame.
    assert ae.transform(frame.with_columns(pl.col("f0").cast(pl.Float64))).dtype == np.float64


def test_standardisation_of_features_far_from_zero(small):
    # E[x²] - E[x]² about zero cancels catastrophically here (the scale came
    # out as 1, or as a number unrelated to the data).
    X = 1e12 + small[0].astype(np.float64)
    with pytest.warns(UserWarning, match="far from zero"):  # the data themselves are rounded
        mean, scale = Autoencoder()._standardization(X)
    np.testing.assert_allclose(mean, X.mean(axis=0), rtol=1e-7)
    np.testing.assert_allclose(scale, np.sqrt(X.var(axis=0).mean()), rtol=1e-5)


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_values_float32_rounds_beside_their_spread_are_named(small, loss):
    # 1e12 + N(0, 1): float32 spaces values 65,536 apart there, and the fit
    # returned reconstructions thousands away (PCA's error: 0.6) without a word.
    X = 1e12 + small[0].astype(np.float64)
    with pytest.warns(Float32RoundingWarning, match="values near 1e\\+12 are 65536 apart"):
        Autoencoder(n_components=2, loss=loss, **FAST).fit(X)
    with pytest.warns(Float32RoundingWarning, match="Input y is far from zero"):
        EncoderDecoderRegressor(n_components=2, **FAST).fit(small[0], X)
    # Integer targets too: they were cast to float32 (rounded, then trusted).
    counts = 10**12 + np.random.default_rng(0).integers(0, 100, size=len(X))
    with pytest.warns(Float32RoundingWarning, match="Input y is far from zero"):
        EncoderDecoderRegressor(n_components=2, **FAST).fit(small[0], counts)
    # Near the threshold: float32 spaces values near 1e6 0.0625 apart, 2% of a
    # feature's spread of 3.125 (warns, naming the feature) and 0.5% of 12.5
    # (quiet). The cross-entropy's one map is judged on X's whole range.
    normal = np.random.default_rng(0).normal(size=(100, 5))
    if loss == "mse":
        near = 1e6 + normal * [12.5, 12.5, 3.125, 12.5, 12.5]
        with pytest.warns(
            Float32RoundingWarning, match=r"apart, 0\.0[12]\d* times .* of feature 2\."
        ):
            Autoencoder(n_components=2, loss=loss, **FAST).fit(near)
    # Quiet: a Unix time spanning days (128 s apart beside a spread of 1e5 s);
    # 0.5% of the spread; data near zero; float32 input, which is centred
    # exactly as given; a column constant but for float64 round-off.
    round_off = np.where(np.arange(100) % 2 == 0, 0.3, 0.1 + 0.2)[:, None]
    for quiet in (
        1.7e9 + 1e5 * normal,
        1e6 + 12.5 * normal,
        small[0],
        (1e12 + 1e5 * normal).astype(np.float32),
        np.hstack([normal, round_off]),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            Autoencoder(n_components=2, loss=loss, **FAST).fit(quiet)


def test_warnings_point_at_the_callers_line_and_the_detector_says_it_once(small):
    """Each route into a warning (fit, Pipeline.fit, a detector's folds) points at
    this file's line, not at skae's, scikit-learn's or skorch's; a stacklevel of 2
    pointed inside skae."""
    far = 1e12 + small[0].astype(np.float64)
    routes = {
        Float32RoundingWarning: [
            lambda: Autoencoder(n_components=2, **FAST).fit(far),
            lambda: make_pipeline(Autoencoder(n_components=2, **FAST)).fit(far),
        ],
        UserWarning: [lambda: Autoencoder(n_components=70, **FAST).fit(small[0])],
        ConvergenceWarning: [lambda: LinearAE(n_components=3, max_steps=5).fit(small[0])],
    }
    # Through scikit-learn's cross-validation, whose workers are joblib's.
    routes[Float32RoundingWarning].append(
        lambda: cross_val_score(Autoencoder(n_components=2, **FAST), far, cv=2)
    )
    for category, fits in routes.items():
        for fit in fits:
            with warnings.catch_warnings(record=True) as record:
                warnings.simplefilter("always")
                fit()
            ours = [w for w in record if w.category is category]
            assert len(ours) >= 1, (category, [str(w.message) for w in record])
            assert {w.filename for w in ours} == {__file__}, (category, ours[0].filename)
    # Five cross-fitted networks on the same columns: one warning, not five.
    detector = ReconstructionOutlierDetector(Autoencoder(n_components=2, **FAST), n_splits=5)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        detector.fit(far)
    rounding = [w for w in record if w.category is Float32RoundingWarning]
    assert len(rounding) == 1 and rounding[0].filename == __file__


class FiltersSeenByFit(Autoencoder):
    """An Autoencoder that records the process-wide warning filters its fit runs under."""

    seen = []

    def fit(self, X, y=None):
        self.seen.append(list(warnings.filters))
        return super().fit(X, y)


def test_the_detector_says_it_once_without_touching_the_process_wide_filters(small):
    # A filter added for the later folds (catch_warnings + simplefilter) would
    # also silence a fit running meanwhile in another thread of the process.
    far = 1e12 + small[0].astype(np.float64)
    detector = ReconstructionOutlierDetector(FiltersSeenByFit(n_components=2, **FAST), n_splits=3)
    FiltersSeenByFit.seen.clear()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        detector.fit(far)
        after = list(warnings.filters)
    assert len(FiltersSeenByFit.seen) == 3
    assert all(filters == after for filters in FiltersSeenByFit.seen)
    assert sum(w.category is Float32RoundingWarning for w in record) == 1
    # The quiet is the detector's folds' alone: a fit after it warns again.
    with pytest.warns(Float32RoundingWarning):
        Autoencoder(n_components=2, **FAST).fit(far)


def test_scores_beyond_float32_say_so_and_float64_keeps_them_finite(small):
    # A row 1e25 from the data: its squared error (1e50) is beyond float32's
    # range. The score of -inf came without a word, where numpy warns.
    far = small[1][:3].copy()
    far[0, 0] = 1e25
    for model in (Autoencoder(n_components=2, **FAST), VAE(n_components=2, **FAST)):
        model.fit(small[0])
        with pytest.warns(RuntimeWarning, match="overflowed float32 on 1 row.*float64 X"):
            scores = model.score_samples(far)
        assert scores[0] == -np.inf and np.isfinite(scores[1:]).all()
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            exact = model.score_samples(far.astype(np.float64))
        assert np.isfinite(exact).all() and exact[0] < -1e40
    # Beyond float64's range too (1e200 squared): said, without float32's advice.
    far64 = far.astype(np.float64)
    far64[0, 0] = 1e200
    with pytest.warns(RuntimeWarning, match=r"overflowed float64 on 1 row.*returned as -inf\.$"):
        model.score_samples(far64)


def test_lists_and_integers_give_float64_as_in_pca(small):
    X = np.rint(small[0] * 4).astype(np.int64)
    for data in (X, X.tolist()):
        codes = Autoencoder(n_components=2, **FAST).fit(data).transform(data)
        assert codes.dtype == PCA(2).fit(data).transform(data).dtype == np.float64


def test_a_boolean_n_components_means_one_as_in_pca(small):
    # sklearn's Integral check lets True through; torch's layer sizes did not.
    for model in (Autoencoder(n_components=True, **FAST), VAE(n_components=True, **FAST)):
        assert model.fit(small[0]).transform(small[0]).shape == (len(small[0]), 1)
    for prior in ("mixture", "normal"):  # the N(0, I) prior is sized by it too
        assert VAE(n_components=True, prior=prior, **FAST).fit(small[0]).prior_.means.shape[1] == 1
    topk = SparseAE(n_components=8, k=True, **FAST).fit(small[0])
    active = (topk.transform(small[0]) > 0).sum(axis=1)
    assert active.max() == 1 and active.mean() > 0.5  # one unit, not none


def test_kl_sparsity_passes_nan_codes_on_instead_of_raising():
    code = torch.full((4, 3), 0.5)
    code[1, 2] = torch.nan
    penalty = KLSparsity(0.3, 0.05)
    assert torch.isnan(penalty(AEOutput(code, code, code), code, None))
    finite = code.nan_to_num()
    assert torch.isfinite(penalty(AEOutput(finite, finite, finite), finite, None))


_EXTREME = {
    "rand_1e30": np.random.RandomState(0).rand(50, 5) * 1e30,
    "spread_beyond_float32": np.where(np.arange(50)[:, None] == 0, 3e38, -3e38) * np.ones(5),
    "near_constant_1e36": 1e36 * (1 + 2e-8 * np.random.RandomState(0).rand(50, 5)),
    "float32_max": np.random.RandomState(0).rand(50, 5) * 3.4e38,
    "mixed_magnitudes": np.random.RandomState(0).rand(50, 5) * [1e30, 1, 1e-30, 1e10, 1],
}


@pytest.mark.parametrize("sparsity", ["kl", "l1", "topk"])
@pytest.mark.parametrize("name", list(_EXTREME))
def test_sparse_ae_on_extreme_finite_input_trains_or_says_why(sparsity, name):
    X = _EXTREME[name]
    model = SparseAE(sparsity=sparsity, n_components=8, max_epochs=2, random_state=0)
    if name == "spread_beyond_float32":  # x - mean overflows float32
        with pytest.raises(ValueError, match="spreads beyond float32's range"):
            model.fit(X)
        return
    if name == "near_constant_1e36":  # float32 rounds its spread away
        with pytest.warns(UserWarning, match="far from zero beside its spread"):
            model.fit(X)
    else:
        model.fit(X)
    # Fitted: every code and reconstruction is a number (SparseAE returned NaN).
    codes = model.transform(X)
    assert np.isfinite(codes).all() and np.isfinite(model.inverse_transform(codes)).all()


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_a_spread_beyond_float32_is_refused_by_name_not_reported_as_divergence(loss):
    # Every value fits in float32, but x - mean does not: the fit used to stop
    # with a DivergenceError that suggested a lower lr.
    X = _EXTREME["spread_beyond_float32"]
    with pytest.raises(ValueError, match="spreads beyond float32's range"):
        Autoencoder(n_components=2, loss=loss, max_epochs=2, random_state=0).fit(X)
    Autoencoder(n_components=2, loss=loss, max_epochs=2, random_state=0).fit(X / 4)


def test_a_target_beyond_float32_is_refused_naming_y():
    Y = _EXTREME["spread_beyond_float32"]
    X = np.random.default_rng(0).normal(size=Y.shape)
    with pytest.raises(ValueError, match="Input y spreads beyond float32's range"):
        EncoderDecoderRegressor(n_components=2, max_epochs=2, random_state=0).fit(X, Y)
    with pytest.raises(ValueError, match="Input y holds values beyond float32's range"):
        EncoderDecoderRegressor(n_components=2, max_epochs=2, random_state=0).fit(X, Y * 2)


@pytest.mark.parametrize(
    "params",
    [
        {"n_components": 0},
        {"hidden_layer_sizes": "wide"},
        {"activation": "swish"},
        {"loss": "l1"},
        {"lr": -1.0},
        {"batch_size": 0},
        {"device": "tpu"},
        {"optimizer": "lbfgs-ish"},
        {"validation_fraction": 1.0},
        {"net_params": [("callbacks", [])]},
    ],
)
def test_invalid_parameters_are_rejected(small, params):
    with pytest.raises(InvalidParameterError):
        Autoencoder(**FAST, **params).fit(small[0])


@pytest.mark.parametrize("sizes", [(0,), (16, -2), (3.5,)])
def test_hidden_layer_sizes_must_be_positive_integers(small, sizes):
    with pytest.raises(ValueError, match="hidden_layer_sizes must hold positive integers"):
        Autoencoder(hidden_layer_sizes=sizes, **FAST).fit(small[0])


def test_linear_ae_has_no_activation_parameter():
    assert "activation" not in LinearAE().get_params()
    with pytest.raises(TypeError):
        LinearAE(activation="relu")


def test_early_stopping_on_too_few_rows_explains(small):
    with pytest.raises(ValueError, match="validation_fraction=0.1 leaves 0 of 3 rows"):
        Autoencoder(early_stopping=True, **FAST).fit(small[0][:3])


# Four epochs leave LinearAE short of PCA on purpose: the test is about seeds.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("Estimator", [Autoencoder, LinearAE])
def test_same_random_state_gives_identical_models(small, Estimator):
    X, X_test = small
    a = Estimator(random_state=7, max_epochs=4).fit(X).transform(X_test)
    b = Estimator(random_state=7, max_epochs=4).fit(X).transform(X_test)
    c = Estimator(random_state=8, max_epochs=4).fit(X).transform(X_test)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("random_state", [0, None, np.random.RandomState(0)])
def test_fit_leaves_global_rng_state_untouched(small, random_state):
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()  # noqa: NPY002 (the legacy global RNG is the point)
    ae = Autoencoder(random_state=random_state, max_epochs=2, early_stopping=True)
    ae.fit(small[0])
    ae.partial_fit(small[0])
    assert torch.equal(torch.get_rng_state(), torch_state)
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == numpy_state[0] and np.array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]


def test_unfitted_model_says_so(small):
    from sklearn.exceptions import NotFittedError

    for method in ("transform", "inverse_transform", "score_samples", "score"):
        with pytest.raises(NotFittedError):
            getattr(Autoencoder(), method)(small[1])


# -- Found by probing every estimator with edge-case inputs ------------------


def test_a_loss_that_explodes_but_stays_finite_is_reported_as_divergence():
    X = np.random.RandomState(0).randn(200, 6)
    # lr=10 sends the loss to about 1e25 without overflowing: the fit used to
    # return that model as if trained (score -3e25, PCA's -0.58).
    with pytest.raises(DivergenceError, match="lower lr"):
        DenoisingAE(max_steps=20, lr=10.0, random_state=0).fit(X)
    DenoisingAE(max_steps=20, random_state=0).fit(X)  # the default lr trains


def test_the_classifier_reports_divergence_and_refuses_one_row():
    X = np.random.RandomState(0).randn(30, 6)
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(DivergenceError):  # its predictions were all NaN
        EncoderClassifier(Autoencoder(max_steps=20), max_epochs=20, lr=1e30).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):  # its probabilities were NaN
        EncoderClassifier(Autoencoder(max_steps=20), max_epochs=2).fit(X[:1], [1])


def test_a_continued_fit_on_data_far_beyond_its_scale_says_so(small):
    # partial_fit keeps the first chunk's standardisation: a chunk in other
    # units trained on losses 1e8 times the usual ones without a word.
    X, _ = small
    model = Autoencoder(n_components=2, **FAST).partial_fit(X[:100])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.partial_fit(X[100:200])  # more of the same data: no word
    with pytest.warns(UserWarning, match=r"Input X lies far outside .* spread \S+ times"):
        model.partial_fit(X[100:200] * 1e4)
    regressor = EncoderDecoderRegressor(**FAST).partial_fit(X[:100, :32], X[:100, 32:])
    with pytest.warns(UserWarning, match="Input y lies far outside"):
        regressor.partial_fit(X[100:200, :32], X[100:200, 32:] * 1e4)


def _refit_cases():
    """(estimator, a change of parameters its refit fails with, an output) for each wrapper."""
    ae = dict(n_components=2, **FAST)
    yield Autoencoder(**ae), dict(optimizer="sgd", lr=1e6), "transform"
    yield EncoderDecoderRegressor(**FAST), dict(optimizer="sgd", lr=1e6), "predict"
    yield EncoderClassifier(Autoencoder(**ae), max_epochs=3), dict(lr=1e30), "predict_proba"
    yield (
        ReconstructionOutlierDetector(Autoencoder(**ae), n_splits=2),
        dict(estimator__optimizer="sgd", estimator__lr=1e6),
        "score_samples",
    )


@pytest.mark.parametrize("model, failing, output", list(_refit_cases()))
def test_a_refit_that_fails_leaves_the_last_fitted_model_of_every_estimator(model, failing, output):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 6).astype(np.float32)
    y = X[:, :2] @ rng.randn(2, 3) if isinstance(model, EncoderDecoderRegressor) else X[:, 0] > 0
    model.fit(X, y)
    before, state = getattr(model, output)(X), dict(vars(model))
    # Other columns, and a training that diverges: validation had already
    # taken the new width when the old network stayed.
    with pytest.raises(DivergenceError):
        model.set_params(**failing).fit(np.hstack([X, X]) * 100, y)
    assert model.n_features_in_ == 6
    changed = {name for name, value in vars(model).items() if value is not state.get(name)}
    # The parameters are the user's (nested ones change their estimator in place).
    assert changed <= {name.split("__")[0] for name in failing}
    np.testing.assert_array_equal(getattr(model, output)(X), before)


def test_the_classifier_names_an_autoencoder_it_cannot_use():
    X = np.random.RandomState(0).randn(30, 6)
    y = (X[:, 0] > 0).astype(int)
    for autoencoder in (PCA(2), EncoderDecoderRegressor(max_steps=5)):
        with pytest.raises(TypeError, match="autoencoder must be a skae autoencoder"):
            EncoderClassifier(autoencoder, max_epochs=2).fit(X, y)


def test_data_whose_spread_float32_cannot_hold_is_refused():
    X = np.random.RandomState(0).randn(30, 6) * 1e-39  # SparseAE returned NaN here
    with pytest.raises(ValueError, match="varies too little for float32"):
        SparseAE(max_steps=20).fit(X)
    # The cross-entropy's map into [0, 1] took such data for constant ones.
    with pytest.raises(ValueError, match="varies too little for float32"):
        Autoencoder(loss="bce", max_steps=5).fit(X)
    for loss in ("mse", "bce"):  # constant data is still fine
        Autoencoder(loss=loss, max_steps=5).fit(np.full((30, 6), 3.0))


def test_the_detector_needs_folds_it_can_hold_rows_out_of():
    rng = np.random.RandomState(0)
    X = rng.randn(100, 4)
    # 50 folds of 2 rows: every fresh inlier was flagged (in-sample distances).
    detector = ReconstructionOutlierDetector(n_splits=50, random_state=0).fit(X)
    assert (detector.predict(rng.randn(200, 4)) == -1).mean() < 0.2
    with pytest.raises(ValueError, match="minimum of 4"):
        ReconstructionOutlierDetector(random_state=0).fit(X[:3])


def test_latent_interpolation_takes_one_sample_per_end(fitted, small):
    X = small[1]
    with pytest.raises(ValueError, match="x_end must be one sample"):
        latent_interpolation(fitted, X[0], X[1:3])
    assert latent_interpolation(fitted, X[:1], X[1], n_steps=3).shape == (3, X.shape[1])
    for bad in (1, 2.5, True):  # failed inside numpy, or returned one point for True
        with pytest.raises(ValueError, match=f"n_steps must be an integer of at least 2.*{bad}"):
            latent_interpolation(fitted, X[0], X[1], n_steps=bad)


def test_settings_that_were_read_otherwise_are_refused_by_name():
    """Each was accepted and read as something else, or failed inside torch."""
    X = np.random.RandomState(0).rand(30, 12)
    with pytest.raises(ValueError, match="image_shape must be .* positive integers"):
        ConvAE(2, image_shape=(4.5, 3.5), max_epochs=1).fit(X)  # fitted a (4, 3) image
    assert ConvAE(2, image_shape=(4.0, 3.0), max_epochs=1).fit(X).image_shape == (4.0, 3.0)
    with pytest.raises(ValueError, match="k=10 is more than n_components=4"):
        SparseAE(4, k=10, max_epochs=1).fit(X)  # behaved as k=4
    SparseAE(4, k=10, sparsity="l1", max_epochs=1).fit(X)  # k is top-k's alone
    with pytest.raises(ValueError, match="n_samples must be a positive integer, got True"):
        VAE(2, max_epochs=1).fit(X).sample(True)  # a TypeError inside torch
    with pytest.raises(ValueError, match="net_params sets batch_size, lr, which Autoencoder"):
        Autoencoder(2, net_params={"lr": 5.0, "batch_size": 4}).fit(X)  # "multiple values"
    with pytest.raises(ValueError, match=r"output_image_shape=\(5, 5\) holds 25 values.* 8 col"):
        EncoderDecoderRegressor(2, output_image_shape=(5, 5), max_epochs=1).fit(X, X[:, :8])


def test_latent_interpolation_takes_dataframe_rows_and_pandas_output():
    """Rows of a DataFrame keep their names (a fitted model warned of none), and
    transform's pandas output is read as an array (it failed on .dtype)."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(np.random.RandomState(0).rand(40, 4), columns=list("abcd"))
    model = Autoencoder(2, **FAST).fit(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        path = latent_interpolation(model, frame.iloc[0], frame.iloc[1], n_steps=4)
        model.set_output(transform="pandas")
        np.testing.assert_allclose(
            latent_interpolation(model, frame.iloc[[0]], frame.iloc[[1]], n_steps=4), path
        )
    np.testing.assert_allclose(path[[0, -1]], model.inverse_transform(model.transform(frame[:2])))


def test_a_vae_with_a_fitted_prior_needs_two_rows():
    X = np.random.RandomState(0).randn(5, 6)
    vae = VAE(max_steps=5)
    with pytest.raises(ValueError, match="minimum of 2 is required by VAE"):
        vae.fit(X[:1])  # it failed inside GaussianMixture, half fitted
    assert not hasattr(vae, "net_")
    VAE(prior="normal", max_steps=5).fit(X[:1])


def test_the_regressor_refuses_a_new_target_width_in_partial_fit():
    X = np.random.RandomState(0).randn(20, 4)
    model = EncoderDecoderRegressor(max_steps=5).partial_fit(X, X[:, :2])
    with pytest.raises(ValueError, match="y has 3 columns; the model was fitted on 2"):
        model.partial_fit(X, X[:, :3])
    # A refused call leaves the fitted model as it was: a 1-D target's
    # predictions stay 1-D (they became (n, 1) after a refused y).
    model = EncoderDecoderRegressor(max_steps=5).fit(X, X[:, 0])
    for refused in (X[:, :3], np.r_[1e300, X[1:, 0]]):
        with pytest.raises(ValueError):
            model.partial_fit(X, refused)
        assert model.predict(X).shape == (20,)


def test_a_parameter_changed_in_place_after_fit_is_seen_as_changed():
    """A list or dict parameter changed in place, not through set_params, is a change
    too: the copy rebuilds the fitted network, and a continued fit refuses it (the
    fitted parameters held the same list, so nothing looked changed)."""
    X = np.random.RandomState(0).randn(40, 5)
    model = Autoencoder(2, hidden_layer_sizes=[8], net_params={}, **FAST).fit(X)
    codes = model.transform(X)
    model.hidden_layer_sizes.append(6)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).transform(X), codes)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes changed.*\[8\]"):
        model.partial_fit(X)
    model.hidden_layer_sizes.pop()
    model.net_params["iterator_train__shuffle"] = False
    with pytest.raises(ValueError, match=r"net_params changed"):
        model.partial_fit(X)


def test_a_copy_after_set_params_is_the_fitted_model():
    """pickle and deepcopy rebuild the network the model was fitted with, not one from
    parameters set since (another activation gave other codes, other layer sizes a
    pickle that did not load); inverse_transform takes the fitted code width, and
    score_samples the fitted objective."""
    X = np.random.RandomState(0).randn(60, 5)
    model = Autoencoder(2, init="random", early_stopping=False, max_steps=40, random_state=0)
    codes, scores = model.fit(X).transform(X), model.score_samples(X)
    changes = {"activation": "tanh"}, {"hidden_layer_sizes": (7,)}, {"n_components": 3}
    for change in (*changes, {"loss": "bce"}):
        model.set_params(**change)
        for copied in (model, pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
            np.testing.assert_array_equal(copied.transform(X), codes)
            assert copied.inverse_transform(codes).shape == X.shape
            # Scored with the squared error it was fitted with, not the new loss.
            np.testing.assert_allclose(copied.score_samples(X), scores, rtol=1e-6)
    # A classifier on such an autoencoder sizes its head by the fitted code (its
    # pickle did not load: a head for 3 codes where the encoder gives 2).
    classifier = EncoderClassifier(model, max_epochs=1, random_state=0).fit(X, X[:, 0] > 0)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(classifier)).predict_proba(X), classifier.predict_proba(X)
    )


@pytest.mark.parametrize(
    "model, change",
    [
        (Autoencoder(2), {"activation": "tanh"}),
        (Autoencoder(2), {"loss": "bce"}),
        (Autoencoder(2), {"lr": 0.1}),
        (Autoencoder(2), {"batch_size": 8}),
        (SparseAE(8, k=1), {"k": 4}),
        (SparseAE(8), {"sparsity": "kl"}),
        (VAE(2), {"likelihood": "bernoulli"}),
        (DenoisingAE(2), {"noise_level": 0.2}),
        (Autoencoder(2), {"verbose": 1}),  # the net was built silent: it stayed silent
    ],
    ids=lambda value: str(value) if isinstance(value, dict) else type(value).__name__,
)
def test_a_continued_fit_refuses_what_its_network_cannot_honour(model, change):
    """warm_start and partial_fit trained on with the old setting without a word (a
    k=1 top-k code stayed at one unit after k=4), while scoring read the new one."""
    X = np.random.RandomState(0).rand(40, 6)
    model.set_params(warm_start=True, max_steps=10, random_state=0).fit(X)
    name = next(iter(change))
    for method in ("fit", "partial_fit"):
        with pytest.raises(ValueError, match=f"{name} changed since the network was built"):
            getattr(copy.deepcopy(model).set_params(**change), method)(X)
    # What a continued fit reads afresh may change, and takes effect.
    before = model.n_iter_
    model.set_params(max_steps=1000, max_epochs=3, n_iter_no_change=1000).fit(X)
    assert model.n_iter_ == before + 3  # max_epochs=3 caps the continued budget


def test_partial_fit_trains_every_row_of_its_chunk_at_a_constant_lr():
    X = np.random.RandomState(0).randn(60, 5)
    model = Autoencoder(2, max_steps=200, random_state=0).fit(X)  # holds 10 rows out
    assert model._holdout_used
    model.partial_fit(X)
    assert sum(b.get("train_batch_size", 0) for b in model.history_[-1]["batches"]) == 60
    # At lr, not where the fit's cosine ended (near zero): the epoch moved the weights.
    assert model.net_.optimizer_.param_groups[0]["lr"] == model.lr
    model.partial_fit(X[:1])  # a 1-row chunk: it failed over validation_fraction=0.5
    fresh = Autoencoder(2, early_stopping=True, random_state=0).partial_fit(X)
    assert fresh._holdout_used is None and fresh.history_[-1]["train_batch_count"] == 1
    # validation_scores_ stays one per epoch, NaN where nothing was held out.
    scores = model.validation_scores_
    assert len(scores) == len(model.loss_curve_) and np.isnan(scores[-2:]).all()
    assert not np.isnan(scores[0])


def test_small_partial_fit_chunks_move_the_calibrations_little(small):
    """After four chunks of 75 rows, one of a row or two set a VAE's latent scale,
    noise variance and mixture prior, and SparseAE's code scale and unit activity,
    from its own rows; a top-k SparseAE also re-aimed every unit outside that row's
    top k at it, so that 48 of its 64 units counted dead. A run of three small chunks
    moves them little too (each one is joined to the largest chunk's)."""
    X = small[0]
    vae, sparse = VAE(4, random_state=0), SparseAE(64, random_state=0)
    for model in (vae, sparse):
        for chunk in np.array_split(X, 4):
            model.partial_fit(chunk)

    def latent_moment():
        return vae._batched(lambda m, batch: _second_moment(*m.posterior(batch)), X).mean(0)

    moment, noise, prior = latent_moment(), vae.noise_variance_, vae.prior_
    vae.partial_fit(X[:2])
    assert vae.prior_ is prior  # a mixture fitted to 2 rows does not replace it
    # Seeds 0-2: 0.04-0.07 in log and 0.4% (before: 0.17-0.54 and 13-15%).
    assert np.abs(np.log(latent_moment() / moment)).max() < 0.1
    assert vae.noise_variance_ == pytest.approx(noise, rel=0.02)
    for start in (2, 4):
        vae.partial_fit(X[start : start + 2])
    assert vae.noise_variance_ == pytest.approx(noise, rel=0.015)  # 0.3-0.6% (2.1-3.9%)
    codes = sparse.transform(X)
    for row in range(3):
        sparse.partial_fit(X[row : row + 1])
    # Seeds 0-2: 15% (before: 110-113%).
    assert np.abs(sparse.transform(X) - codes).mean() < 0.3 * np.abs(codes).mean()
    assert sparse.dead_units_ == 0


def test_revival_judges_every_epoch_of_a_fit_and_forgets_one_that_did_not_end(small):
    """A fit's epoch is every training row, so each is judged, however few the rows
    (ten rows per unit applies to partial_fit chunks). An epoch cut short (early
    stopping raises inside skorch's loop) is not carried into the next call."""
    model = SparseAE(64, k=1, max_epochs=2, early_stopping=False, random_state=0)
    assert model.fit(small[0][:50]).history_[0, "revived_units"] > 0
    revive = ReviveDeadUnits(min_rows=100).initialize()
    revive.on_epoch_begin(None)
    code = SimpleNamespace(code=torch.tensor([[1.0, 0.0]]))
    revive.on_batch_end(None, batch=(torch.zeros(1, 3),), training=True, y_pred=code)
    revive.on_epoch_begin(None)  # no on_epoch_end in between
    assert revive.fired_ is None and revive.seen_ == 0


def test_a_model_saved_before_the_parameters_were_recorded_still_keeps_its_shape(small):
    """Files written before _built_params: the continued fit's check reads the shapes
    they kept (_built_structure), where it accepted any change; and a top-k SparseAE
    saved with k above its code still loads, as it behaved (all units)."""
    X = small[0]
    model = Autoencoder(2, max_steps=5, random_state=0).fit(X)
    state = model.__getstate__()
    del state["_built_params"]
    state["_built_structure"] = {
        "architecture": "mlp", "n_components": 2, "hidden_layer_sizes": (256, 64)
    }  # fmt: skip
    old = Autoencoder.__new__(Autoencoder)
    old.__setstate__(state)
    with pytest.raises(ValueError, match="n_components changed since the network was built"):
        old.set_params(n_components=5).partial_fit(X)
    # Fitted with k=4, the most its 4 units allow: what k=10 gave before fit refused it.
    sparse = SparseAE(4, sparsity="topk", k=4, max_steps=5, random_state=0).fit(X)
    sparse.k = sparse._built_params["k"] = 10
    loaded = pickle.loads(pickle.dumps(sparse))
    np.testing.assert_array_equal(loaded.transform(X), sparse.transform(X))


def test_linear_ae_on_three_rows_says_pcas_error_is_zero():
    # Three rows have rank 2: PCA(2)'s error is float noise, and the ratio to
    # it was reported as "6.7e+23x PCA's training error".
    X = np.random.RandomState(0).randn(3, 6)
    with pytest.warns(ConvergenceWarning, match="where PCA's is zero"):
        model = LinearAE(n_components=2, max_steps=50, random_state=0).fit(X)
    assert model.pca_error_ratio_ == np.inf


# -- Found by probing scikit-learn's tooling ----------------------------------


def test_fits_in_threads_give_the_fit_made_alone():
    # torch's generator is the process's: two fits in threads reseeded and drew
    # from each other's, and each gave a different model (up to 4.3 apart).
    X = np.random.RandomState(0).randn(200, 6)

    def fit():
        return DenoisingAE(3, max_steps=60, random_state=0).fit(X).transform(X)

    alone, state = fit(), torch.get_rng_state()
    in_threads = Parallel(n_jobs=2, backend="threading")(delayed(fit)() for _ in range(4))
    for codes in in_threads:
        np.testing.assert_array_equal(codes, alone)
    assert torch.equal(torch.get_rng_state(), state)


def test_a_float64_torch_default_builds_the_same_float32_network():
    X = np.random.RandomState(0).randn(100, 6)
    expected = Autoencoder(2, max_steps=20, random_state=0).fit(X).transform(X)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # the layers were built in it, fed float32
    try:
        model = Autoencoder(2, max_steps=20, random_state=0).fit(X)
        codes = model.transform(X)
        assert torch.get_default_dtype() == torch.float64  # the caller's, left alone
        loaded = pickle.loads(pickle.dumps(model))  # rebuilt at load: in float32 too
        assert loaded.transform(X.astype(np.float32)).dtype == np.float32
        vae = VAE(2, likelihood="bernoulli", max_steps=5).fit(np.abs(X) / np.abs(X).max())
        assert all(b.dtype == torch.float32 for b in vae.net_.module_.buffers())  # calibrated
    finally:
        torch.set_default_dtype(previous)
    np.testing.assert_array_equal(codes, expected)


def test_reversed_views_are_taken_as_they_are():
    X = np.random.RandomState(0).randn(100, 6).astype(np.float32)
    model = Autoencoder(2, max_steps=20, random_state=0).fit(X[::-1])  # torch refused these
    np.testing.assert_allclose(model.transform(X[::-1]), model.transform(X)[::-1], atol=1e-6)
    assert model.transform(X[:, ::-1]).shape == (100, 2)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_continued_fit_refuses_a_network_of_another_shape(method):
    X = np.random.RandomState(0).randn(100, 6)
    model = Autoencoder(2, warm_start=True, max_steps=20, random_state=0)
    getattr(model, method)(X)
    # It trained the old 2-unit network on: transform gave 2 columns, the names 4.
    with pytest.raises(ValueError, match=r"n_components changed .*\(n_components=2\)"):
        getattr(model.set_params(n_components=4), method)(X)
    model.set_params(warm_start=False).fit(X)
    assert model.transform(X).shape == (100, 4) and len(model.get_feature_names_out()) == 4


def test_the_classifier_needs_two_labelled_classes_and_keeps_a_frozen_autoencoder():
    X = np.random.RandomState(0).randn(60, 6)
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match="at least 2 classes"):  # it predicted 1 everywhere
        EncoderClassifier(Autoencoder(2, max_steps=20), max_epochs=2).fit(X, np.where(y, 1, -1))
    pretrained = Autoencoder(2, max_steps=20, random_state=0).fit(X[:30])  # not on X
    frozen = clone(EncoderClassifier(FrozenEstimator(pretrained), fine_tune=False, max_epochs=2))
    frozen.fit(X, y)  # clone keeps the autoencoder fitted: it is used, not refitted on X
    np.testing.assert_array_equal(frozen.autoencoder_.transform(X), pretrained.transform(X))


def test_dataframes_pass_through_the_regressor_and_classifier_without_warnings():
    pd = pytest.importorskip("pandas")
    X = np.random.RandomState(0).randn(60, 4)
    frame = pd.DataFrame(X, columns=list("abcd"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "X does not have valid feature names" at every fit
        EncoderDecoderRegressor(2, max_steps=20).fit(frame, X[:, 0]).partial_fit(frame, X[:, 0])
        pretrained = Autoencoder(2, max_steps=20).fit(frame)
        EncoderClassifier(pretrained, max_epochs=2).fit(frame, (X[:, 0] > 0).astype(int))
    with pytest.raises(ValueError, match="not the ones the fitted autoencoder"):
        EncoderClassifier(pretrained, max_epochs=2).fit(frame[list("dcba")], X[:, 0] > 0)


def test_a_continued_conv_fit_compares_shapes_given_as_arrays():
    X = np.random.RandomState(0).rand(40, 16).astype(np.float32)
    model = ConvAE(2, image_shape=np.array([4, 4]), max_steps=5).partial_fit(X)
    model.partial_fit(X)  # "the truth value of an array is ambiguous"
    model.set_params(image_shape=[4, 4]).partial_fit(X)  # a list of the same shape
    assert model.n_iter_ == 3  # each call continued the same network
    assert model.transform(X).shape == (40, 2)
    with pytest.raises(ValueError, match="image_shape"):  # a different shape does not pass
        model.set_params(image_shape=(2, 8)).partial_fit(X)
