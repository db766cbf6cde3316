"""The main job: every skae autoencoder against PCA, with a table and figures.

``python -m skae demo`` fits PCA and each autoencoder at each bottleneck size
on scikit-learn's bundled digits (or MNIST from a local file), prints held-out
reconstruction error, the accuracy of a logistic regression on the codes and
the fit time, and writes figures.
"""

import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._autoencoder import Autoencoder
from ._contractive import ContractiveAE
from ._conv import ConvAE
from ._denoising import DenoisingAE
from ._linear import LinearAE
from ._sparse import SparseAE
from ._vae import VAE
from .datasets import load_mnist


def _models(image_shape, max_epochs):
    """name -> factory(n_components, random_state, verbose)."""
    epochs = {"max_epochs": max_epochs}
    return {
        "PCA": lambda k, seed, verbose: PCA(n_components=k, random_state=seed),
        "LinearAE": lambda k, seed, verbose: LinearAE(k, random_state=seed, verbose=verbose),
        "Autoencoder": lambda k, seed, verbose: Autoencoder(
            k, random_state=seed, verbose=verbose, **epochs
        ),
        "SparseAE": lambda k, seed, verbose: SparseAE(
            k, random_state=seed, verbose=verbose, **epochs
        ),
        "DenoisingAE": lambda k, seed, verbose: DenoisingAE(
            k, random_state=seed, verbose=verbose, **epochs
        ),
        "ContractiveAE": lambda k, seed, verbose: ContractiveAE(
            k, random_state=seed, verbose=verbose, **epochs
        ),
        "VAE": lambda k, seed, verbose: VAE(k, random_state=seed, verbose=verbose, **epochs),
        "ConvAE": lambda k, seed, verbose: ConvAE(
            k, image_shape=image_shape, random_state=seed, verbose=verbose, **epochs
        ),
    }


def load_dataset(dataset="digits", data=None, max_train=None, random_state=0):
    """(X_train, X_test, y_train, y_test, image_shape, description) for the demo."""
    if dataset == "digits":
        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(np.float32)  # pixels in [0, 1]
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=random_state
        )
        image_shape = (8, 8)
    elif dataset == "mnist":
        X_train, y_train, X_test, y_test = load_mnist(data)
        X_test, y_test = X_test[:2000], y_test[:2000]
        image_shape = (28, 28)
    else:
        raise ValueError(f'dataset must be "digits" or "mnist", got {dataset!r}.')
    if max_train is not None:
        X_train, y_train = X_train[:max_train], y_train[:max_train]
    description = (
        f"{dataset}: {len(X_train)} training and {len(X_test)} held-out images of "
        f"{image_shape[0]}x{image_shape[1]} pixels in [0, 1]"
    )
    return X_train, X_test, y_train, y_test, image_shape, description


def held_out_mse(model, X_test) -> float:
    """Mean squared reconstruction error per pixel on held-out rows."""
    reconstruction = model.inverse_transform(model.transform(X_test))
    return float(np.mean((reconstruction - X_test) ** 2))


def code_accuracy(model, X_train, y_train, X_test, y_test) -> float:
    """Accuracy of a logistic regression trained on the training rows' codes."""
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    classifier.fit(model.transform(X_train), y_train)
    return float(classifier.score(model.transform(X_test), y_test))


def format_table(rows) -> str:
    header = (
        f"{'model':<14} {'n_components':>12} {'held-out MSE':>13} "
        f"{'LogReg acc.':>12} {'fit time (s)':>13}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['model']:<14} {r['n_components']:>12} {r['mse']:>13.5f} "
            f"{r['accuracy']:>12.3f} {r['seconds']:>13.2f}"
        )
    return "\n".join(lines)


