"""skae.plotting on a headless backend, and the demo that uses it."""

import sys
import warnings

import matplotlib
import numpy as np
import pytest
from sklearn.decomposition import PCA

matplotlib.use("Agg")

from skae import (  # noqa: E402
    VAE,
    Autoencoder,
    ConvAE,
    _budget,  # noqa: E402
    plotting,  # noqa: E402
)
from skae.__main__ import main  # noqa: E402
from skae._demo import run_demo  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    # skae.plotting returns its figures open, as pyplot's own functions do; past
    # 20 open figures matplotlib warns (a RuntimeWarning from skae.plotting's
    # frame, an error under this project's warning filters).
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def fitted(small):
    X, _ = small
    return {
        "PCA": PCA(2).fit(X),
        "AE": Autoencoder(2, max_epochs=3, random_state=0).fit(X),
        "ConvAE": ConvAE(2, image_shape=(8, 8), max_epochs=2, random_state=0).fit(X),
    }


def test_plot_reconstructions_draws_originals_then_each_model(fitted, small):
    X, _ = small
    fig = plotting.plot_reconstructions(fitted, X, n_images=6)
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert labels == ["original", "PCA", "AE", "ConvAE"]
    # Each row is its 6 images side by side, a blank (NaN) column between them.
    drawn = np.asarray(fig.axes[1].get_images()[0].get_array().filled(np.nan))
    assert drawn.shape == (8, 6 * 9 - 1)
    assert np.isnan(drawn[:, 8::9]).all() and not np.isnan(np.delete(drawn, np.s_[8::9], 1)).any()
    expected = fitted["PCA"].inverse_transform(fitted["PCA"].transform(X[:6]))
    for i in range(6):
        np.testing.assert_allclose(
            drawn[:, 9 * i : 9 * i + 8], expected[i].reshape(8, 8), rtol=1e-5
        )
    original = np.asarray(fig.axes[0].get_images()[0].get_array().filled(np.nan))
    np.testing.assert_allclose(original[:, 9:17], X[1].reshape(8, 8))
    # Every row on the originals' grey scale, so reconstructions compare with them.
    assert {ax.get_images()[0].get_clim() for ax in fig.axes} == {(X[:6].min(), X[:6].max())}


def test_plot_reconstructions_needs_a_shape_for_non_square_rows(fitted, small):
    X, _ = small
    ae = Autoencoder(2, max_epochs=1).fit(X[:, :60])
    with pytest.raises(ValueError, match="not square"):
        plotting.plot_reconstructions(ae, X[:, :60])
    fig = plotting.plot_reconstructions(ae, X[:, :60], 3, image_shape=(6, 10))
    assert fig.axes[0].get_images()[0].get_array().shape == (6, 3 * 11 - 1)
    # A given shape that does not hold the rows is refused: 8x8 images were drawn instead.
    with pytest.raises(ValueError, match=r"image_shape=\(5, 5\) draws 25 values .* 64 features"):
        plotting.plot_reconstructions(fitted["AE"], X, 3, image_shape=(5, 5))


def test_two_estimators_of_one_type_are_both_drawn(small):
    """Listed estimators were keyed by their type: the second Autoencoder replaced the first."""
    X, _ = small
    models = [Autoencoder(k, max_epochs=1, random_state=0).fit(X) for k in (2, 4)]
    fig = plotting.plot_reconstructions(models, X, n_images=2)
    assert [ax.get_ylabel() for ax in fig.axes] == [
        "original",
        "Autoencoder 1",
        "Autoencoder 2",
    ]
    labels = [line.get_label() for line in plotting.plot_loss_curve(models).get_lines()]
    assert [label.split()[:2] for label in labels[::2]] == [
        ["Autoencoder", "1"],
        ["Autoencoder", "2"],
    ]


