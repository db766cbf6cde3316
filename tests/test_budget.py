"""The training budget (skae._budget) and the defaults it serves, on data nobody tuned for.

The bars are the issue's: on the small bundled tables (iris, wine), at
defaults, ``LinearAE(k)`` within 2% of ``PCA(k)``'s held-out error and 10° of
its subspace, ``Autoencoder(k)`` no worse than 1.02× PCA's, for every k in
1..min(5, n_features - 1) and three seeds of the split (seed 0 in the fast suite,
1 and 2 in the slow tier, which CI runs after it). The same bars on
breast cancer, diabetes and digits are measured in
``benchmarks/defaults_panel.py``.
"""

import copy
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from _seeds import FAST_THEN_SLOW_SEEDS
from scipy.linalg import subspace_angles
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_linnerud,
    load_wine,
    make_classification,
)
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import EarlyStopping
from skorch.history import History

from skae import Autoencoder, LinearAE, SparseAE, _budget
from skae._base import BaseAutoencoder
from skae._budget import MAX_STEPS, MIN_STEPS, CosineDecay, StallStopping, plan_epochs

LOADERS = {"iris": load_iris, "wine": load_wine}
SEEDS = [0, 1, 2]


def standardised_split(name, seed):
    X, _ = LOADERS[name](return_X_y=True)
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return (
        scaler.transform(X_train).astype(np.float32),
        scaler.transform(X_test).astype(np.float32),
    )


def held_out_mse(model, X):
    return float(np.mean((model.inverse_transform(model.transform(X)) - X) ** 2))


def largest_angle(model, pca):
    k = model.n_components
    codes = np.vstack([np.zeros((1, k)), np.eye(k)]).astype(np.float32)
    decoded = model.inverse_transform(codes)
    return np.degrees(subspace_angles((decoded[1:] - decoded[0]).T, pca.components_.T)).max()


def cases():
    for name in LOADERS:
        n_features = LOADERS[name]().data.shape[1]
        for k in range(1, min(5, n_features - 1) + 1):
            yield name, k


@pytest.mark.parametrize("n_rows, batch_size", [(105, 64), (1797, 64), (60_000, 64), (10**6, 64)])
def test_the_budget_follows_the_datas_size(n_rows, batch_size):
    epochs, per_epoch = plan_epochs(n_rows, batch_size, "auto", None)
    steps = epochs * per_epoch
    # Small data get enough steps to converge, large data a few passes.
    assert steps >= MIN_STEPS
    assert steps < MAX_STEPS + per_epoch
    assert epochs <= 100 or per_epoch * 100 < MIN_STEPS
    if n_rows >= 10**6:
        assert epochs <= 6


def test_max_steps_and_max_epochs_bound_the_fit():
    assert plan_epochs(100, 10, 95, None) == (10, 10)  # rounded up to whole epochs
    assert plan_epochs(100, 10, "auto", 7) == (7, 10)
    X = np.random.default_rng(0).normal(size=(100, 4)).astype(np.float32)
    model = LinearAE(n_components=2, max_steps=30, batch_size=10, random_state=0).fit(X)
    assert model.n_iter_ <= 3
    assert sum(len(epoch["batches"]) for epoch in model.history_) <= 30


def test_cosine_decay_anneals_to_zero_over_the_planned_steps():
    X = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
    model = LinearAE(n_components=2, max_steps=40, batch_size=16, tol=0.0, random_state=0)
    model.fit(X)
    schedule = dict(model.net_.callbacks_)["lr_schedule"]
    assert isinstance(schedule, CosineDecay) and schedule.total_steps == 40
    last_lr = model.net_.optimizer_.param_groups[0]["lr"]
    assert last_lr < 0.01 * model.lr  # the last step is taken at a small rate


def epochs_until_stop(stopper, scores):
    """Epochs a stall rule lets run on a loss that reads ``scores``, epoch by epoch."""
    net = SimpleNamespace(history=History(), verbose=0)
    stopper.on_train_begin(net)
    for epoch, score in enumerate(scores, start=1):
        net.history.new_epoch()
        net.history.record("epoch", epoch)
        net.history.record("train_loss", score)
        try:
            stopper.on_epoch_end(net)
        except KeyboardInterrupt:
            return epoch
    return len(scores)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_loss_that_stalls_stops_the_fit_whatever_its_sign(sign):
    # The best epoch, then epochs a hair worse (within tol of the best): a stall.
    # A Gaussian VAE's learnt variance puts its loss below zero; skorch's own
    # EarlyStopping reads those worse epochs as gains there and never stops.
    scores = [sign * 1.0] + [sign * 1.0 + 0.5e-4] * 20
    stopper = StallStopping(monitor="train_loss", patience=3, threshold=1e-4)
    assert epochs_until_stop(stopper, scores) == 4
    # A gain larger than tol (relative to the loss's size) resets the count.
    gaining = [sign * 1.0 - 1e-3 * epoch for epoch in range(21)]
    assert epochs_until_stop(stopper, gaining) == 21


