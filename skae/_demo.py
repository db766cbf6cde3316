"""The main job: skae's autoencoders against PCA on scikit-learn's digits."""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from ._autoencoder import Autoencoder
from ._linear import LinearAE

MODELS = {
    "PCA": lambda k, seed: PCA(n_components=k, random_state=seed),
    "LinearAE": lambda k, seed: LinearAE(n_components=k, random_state=seed),
    "Autoencoder": lambda k, seed: Autoencoder(n_components=k, random_state=seed),
}


def held_out_mse(model, X_test) -> float:
    """Mean squared reconstruction error per pixel on held-out rows."""
    reconstruction = model.inverse_transform(model.transform(X_test))
    return float(np.mean((reconstruction - X_test) ** 2))


def run_demo(sizes=(2, 8, 16), random_state=0, print_fn=print):
    """Fit every model at every bottleneck size; print and return the table rows."""
    X, _ = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)  # pixels in [0, 1]
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=random_state)
    print_fn(
        f"digits: {len(X_train)} training and {len(X_test)} held-out images of 8x8 "
        "pixels in [0, 1]; reconstruction MSE per pixel on the held-out images."
    )
    header = f"{'model':<12} {'n_components':>12} {'held-out MSE':>13} {'fit time (s)':>13}"
    print_fn(header)
    print_fn("-" * len(header))
    rows = []
    for k in sizes:
        for name, make in MODELS.items():
            model = make(k, random_state)
            start = time.perf_counter()
            model.fit(X_train)
            seconds = time.perf_counter() - start
            mse = held_out_mse(model, X_test)
            rows.append({"model": name, "n_components": k, "mse": mse, "seconds": seconds})
            print_fn(f"{name:<12} {k:>12} {mse:>13.5f} {seconds:>13.2f}")
    return rows