def test_a_dataframe_is_drawn_without_a_feature_name_warning(small):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(small[0], columns=[f"pixel{i}" for i in range(64)])
    model = Autoencoder(2, max_epochs=1, random_state=0).fit(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert len(plotting.plot_reconstructions(model, frame, n_images=3).axes) == 2


def test_plot_latent_space_one_group_per_class(fitted, small, digits):
    X, y = digits[1], digits[3]
    ax = plotting.plot_latent_space(fitted["AE"], X, y)
    assert len(ax.collections) == len(np.unique(y))
    offsets = np.concatenate([c.get_offsets() for c in ax.collections])
    assert offsets.shape == (len(X), 2)
    with pytest.raises(ValueError, match="2 code dimensions"):
        plotting.plot_latent_space(PCA(1).fit(X), X)


def test_plot_loss_curve_draws_each_epoch(fitted):
    ax = plotting.plot_loss_curve({"AE": fitted["AE"], "ConvAE": fitted["ConvAE"]})
    lines = ax.get_lines()
    # The AE holds out rows by default (early_stopping="auto"), so it has a
    # validation curve too.
    assert len(lines) == 3
    np.testing.assert_allclose(lines[0].get_ydata(), fitted["AE"].loss_curve_)
    with pytest.raises(ValueError, match="no loss_curve_"):
        plotting.plot_loss_curve(fitted["PCA"])


def test_plot_samples_draws_vae_samples(small):
    X, _ = small
    vae = VAE(2, max_epochs=2, random_state=0).fit(X)
    fig = plotting.plot_samples(vae, n_samples=10, random_state=0)
    # 8 to a row: two rows, the second with 2 images and 6 blank places.
    drawn = np.asarray(fig.axes[0].get_images()[0].get_array().filled(np.nan))
    assert drawn.shape == (2 * 9 - 1, 8 * 9 - 1)
    expected = vae.sample(10, random_state=0)
    np.testing.assert_allclose(drawn[9:, 9:17], expected[9].reshape(8, 8), rtol=1e-5)
    assert np.isnan(drawn[9:, 18:]).all()
    assert fig.axes[0].get_images()[0].get_clim() == (expected.min(), expected.max())
    with pytest.raises(TypeError, match="no sample"):
        plotting.plot_samples(PCA(2).fit(X))


def test_missing_matplotlib_is_an_actionable_import_error(monkeypatch, fitted, small):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "skae\[plot\]"'):
        plotting.plot_loss_curve(fitted["AE"])


def test_demo_fits_every_model_and_writes_the_figures(tmp_path, capsys, monkeypatch):
    # LinearAE trains at its default budget in the demo (it matches PCA there):
    # 200 steps here, as test_docs.py gives the pages it runs for their calls.
    monkeypatch.setattr(_budget, "AUTO_EPOCHS", 5)
    monkeypatch.setattr(_budget, "MIN_STEPS", 200)
    rows, figures = run_demo(sizes=(2,), out=tmp_path, max_epochs=2, progress=False)
    models = [r["model"] for r in rows]
    assert models == [
        "PCA",
        "LinearAE",
        "Autoencoder",
        "SparseAE",
        "DenoisingAE",
        "ContractiveAE",
        "VAE",
        "ConvAE",
    ]
    # Every model's codes carry the digits after its 2 epochs: a logistic
    # regression on them beats chance (0.1, what random codes score) by half
    # again; the lowest, SparseAE's two units with one active, scores 0.24.
    assert all(np.isfinite(r["mse"]) and r["accuracy"] > 0.15 for r in rows), rows
    assert [f.name for f in figures] == [
        "reconstructions.png",
        "latent_2d.png",
        "loss_curves.png",
        "vae_samples.png",
    ]
    assert all(f.stat().st_size > 1000 for f in figures)
    table = capsys.readouterr().out
    assert "LogReg acc." in table and "ConvAE" in table


def test_demo_says_what_to_do_when_mnist_is_missing(tmp_path, capsys):
    assert main(["demo", "--dataset", "mnist", "--data", str(tmp_path / "none.npz")]) == 2
    assert "MNIST not found" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argument", [["--max-train", "-5"], ["--sizes", "0"], ["--max-epochs", "0"]]
)
def test_demo_refuses_counts_below_one_with_a_usage_error(argument, capsys):
    # --max-train -5 dropped the last 5 rows; --sizes 0 failed inside a fit.
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", *argument])
    assert exit_info.value.code == 2
    assert "must be a positive integer" in capsys.readouterr().err