@pytest.mark.parametrize("lower_is_better", [True, False])
def test_the_stall_rule_is_skorchs_for_a_positive_loss(lower_is_better):
    # A noisy trend whose epoch-to-epoch gains straddle tol * score: some
    # epochs count as gains, others as misses, and the bar moves with each gain.
    rng = np.random.default_rng(0)
    trend = np.linspace(2.0, 1.0, 300) if lower_is_better else np.linspace(1.0, 2.0, 300)
    scores = trend + rng.normal(scale=3e-3, size=300)
    bars, misses = [], []
    for stopper in (StallStopping, EarlyStopping):
        stopper = stopper(
            monitor="train_loss", patience=1000, threshold=1e-3, lower_is_better=lower_is_better
        )
        epochs_until_stop(stopper, scores)
        bars.append(stopper.dynamic_threshold_)
        misses.append(stopper.misses_)
    assert bars[0] == bars[1] and misses[0] == misses[1]
    # Not a trivial agreement: an absolute bar of tol, or none, ends elsewhere.
    for mode, threshold in (("abs", 1e-3), ("rel", 0.0)):
        other = StallStopping(
            monitor="train_loss",
            patience=1000,
            threshold=threshold,
            threshold_mode=mode,
            lower_is_better=lower_is_better,
        )
        epochs_until_stop(other, scores)
        assert other.dynamic_threshold_ != bars[0]


@pytest.mark.parametrize("seed", FAST_THEN_SLOW_SEEDS)
@pytest.mark.parametrize("name, k", list(cases()))
def test_linear_ae_reaches_pca_on_small_tables_at_defaults(name, k, seed):
    X_train, X_test = standardised_split(name, seed)
    pca = PCA(k).fit(X_train)
    model = LinearAE(n_components=k, random_state=seed).fit(X_train)
    ratio = held_out_mse(model, X_test) / held_out_mse(pca, X_test)
    assert ratio <= 1.02, ratio
    assert largest_angle(model, pca) < 10.0


def test_linear_ae_says_when_it_stops_short_of_pca():
    """Raw wine (proline in the hundreds, hue near 1): the third principal variance
    is 1e-4 of the first and a budget of 1,000 steps ends far from PCA; standardised,
    it reaches PCA. ``pca_error_ratio_`` is checked against scikit-learn's PCA."""
    X, _ = load_wine(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="standardise X"):
        raw = LinearAE(n_components=3, max_steps=1000, random_state=0).fit(X)
    pca = PCA(3).fit(X)
    measured = held_out_mse(raw, X) / held_out_mse(pca, X)
    assert raw.pca_error_ratio_ == pytest.approx(measured, rel=1e-3)
    assert raw.pca_error_ratio_ > 1.5  # measured 5.78 (2.04 after 4,000 steps)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        standardised = LinearAE(n_components=3, random_state=0).fit(X)
    assert standardised.pca_error_ratio_ < 1.01
    standardised.partial_fit(X)  # one epoch: not measured (an eigendecomposition per call)
    assert not hasattr(standardised, "pca_error_ratio_")
    # With held-out rows, early stopping keeps the weights best on them, not
    # the optimum on every row: the ratio says so, the fit does not warn.
    X, _ = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        held_out = LinearAE(n_components=1, early_stopping=True, random_state=0).fit(X)
    assert held_out.pca_error_ratio_ > 1.01  # measured 1.043
    # Where n_components reaches the data's rank PCA's error is zero: a short
    # fit is still told apart from a converged one.
    rank_two = make_classification(200, 5, n_informative=2, n_redundant=3, random_state=0)[0]
    with pytest.warns(ConvergenceWarning, match="PCA's is zero"):
        short = LinearAE(n_components=3, max_steps=5, random_state=0).fit(rank_two)
    assert short.pca_error_ratio_ == np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        assert LinearAE(n_components=3, random_state=0).fit(rank_two).pca_error_ratio_ == 1.0


