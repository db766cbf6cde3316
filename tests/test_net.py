"""The skorch layer: penalties in get_loss, the fast batch path, divergence."""

import numpy as np
import pytest
import torch

from skae import Autoencoder, DivergenceError, SparseAE
from skae._data import ArrayDataset, BatchIterator, HoldoutSplit


class ConstantPenalty:
    """Adds a constant, so the loss must rise by exactly that much."""

    name = "constant"

    def __init__(self, value):
        self.value = value

    def __call__(self, output, X, module):
        return torch.tensor(self.value)


class CodeNorm:
    """A toy regulariser: weight * mean squared code."""

    name = "code_norm"

    def __init__(self, weight):
        self.weight = weight

    def __call__(self, output, X, module):
        return self.weight * output.code.pow(2).mean()


class WithPenalties(Autoencoder):
    """How a variant adds penalties: data, not a new net or training step."""

    def __init__(self, penalties=(), n_components=2, max_epochs=30, random_state=0):
        super().__init__(
            n_components=n_components,
            max_epochs=max_epochs,
            random_state=random_state,
            n_iter_no_change=100,
        )
        self.penalties = penalties

    def _penalties(self, X):
        return list(self.penalties)


def test_penalty_is_added_to_the_loss_and_recorded(small):
    X, _ = small
    plain = WithPenalties(max_epochs=3).fit(X)
    shifted = WithPenalties([ConstantPenalty(5.0)], max_epochs=3).fit(X)
    # A constant has no gradient: same weights, loss shifted by exactly 5.
    np.testing.assert_allclose(
        np.array(shifted.loss_curve_) - np.array(plain.loss_curve_), 5.0, rtol=1e-5
    )
    recorded = shifted.history_[-1, "batches", :, "train_constant"]
    assert recorded == [5.0] * len(recorded) and len(recorded) > 0


def test_penalty_changes_what_is_learned(small):
    X, X_test = small
    plain = WithPenalties().fit(X)
    shrunk = WithPenalties([CodeNorm(10.0)]).fit(X)
    norm = lambda m: np.mean(m.transform(X_test) ** 2)  # noqa: E731
    assert norm(shrunk) < 0.2 * norm(plain)


def test_batches_cover_every_row_once_and_shuffle():
    X = torch.arange(10.0).reshape(10, 1)
    it = BatchIterator(ArrayDataset(X), batch_size=4, shuffle=True)
    assert len(it) == 3
    orders = [tuple(torch.cat([b for b, _ in it]).flatten().tolist()) for _ in range(5)]
    assert all(sorted(order) == list(range(10)) for order in orders)
    assert len(set(orders)) > 1  # a new permutation each pass
    assert [len(b) for b, _ in it] == [4, 4, 2]
    ordered = torch.cat([b for b, _ in BatchIterator(ArrayDataset(X), 3)]).flatten()
    assert torch.equal(ordered, X.flatten())


def test_training_never_fetches_rows_one_by_one(small, monkeypatch):
    def forbidden(self, i):
        raise AssertionError("per-row __getitem__ was used")

    monkeypatch.setattr(ArrayDataset, "__getitem__", forbidden)
    Autoencoder(max_epochs=2, early_stopping=True, random_state=0).fit(small[0])


def test_holdout_split_is_seeded_and_disjoint():
    X = torch.arange(20.0).reshape(20, 1)
    train, valid = HoldoutSplit(0.25, seed=3)(ArrayDataset(X))
    again, _ = HoldoutSplit(0.25, seed=3)(ArrayDataset(X))
    assert len(valid) == 5 and len(train) == 15
    assert torch.equal(train.X, again.X)
    assert set(train.X.flatten().tolist()).isdisjoint(valid.X.flatten().tolist())


def test_diverging_fit_names_the_epoch_and_suggests_lower_lr(small):
    X, _ = small
    ae = Autoencoder(optimizer="sgd", lr=1e6, max_epochs=5, random_state=0)
    with pytest.raises(DivergenceError, match=r"epoch 1\..*lower lr \(it is 1e\+06\)"):
        ae.fit(X * 100)
    assert not hasattr(ae, "net_")