def run_demo(
    sizes=(2, 8, 16),
    dataset="digits",
    data=None,
    out=None,
    max_epochs=None,
    max_train=None,
    random_state=0,
    verbose=0,
    progress=True,
    print_fn=print,
):
    """Fit every model at every bottleneck size; print the table, write figures.

    Returns
    -------
    rows : list of dict
        One per (model, size): ``model``, ``n_components``, ``mse``,
        ``accuracy``, ``seconds``.
    figures : list of pathlib.Path
        The figures written to ``out`` (none when ``out`` is ``None``).
    """
    if dataset == "mnist":
        max_train = 10_000 if max_train is None else max_train
        max_epochs = 20 if max_epochs is None else max_epochs
    max_epochs = 60 if max_epochs is None else max_epochs
    X_train, X_test, y_train, y_test, image_shape, description = load_dataset(
        dataset, data, max_train, random_state
    )
    print_fn(f"{description}; reconstruction MSE per pixel on the held-out images.")
    factories = _models(image_shape, max_epochs)
    runs = [(name, k) for k in sizes for name in factories]
    from tqdm.auto import tqdm

    bar = tqdm(runs, desc="fitting", unit="model", disable=not progress, leave=False)
    rows, fitted = [], {}
    for name, k in bar:
        bar.set_postfix_str(f"{name}({k})")
        model = factories[name](k, random_state, verbose)
        start = time.perf_counter()
        model.fit(X_train)
        seconds = time.perf_counter() - start
        fitted[name, k] = model
        rows.append(
            {
                "model": name,
                "n_components": k,
                "mse": held_out_mse(model, X_test),
                "accuracy": code_accuracy(model, X_train, y_train, X_test, y_test),
                "seconds": seconds,
            }
        )
    bar.close()
    print_fn(format_table(rows))
    figures = []
    if out is not None:
        figures = write_figures(fitted, sizes, X_test, y_test, image_shape, Path(out))
        print_fn("figures: " + ", ".join(str(f) for f in figures))
    return rows, figures


def write_figures(fitted, sizes, X_test, y_test, image_shape, out: Path):
    """The demo's figures: reconstructions, 2-D latent spaces, loss curves, VAE samples."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no screen needed
    import matplotlib.pyplot as plt

    from .plotting import plot_latent_space, plot_loss_curve, plot_reconstructions, plot_samples

    out.mkdir(parents=True, exist_ok=True)
    k = sorted(sizes)[len(sizes) // 2]  # the middle size
    names = sorted({name for name, _ in fitted}, key=[n for n, _ in fitted].index)
    written = []

    fig = plot_reconstructions(
        {f"{n}({k})": fitted[n, k] for n in names}, X_test, n_images=12, image_shape=image_shape
    )
    fig.suptitle(f"held-out images, then each model's reconstruction at n_components={k}", y=1.01)
    written.append(out / "reconstructions.png")
    fig.savefig(written[-1], dpi=100, bbox_inches="tight")

    if 2 in sizes:
        n_cols = 4
        n_rows = -(-len(names) // n_cols)
        fig, axes = plt.subplots(n_rows, n_cols, figsize=(4 * n_cols, 3.8 * n_rows), squeeze=False)
        for ax in axes.flat[len(names) :]:
            ax.axis("off")
        for ax, name in zip(axes.flat, names, strict=False):
            plot_latent_space(fitted[name, 2], X_test, y_test, ax=ax)
            ax.set_title(f"{name}(2)")
            if ax is not axes.flat[0]:
                ax.get_legend().remove()
        fig.tight_layout()
        written.append(out / "latent_2d.png")
        fig.savefig(written[-1], dpi=90)

    ax = plot_loss_curve({f"{n}({k})": fitted[n, k] for n in names if n != "PCA"})
    ax.set_title(f"training loss per epoch, n_components={k}")
    written.append(out / "loss_curves.png")
    ax.figure.savefig(written[-1], dpi=100, bbox_inches="tight")

    fig = plot_samples(fitted["VAE", k], n_samples=32, image_shape=image_shape, random_state=0)
    fig.suptitle(f"VAE({k}) samples: decoder(z), z drawn from the fitted prior", y=1.02)
    written.append(out / "vae_samples.png")
    fig.savefig(written[-1], dpi=100, bbox_inches="tight")
    plt.close("all")
    return written