# Slow tier: two and three budgets of 4,000 steps. The fast suite enters the
# same loop in the two tests below, whose second budget diverges or loses ground.
@pytest.mark.slow
@pytest.mark.parametrize(
    "load, k, split_seed",
    [
        (load_wine, 3, None),  # measured 1.000 after 2 budgets
        # Its third budget was stopped by the stall rule a third of the way in,
        # at 1.08x (worse than the second's 1.02x), with a ConvergenceWarning
        # (2026-12-03): a restart's first epochs are its best until the rate
        # falls. Running the budget in full, it ends at 1.000.
        (load_breast_cancer, 4, 1),
    ],
)
def test_linear_ae_goes_on_while_it_is_short_of_pca(load, k, split_seed):
    """Raw tables (wine as above): at the default max_steps="auto" the fit goes on
    with further budgets, each run in full, while it is short of PCA, and ends
    without a warning."""
    X, _ = load(return_X_y=True)
    if split_seed is not None:  # linear_ae_unstandardised.py's 70/30 split
        X = train_test_split(X.astype(np.float32), test_size=0.3, random_state=split_seed)[0]
    seed = split_seed or 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        continued = LinearAE(n_components=k, random_state=seed).fit(X)
    assert continued.pca_error_ratio_ <= 1.01
    epochs, per_epoch = plan_epochs(len(X), continued.batch_size, "auto", None)
    steps = sum(len(epoch["batches"]) for epoch in continued.history_)
    assert steps > epochs * per_epoch and steps % (epochs * per_epoch) == 0


