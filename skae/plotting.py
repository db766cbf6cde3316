"""Figures of fitted autoencoders: reconstructions, latent spaces, loss curves, samples.

matplotlib is an optional extra (``pip install "skae[plot]"``); it is imported
only when a function here is called. Every function returns the matplotlib
object it drew on and never calls ``plt.show()``, so it works on a headless
backend and in scripts.
"""

import math

import numpy as np


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            'skae.plotting needs matplotlib: pip install "skae[plot]" (or pip install matplotlib).'
        ) from None
    return plt


def _named(estimators) -> dict:
    """``{name: estimator}`` from a dict, a list or a single estimator."""
    if isinstance(estimators, dict):
        return estimators
    if isinstance(estimators, list | tuple):
        names = [type(e).__name__ for e in estimators]
        # Two of a kind are numbered: keyed by their type alone, one was dropped.
        return {
            f"{name} {names[:i].count(name) + 1}" if names.count(name) > 1 else name: e
            for i, (name, e) in enumerate(zip(names, estimators, strict=True))
        }
    return {type(estimators).__name__: estimators}


def _image_shape(n_features: int, image_shape=None, estimators=()) -> tuple[int, int]:
    """(height, width) to draw rows of ``n_features`` values as grey images."""
    if image_shape is not None and math.prod(tuple(image_shape)[-2:]) != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)} draws {math.prod(tuple(image_shape)[-2:])} "
            f"values per image; the rows have {n_features} features."
        )
    for candidate in (image_shape, *(getattr(e, "image_shape", None) for e in estimators)):
        if candidate is not None:
            height, width = tuple(candidate)[-2:]
            if height * width == n_features:
                return height, width
    side = math.isqrt(n_features)
    if side * side != n_features:
        raise ValueError(
            f"Rows of {n_features} features are not square images; pass image_shape=(H, W)."
        )
    return side, side


def _mosaic(images, shape, n_cols):
    """The images side by side, ``n_cols`` to a row, one NaN pixel between them.

    One axes per mosaic rather than one per image: matplotlib's cost is per axes
    (a 9 x 12 grid of axes took 5 s to build and save, the same images as nine
    mosaics a tenth of that), and NaN is drawn blank, so the images stay apart
    (drawn with ``interpolation="nearest"``, so that shrinking keeps the gaps).
    """
    height, width = shape
    n_rows = math.ceil(len(images) / n_cols)
    mosaic = np.full((n_rows * (height + 1) - 1, n_cols * (width + 1) - 1), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, n_cols)
        top, left = r * (height + 1), c * (width + 1)
        mosaic[top : top + height, left : left + width] = image.reshape(shape)
    return mosaic