@pytest.mark.filterwarnings("ignore:Input X lies far outside")  # what the test feeds it
def test_diverging_continuation_restores_the_previous_weights(small):
    X, X_test = small
    ae = Autoencoder(max_epochs=2, random_state=0).fit(X)
    before = ae.transform(X_test)
    ae.net_.set_params(lr=1e12, optimizer__lr=1e12)
    for group in ae.net_.optimizer_.param_groups:
        group["lr"] = 1e12
    with pytest.raises(DivergenceError):
        ae.partial_fit(X * 1e6)
    after = ae.transform(X_test)
    assert np.isfinite(after).all()
    np.testing.assert_array_equal(before, after)


@pytest.mark.filterwarnings("ignore:Input X lies far outside")  # what the test feeds it
def test_a_stream_goes_on_after_a_chunk_that_diverged_as_if_it_had_not_come(small):
    # One row far outside the first chunk's scale makes a chunk's loss infinite.
    # The diverging step left Adam's moments NaN: every later chunk diverged too.
    X, X_test = small
    bad = X[100:200].copy()
    bad[0, 0] = 1e30

    def stream(chunks):
        ae = Autoencoder(n_components=4, random_state=0)
        for chunk in chunks:
            try:
                ae.partial_fit(chunk)
            except DivergenceError:
                assert chunk is bad
        return ae

    clean = stream([X[:100], X[100:]])
    interrupted = stream([X[:100], bad, X[100:]])
    assert interrupted.n_iter_ == len(interrupted.history_) == 2
    np.testing.assert_array_equal(interrupted.transform(X_test), clean.transform(X_test))


@pytest.mark.filterwarnings("ignore:Input X lies far outside")  # what the test feeds it
def test_a_top_k_stream_keeps_the_rows_its_judgement_waits_on_past_a_chunk_that_diverged(
    digits,
):
    # A top-k SparseAE judges dead units on 160 rows here, over 8 chunks of 20; a
    # diverging chunk after the 4th made it forget the 80 rows counted so far.
    chunks = np.array_split(digits[0][:600], 30)
    bad = chunks[3].copy()
    bad[0, 0] = 1e30

    def stream(chunks):
        model = SparseAE(n_components=64, sparsity="topk", k=4, random_state=0)
        for chunk in chunks:
            try:
                model.partial_fit(chunk)
            except DivergenceError:
                assert chunk is bad
        return model

    clean = stream(chunks)
    interrupted = stream([*chunks[:4], bad, *chunks[4:]])
    revivals = [[epoch.get("revived_units") for epoch in m.history_] for m in (clean, interrupted)]
    assert any(revivals[0]) and revivals[0] == revivals[1]
    np.testing.assert_array_equal(interrupted.transform(digits[1]), clean.transform(digits[1]))


def test_a_continuation_that_fails_after_training_returns_the_network(small, monkeypatch):
    # The calibrations after training (SparseAE's code scale) change the module
    # in place; a failure there, or an interrupt, left the trained weights and
    # the extra epochs behind the estimator's restored n_iter_.
    X, X_test = small
    model = SparseAE(n_components=16, max_epochs=2, random_state=0).fit(X)
    before, epochs = model.transform(X_test), model.n_iter_

    def failing(self, X):
        raise RuntimeError("calibration failed")

    monkeypatch.setattr(SparseAE, "_record_diagnostics", failing)
    with pytest.raises(RuntimeError, match="calibration failed"):
        model.partial_fit(X)
    monkeypatch.undo()
    assert model.n_iter_ == len(model.history_) == epochs
    np.testing.assert_array_equal(model.transform(X_test), before)


def test_adam_is_fused_where_torch_has_it_and_takes_the_same_steps(small):
    X = small[0]
    settings = dict(n_components=4, max_epochs=3, random_state=0, device="cpu")
    fused = Autoencoder(**settings).fit(X)
    unfused = Autoencoder(**settings, net_params={"optimizer__fused": False}).fit(X)
    cpu_fused = tuple(map(int, torch.__version__.split(".")[:2])) >= (2, 4)
    assert fused.net_.optimizer_.defaults["fused"] is cpu_fused
    assert not unfused.net_.optimizer_.defaults["fused"]
    # One kernel per step instead of one per tensor: the same update, to rounding.
    np.testing.assert_allclose(fused.transform(X), unfused.transform(X), rtol=1e-3, atol=1e-4)


def test_a_silent_fit_builds_no_log_table(small, capsys):
    X = small[0]
    silent = Autoencoder(n_components=4, max_epochs=2, random_state=0).fit(X)
    assert "print_log" not in dict(silent.net_.callbacks_)
    Autoencoder(n_components=4, max_epochs=2, verbose=1, random_state=0).fit(X)
    assert "train_loss" in capsys.readouterr().out