@pytest.mark.parametrize(
    "second_budget_rows, warned",
    [
        # Its rows overflow: it raises, and the weights it lost are restored.
        (lambda X: X * 1e30, ["further budget diverged.*keeps the weights"]),
        # The columns in reverse order, whose principal subspace is another: it
        # ends further from PCA on the real rows (2,430x if kept).
        (lambda X: X[:, ::-1].copy(), []),
    ],
    ids=["diverges", "loses ground"],
)
def test_a_further_budget_that_fails_leaves_linear_ae_at_the_budget_before(
    monkeypatch, second_budget_rows, warned
):
    """Raw wine needs a second budget; here it diverges or loses ground, and the
    fit keeps the first budget, as a solver keeps its best iterate, and warns
    that it is short (and, where it diverged, why)."""
    X, _ = load_wine(return_X_y=True)
    first_budget = []  # its weights and epochs, as it ended
    train = BaseAutoencoder._train

    def failing_second_budget(self, net, X, epochs, Y=None, **kwargs):
        if first_budget:
            return train(self, net, second_budget_rows(X), epochs, Y, **kwargs)
        net = train(self, net, X, epochs, Y, **kwargs)
        first_budget.extend([copy.deepcopy(net.module_.state_dict()), len(net.history)])
        return net

    monkeypatch.setattr(BaseAutoencoder, "_train", failing_second_budget)
    # Budgets of 1,000 steps, not 4,000: as short of PCA after the first, a quarter the cost.
    monkeypatch.setattr(_budget, "MIN_STEPS", 1_000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = LinearAE(n_components=3, random_state=0).fit(X)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    expected = [*warned, "stopped with 5.78x PCA's"]  # one budget: short
    assert len(messages) == len(expected), messages
    for pattern, message in zip(expected, messages, strict=True):
        assert re.search(pattern, message), message
    weights, epochs = first_budget
    for name, value in model.net_.module_.state_dict().items():
        torch.testing.assert_close(value, weights[name], rtol=0, atol=0)
    assert model.n_iter_ == len(model.history_) == len(model.loss_curve_) == epochs
    assert model.pca_error_ratio_ == pytest.approx(5.78, abs=0.005)


# The PCA-start judge (skae._init.KeepReferenceUnlessBetter) both ways, on fits the
# bar below makes anyway: iris k=2, seed 1, where the best epoch beat PCA on
# the 10 held-out rows by chance (t = 0.84) and lost on the test rows (1.28x
# PCA before this rule), returns PCA; iris k=1, seed 0, a significant gain,
# keeps the trained network.
KEEPS_THE_PCA_START = {("iris", 2, 1): True, ("iris", 1, 0): False}


@pytest.mark.parametrize("seed", FAST_THEN_SLOW_SEEDS)
@pytest.mark.parametrize("name, k", list(cases()))
def test_autoencoder_does_no_harm_on_small_nearly_linear_tables(name, k, seed):
    X_train, X_test = standardised_split(name, seed)
    pca = PCA(k).fit(X_train)
    pca_error = held_out_mse(pca, X_test)
    model = Autoencoder(n_components=k, random_state=seed).fit(X_train)
    assert held_out_mse(model, X_test) <= 1.02 * pca_error
    kept_reference = dict(model.net_.callbacks_)["keep_reference"].kept_reference_
    if KEEPS_THE_PCA_START.get((name, k, seed)) is True:
        assert kept_reference
        np.testing.assert_allclose(
            model.inverse_transform(model.transform(X_test)),
            pca.inverse_transform(pca.transform(X_test)),
            atol=1e-4,
        )
    elif KEEPS_THE_PCA_START.get((name, k, seed)) is False:
        assert not kept_reference
        assert held_out_mse(model, X_test) < 0.5 * pca_error


def test_a_random_start_is_judged_against_pcas_solution():
    """With init="random" the judge's reference is still PCA's solution, not the start.

    One epoch from random weights leaves a network far worse than PCA on the
    held-out rows, so the fit must return PCA's solution itself; a judge that
    fell back to its start would return the random network.
    """
    X_train, X_test = standardised_split("iris", 0)
    pca = PCA(2).fit(X_train)
    model = Autoencoder(n_components=2, init="random", max_epochs=1, random_state=0)
    model.fit(X_train)
    assert dict(model.net_.callbacks_)["keep_reference"].kept_reference_
    np.testing.assert_allclose(
        model.inverse_transform(model.transform(X_test)),
        pca.inverse_transform(pca.transform(X_test)),
        atol=1e-4,
    )
    assert not hasattr(model, "_linear_reference")  # the fit does not keep a copy


def fewer_rows_than_a_holdout(name, seed):
    """A 70/30 split, standardised, whose training part is below 10 / validation_fraction rows."""
    if name == "linnerud":  # 20 rows: exercise and physiological measurements together
        data = load_linnerud()
        X = np.hstack([data.data, data.target]).astype(float)
    else:  # 84 training rows
        X = make_classification(120, 8, n_informative=4, random_state=0)[0]
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["linnerud", "classification_120x8"])
def test_autoencoder_holds_out_rows_for_its_judge_on_fewer_than_100_rows(name):
    for seed in SEEDS:
        X_train, X_test = fewer_rows_than_a_holdout(name, seed)
        for k in (1, 3):
            pca_error = held_out_mse(PCA(k).fit(X_train), X_test)
            model = Autoencoder(n_components=k, random_state=seed).fit(X_train)
            assert model._holdout_used == min(10, len(X_train) // 2) / len(X_train)
            assert held_out_mse(model, X_test) <= 1.02 * pca_error, (seed, k)


@pytest.mark.slow
def test_without_those_rows_the_same_fits_overfit():
    """What early_stopping="auto" did on 84 rows before: no holdout, no judge.

    One seed shows the bar above can fail (as test_the_classic_recipe_fails_that_bar
    does for the random start); at seeds 0-2 the ratio was 2.06, 1.98, 1.53.
    """
    X_train, X_test = fewer_rows_than_a_holdout("classification_120x8", 0)
    pca_error = held_out_mse(PCA(2).fit(X_train), X_test)
    model = Autoencoder(n_components=2, early_stopping=False, random_state=0)
    ratio = held_out_mse(model.fit(X_train), X_test) / pca_error
    assert ratio > 1.5, ratio  # measured 2.06


@pytest.mark.slow  # 4,000 steps of a demonstration; the bar's seeds 1-2 are slow too
def test_the_classic_recipe_fails_that_bar():
    """The bar is not met by any network: a random start without a holdout overfits."""
    X_train, X_test = standardised_split("wine", 0)
    pca_error = held_out_mse(PCA(3).fit(X_train), X_test)
    model = Autoencoder(n_components=3, init="random", early_stopping=False, random_state=0)
    ratio = held_out_mse(model.fit(X_train), X_test) / pca_error
    assert ratio > 1.02, ratio  # measured 1.61


@pytest.mark.parametrize("seed", FAST_THEN_SLOW_SEEDS)
def test_the_design_cards_pipeline_beats_raw_features_on_digits(seed):
    X, y = load_digits(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LogisticRegression() stops at max_iter=100
        raw = cross_val_score(LogisticRegression(), X, y, cv=3).mean()
        pca = cross_val_score(
            Pipeline([("pca", PCA(n_components=64)), ("clf", LogisticRegression())]), X, y, cv=3
        ).mean()
        pipe = Pipeline([("ae", SparseAE(random_state=seed)), ("clf", LogisticRegression())])
        ours = cross_val_score(pipe, X, y, cv=3).mean()
    # Seed 0 in the fast suite, 1 and 2 in the slow tier. benchmarks/defaults_panel.py
    # runs the pipeline exactly as written (no seed) 3 times: 0.9477-0.9527 against
    # raw features' 0.9254, so the bar's 0.01 is under half the smallest margin.
    # The PCA pipeline is the issue's, PCA(n_components=SparseAE's default) capped
    # at digits' 64 features: a rotation of the pixels, which logistic
    # regression's penalty still sees.
    assert ours > raw + 0.01, (ours, raw)
    assert ours > pca, (ours, pca)
