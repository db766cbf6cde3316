"""Drop-in use: clone, search, pipelines, pandas output, persistence, controls."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import torch
from _seeds import FAST_THEN_SLOW_SEEDS
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback, Checkpoint, EarlyStopping, LRScheduler
from torch.optim.lr_scheduler import ReduceLROnPlateau

from skae import Autoencoder, LinearAE, SparseAE
from skae._data import ArrayDataset, HoldoutSplit

FAST = dict(max_epochs=5, random_state=0)


def test_clone_keeps_parameters_and_drops_fitted_state(small):
    ae = Autoencoder(n_components=3, hidden_layer_sizes=(16,), **FAST).fit(small[0])
    twin = clone(ae)
    assert twin.get_params() == ae.get_params()
    assert not hasattr(twin, "net_")


def test_grid_search_over_n_components_picks_the_larger_code(small):
    X, _ = small
    search = GridSearchCV(LinearAE(max_epochs=30, random_state=0), {"n_components": [1, 8]}, cv=2)
    # 30 epochs are too few for the 8th principal direction of unscaled
    # digits, on purpose (a fast test): the fit must say so, and the search
    # must still rank the codes, and the warning names the limit to raise.
    with pytest.warns(ConvergenceWarning, match="not found the principal subspace.*max_epochs=30"):
        search.fit(X)
    assert search.best_params_ == {"n_components": 8}
    assert search.cv_results_["mean_test_score"].shape == (2,)


def test_pipeline_into_logistic_regression_and_search_over_ae_params(digits):
    X_train, X_test, y_train, y_test = digits
    pipe = Pipeline([("ae", Autoencoder(**FAST)), ("clf", LogisticRegression(max_iter=500))])
    search = GridSearchCV(pipe, {"ae__n_components": [2, 16]}, cv=2).fit(X_train, y_train)
    assert search.best_params_ == {"ae__n_components": 16}
    assert search.score(X_test, y_test) > 0.8


def test_set_output_pandas_names_the_code_columns(small):
    pd = pytest.importorskip("pandas")
    X, X_test = small
    ae = Autoencoder(n_components=3, **FAST).set_output(transform="pandas").fit(X)
    out = ae.transform(X_test)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["autoencoder0", "autoencoder1", "autoencoder2"]
    assert list(LinearAE(n_components=2, **FAST).fit(X).get_feature_names_out()) == [
        "linearae0",
        "linearae1",
    ]


def test_dataframe_feature_names_are_kept(small):
    pd = pytest.importorskip("pandas")
    X, _ = small
    frame = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(X.shape[1])])
    ae = Autoencoder(**FAST).fit(frame)
    assert list(ae.feature_names_in_) == list(frame.columns)


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_persistence_round_trip_gives_identical_transform(small, dump, tmp_path):
    X, X_test = small
    ae = Autoencoder(**FAST).fit(X)
    if dump == "pickle":
        loaded = pickle.loads(pickle.dumps(ae))
    else:
        joblib.dump(ae, tmp_path / "ae.joblib")
        loaded = joblib.load(tmp_path / "ae.joblib")
    np.testing.assert_array_equal(loaded.transform(X_test), ae.transform(X_test))
    np.testing.assert_array_equal(loaded.score_samples(X_test), ae.score_samples(X_test))
    assert loaded.loss_curve_ == ae.loss_curve_


@pytest.mark.parametrize(
    "trained_on",
    [
        "cpu-marked-cuda",
        pytest.param(
            "cuda",
            marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
        ),
    ],
)
def test_gpu_trained_model_loads_on_a_cpu_only_machine(small, trained_on, monkeypatch):
    """A model whose net says "cuda" unpickles onto the CPU and transforms there.

    Without a GPU the model is trained on the CPU and then marked as a CUDA one,
    which is what skorch records for a GPU-trained net; with a GPU the model is
    really trained there.
    """
    X, X_test = small
    device = "cuda" if trained_on == "cuda" else "cpu"
    ae = Autoencoder(**FAST, device=device).fit(X)
    expected = ae.transform(X_test)
    ae.net_.device = "cuda"
    payload = pickle.dumps(ae)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skorch's DeviceWarning says what it does
        loaded = pickle.loads(payload)
    assert str(loaded.net_.device) == "cpu"
    assert {p.device.type for p in loaded.net_.module_.parameters()} == {"cpu"}
    np.testing.assert_allclose(loaded.transform(X_test), expected, rtol=1e-5, atol=1e-6)


def test_device_cuda_without_gpu_is_a_clear_error(small, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="device='cuda'.*device='cpu'"):
        Autoencoder(device="cuda", **FAST).fit(small[0])
    ae = Autoencoder(device="auto", **FAST).fit(small[0])
    assert str(ae.net_.device) == "cpu"


@pytest.mark.parametrize("seed", FAST_THEN_SLOW_SEEDS)
def test_partial_fit_trains_one_epoch_per_call(small, seed):
    X, X_test = small
    ae = Autoencoder(random_state=seed)
    ae.partial_fit(X)
    first = ae.score(X_test)
    for _ in range(10):
        ae.partial_fit(X)
    assert ae.n_iter_ == 11
    assert ae.score(X_test) > first


def test_warm_start_continues_from_current_weights(small):
    X, X_test = small
    ae = Autoencoder(warm_start=True, max_epochs=5, n_iter_no_change=100, random_state=0)
    ae.fit(X)
    assert ae.n_iter_ == 5
    score_after_5 = ae.score(X_test)
    ae.fit(X)
    assert ae.n_iter_ == 10
    assert len(ae.loss_curve_) == 10
    assert ae.score(X_test) > score_after_5
    cold = Autoencoder(max_epochs=5, n_iter_no_change=100, random_state=0).fit(X)
    cold.fit(X)
    assert cold.n_iter_ == 5


def test_early_stopping_stops_and_restores_the_best_weights(small):
    X, _ = small
    ae = Autoencoder(
        early_stopping=True, n_iter_no_change=3, max_epochs=500, lr=1e-2, random_state=0
    ).fit(X)
    assert ae.n_iter_ < 500
    valid_losses = ae.history_[:, "valid_loss"]
    assert len(ae.validation_scores_) == ae.n_iter_
    np.testing.assert_allclose(ae.validation_scores_, -np.array(valid_losses))
    assert int(np.argmin(valid_losses)) < ae.n_iter_ - 1  # it ran past the best epoch
    # The weights in place are the best epoch's: the held-out rows give the
    # best validation loss again.
    _, valid = HoldoutSplit(ae.validation_fraction, ae._seed)(ArrayDataset(torch.from_numpy(X)))
    module = ae.net_.module_.eval()
    with torch.no_grad():
        loss = ae.net_.criterion_(module(valid.X).decoded, module.standardize(valid.X)).item()
    assert loss == pytest.approx(min(valid_losses), rel=1e-4)


def test_training_stops_when_train_loss_stalls_without_early_stopping(small):
    X, _ = small
    ae = Autoencoder(
        n_iter_no_change=2, tol=0.5, max_epochs=100, early_stopping=False, random_state=0
    ).fit(X)
    # The patience spans a quarter of the planned epochs (skae._budget).
    assert ae.n_iter_ <= 25 + 2
    assert not hasattr(ae, "validation_scores_")


def test_verbose_prints_one_line_per_epoch(small, capsys):
    X, _ = small
    Autoencoder(max_epochs=3, n_iter_no_change=10, random_state=0).fit(X)
    assert capsys.readouterr().out == ""
    Autoencoder(max_epochs=3, verbose=1, early_stopping=True, random_state=0).fit(X)
    lines = capsys.readouterr().out.strip().splitlines()
    assert "train_loss" in lines[0] and "valid_loss" in lines[0] and "dur" in lines[0]
    assert len(lines) == 2 + 3 + 1  # header, rule, one line per epoch, the PCA-start verdict
    assert lines[-1].startswith("The trained network did not beat the reference")


def test_net_params_adds_skorch_callbacks(small):
    class CountEpochs(Callback):
        def initialize(self):
            self.epochs = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs += 1

    counter = CountEpochs()
    ae = Autoencoder(
        max_epochs=4,
        n_iter_no_change=10,
        random_state=0,
        net_params={"callbacks": [("count", counter)]},
    ).fit(small[0])
    assert dict(ae.net_.callbacks_)["count"].epochs == 4
    assert "early_stopping" in dict(ae.net_.callbacks_)


def test_partial_fit_says_which_callback_found_no_validation_score(small, tmp_path):
    # partial_fit holds no rows out; skorch's EarlyStopping on valid_loss then
    # failed inside the history with "Key 'valid_loss' was not found in history."
    X, X_test = small

    def watching(monitor, callback=EarlyStopping):
        watcher = callback(monitor=monitor)
        return Autoencoder(
            4, max_epochs=3, random_state=0, net_params={"callbacks": [("watch", watcher)]}
        )

    fitted = watching("valid_loss").fit(X)
    before = fitted.transform(X_test)
    first = watching("valid_loss")
    for model in (fitted, first):  # a continued and a first call
        with pytest.raises(ValueError, match=r"partial_fit holds no rows out.*'valid_loss'"):
            model.partial_fit(X)
    np.testing.assert_array_equal(fitted.transform(X_test), before)
    assert fitted.n_iter_ == len(fitted.history_) == 3
    assert not hasattr(first, "net_")
    # skorch's Checkpoint wraps the history's KeyError in a SkorchException.
    checkpoint = watching("valid_loss_best", lambda monitor: Checkpoint(monitor, dirname=tmp_path))
    with pytest.raises(ValueError, match=r"partial_fit holds no rows out.*'valid_loss_best'"):
        checkpoint.partial_fit(X)
    # skorch's LRScheduler raises its own ValueError, naming a Scoring callback.
    plateau = watching(
        "valid_loss", lambda monitor: LRScheduler(ReduceLROnPlateau, monitor=monitor)
    )
    with pytest.raises(ValueError, match=r"partial_fit holds no rows out.*'valid_loss'"):
        plateau.partial_fit(X)
    # A callback that watches a training score serves partial_fit as it is.
    assert watching("train_loss").partial_fit(X).partial_fit(X).n_iter_ == 2


@pytest.mark.parametrize(
    "Estimator, early_stopping, n_rows, reason",
    [
        (Autoencoder, False, 200, "early_stopping=False holds no rows out"),
        # Autoencoder's "auto" holds rows out for its judge on few rows too.
        (SparseAE, "auto", 60, "early_stopping='auto' holds no rows out of fewer than 100 rows"),
    ],
)
def test_fit_without_holdout_says_which_callback_found_no_validation_score(
    small, Estimator, early_stopping, n_rows, reason
):
    # A fit that holds no rows out gave skorch's bare "Key 'valid_loss' was not
    # found in history." to a user's EarlyStopping on valid_loss.
    X, _ = small
    model = Estimator(
        4,
        max_epochs=2,
        early_stopping=early_stopping,
        random_state=0,
        net_params={"callbacks": [("watch", EarlyStopping(monitor="valid_loss"))]},
    )
    with pytest.raises(ValueError, match=rf"{reason}.*'valid_loss'.*True"):
        model.fit(X[:n_rows])
    assert not hasattr(model, "net_")
    # With rows held out, the same callback reads their scores.
    assert model.set_params(early_stopping=True).fit(X[:n_rows]).n_iter_ <= 2