def plot_reconstructions(estimators, X, n_images=10, image_shape=None):
    """Draw a row of originals, then each estimator's reconstruction g(f(x)).

    Each row is one axes holding its images side by side (labelled with the
    estimator's name).

    Parameters
    ----------
    estimators : estimator, list or dict of name to estimator
        Fitted transformers with ``inverse_transform`` (skae autoencoders, PCA).
    X : array-like of shape (n_samples, n_features)
        Rows that are flattened images; the first ``n_images`` are drawn.
    n_images : int, default=10
        Number of columns.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(C, H, W)`` (the last two are used); ``None`` takes an
        estimator's ``image_shape`` or square images.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skae.plotting import plot_reconstructions
    >>> X, _ = load_digits(return_X_y=True)
    >>> fig = plot_reconstructions({"PCA(8)": PCA(8).fit(X)}, X, n_images=5)
    >>> [ax.get_ylabel() for ax in fig.axes]  # one row of 5 images each
    ['original', 'PCA(8)']
    """
    plt = _pyplot()
    named = _named(estimators)
    X = X.iloc[:n_images] if hasattr(X, "iloc") else np.asarray(X)[:n_images]
    shape = _image_shape(X.shape[1], image_shape, named.values())
    # The estimators see X as it came (a DataFrame keeps the names they were fitted on).
    rows = {"original": np.asarray(X)}
    rows.update(
        {name: np.asarray(est.inverse_transform(est.transform(X))) for name, est in named.items()}
    )
    X = rows["original"]
    low, high = float(X.min()), float(X.max())
    fig, axes = plt.subplots(
        len(rows), 1, figsize=(0.9 * len(X) + 1.2, 0.95 * len(rows)), squeeze=False
    )
    for ax, (label, images) in zip(axes[:, 0], rows.items(), strict=True):
        mosaic = _mosaic(images, shape, len(X))
        ax.imshow(mosaic, cmap="gray", vmin=low, vmax=high, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    fig.tight_layout()
    return fig


def plot_latent_space(estimator, X, y=None, ax=None, dims=(0, 1)):
    """Scatter the codes f(X) on two of their dimensions, coloured by ``y``.

    Parameters
    ----------
    estimator : fitted transformer
        Its ``transform`` gives the codes (μ for a VAE).
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,), default=None
        Class labels for the colours and the legend.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when ``None``.
    dims : tuple of two int, default=(0, 1)
        Which code dimensions.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skae.plotting import plot_latent_space
    >>> X, y = load_digits(return_X_y=True)
    >>> ax = plot_latent_space(PCA(2).fit(X), X, y)
    >>> ax.get_xlabel()
    'code 0'
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.5))
    codes = np.asarray(estimator.transform(X))
    if codes.shape[1] < 2:
        raise ValueError(f"A latent scatter needs 2 code dimensions; got {codes.shape[1]}.")
    a, b = dims
    if y is None:
        ax.scatter(codes[:, a], codes[:, b], s=4, alpha=0.6)
    else:
        y = np.asarray(y)
        cmap = plt.get_cmap("tab10")
        for i, label in enumerate(np.unique(y)):
            mask = y == label
            ax.scatter(
                codes[mask, a], codes[mask, b], s=4, alpha=0.6, color=cmap(i % 10), label=label
            )
        ax.legend(markerscale=3, fontsize=7, loc="best", ncols=2)
    ax.set_xlabel(f"code {a}")
    ax.set_ylabel(f"code {b}")
    return ax


def plot_loss_curve(estimators, ax=None):
    """Draw the training loss per epoch (and the validation loss, when recorded).

    Parameters
    ----------
    estimators : estimator, list or dict of name to estimator
        Fitted skae estimators (they have ``loss_curve_``).
    ax : matplotlib.axes.Axes, default=None

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skae import Autoencoder
    >>> from skae.plotting import plot_loss_curve
    >>> X, _ = load_digits(return_X_y=True)
    >>> ax = plot_loss_curve(Autoencoder(max_epochs=3, random_state=0).fit(X))
    >>> len(ax.get_lines())  # training and validation (early_stopping="auto")
    2
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for name, est in _named(estimators).items():
        if not hasattr(est, "loss_curve_"):
            raise ValueError(f"{name} has no loss_curve_: fit it first (skae estimators only).")
        epochs = np.arange(1, len(est.loss_curve_) + 1)
        (line,) = ax.plot(epochs, est.loss_curve_, label=f"{name} train")
        if getattr(est, "validation_scores_", None):
            valid = -np.asarray(est.validation_scores_)  # NaN (a gap) for partial_fit's epochs
            ax.plot(epochs, valid, "--", color=line.get_color(), label=f"{name} validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (standardised scale)")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    return ax


def plot_samples(estimator, n_samples=16, image_shape=None, random_state=None):
    """Draw images generated by ``estimator.sample`` (a fitted :class:`~skae.VAE`).

    Parameters
    ----------
    estimator : fitted estimator with ``sample(n_samples, random_state)``
    n_samples : int, default=16
    image_shape : tuple of int, default=None
        As for :func:`plot_reconstructions`.
    random_state : int, RandomState instance or None, default=None
        Passed to ``sample``.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skae import VAE
    >>> from skae.plotting import plot_samples
    >>> X, _ = load_digits(return_X_y=True)
    >>> fig = plot_samples(VAE(max_epochs=3, random_state=0).fit(X / 16), 8, random_state=0)
    >>> fig.axes[0].get_images()[0].get_array().shape  # 8 images of 8 x 8, 1 pixel apart
    (8, 71)
    """
    plt = _pyplot()
    if not hasattr(estimator, "sample"):
        raise TypeError(f"{type(estimator).__name__} cannot generate: it has no sample().")
    samples = np.asarray(estimator.sample(n_samples, random_state=random_state))
    shape = _image_shape(samples.shape[1], image_shape, [estimator])
    n_cols = min(n_samples, 8)
    n_rows = math.ceil(n_samples / n_cols)
    fig, ax = plt.subplots(figsize=(0.9 * n_cols, 0.9 * n_rows))
    ax.axis("off")
    # One grey scale for all (the samples' range), so faint and bold samples compare.
    low, high = float(samples.min()), float(samples.max())
    mosaic = _mosaic(samples, shape, n_cols)
    ax.imshow(mosaic, cmap="gray", vmin=low, vmax=high, interpolation="nearest")
    fig.tight_layout()
    return fig
