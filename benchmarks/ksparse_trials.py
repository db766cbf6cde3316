"""How many units the k-sparse MNIST codes keep at transform, chosen on validation images.

Makhzani & Frey train their k-sparse autoencoder with k active units and
encode with more, αk (α > 1), to feed a classifier. ``SparseAE`` does the same
with ``transform_k``. This trial fits ``SparseAE(sparsity="topk",
n_components=1000, k=25, random_state=0)`` (``ksparse_mnist.py``'s model) on
50,000 of MNIST's training images and scores ``LogisticRegression()`` on its
codes of the other 10,000, for ``transform_k`` = αk, α = 1 (the default,
``transform_k=None``) to 4. No test image is used; ``ksparse_mnist.py``
reports the test error of the α chosen here.

One fit serves every α. Training does not depend on ``transform_k`` (the
layer keeps k in training mode; ``tests/test_regularised.py`` checks that the
weights are the same), so each candidate is the fitted network with its
eval-mode k set and its publishing scale recalibrated on the fitted images,
as ``fit`` ends.

``--tied`` fits the same model with ``tied=True`` (Makhzani & Frey's tied
weights) and writes ``results/ksparse_trials_tied.md``: ``ksparse_mnist.py``
reports that model at the α chosen there.

    python benchmarks/ksparse_trials.py [--alphas 1 2 3 4] [--tied] [--data PATH]

Writes ``results/ksparse_trials.md`` (``ksparse_trials_tied.md`` with ``--tied``).
"""

import argparse
import copy
import time
import warnings

import numpy as np
from _common import load_mnist_flat, write_result
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skae import SparseAE

K = 25


def with_transform_k(fitted: SparseAE, transform_k: int, X_fit) -> SparseAE:
    """``fitted`` as ``fitted.set_params(transform_k=...)`` fitted alike would be."""
    model = copy.deepcopy(fitted)
    model.set_params(transform_k=transform_k)
    model._built_params["transform_k"] = transform_k
    model.net_.module_.encoder[-1].inference_k = transform_k
    model._record_diagnostics(X_fit)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alphas", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--tied", action="store_true", help="decoder = encoder's transpose")
    parser.add_argument("--data", default=None, help="path of mnist.npz")
    args = parser.parse_args()
    # LogisticRegression() as written stops at max_iter=100, as in ksparse_mnist.py.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X_train, y_train, _, _ = load_mnist_flat(args.data)
    X_fit, X_val, y_fit, y_val = train_test_split(
        X_train, y_train, test_size=10_000, random_state=0
    )
    start = time.perf_counter()
    params = dict(sparsity="topk", n_components=1000, k=K, random_state=0)
    if args.tied:
        params["tied"] = True
    fitted = SparseAE(**params).fit(X_fit)
    fit_seconds = time.perf_counter() - start
    rows = []
    for alpha in args.alphas:
        model = with_transform_k(fitted, alpha * K, X_fit)
        codes_fit, codes_val = model.transform(X_fit), model.transform(X_val)
        classifier = LogisticRegression().fit(codes_fit, y_fit)
        error = 100 * (1 - classifier.score(codes_val, y_val))
        reconstruction = np.mean((model.inverse_transform(codes_val) - X_val) ** 2)
        active = np.count_nonzero(codes_val, axis=1).mean()
        rows.append(
            f"| {alpha} | {alpha * K} | {error:.2f} | {reconstruction:.5f} | {active:.1f} |"
        )
        print(rows[-1], flush=True)
    body = "\n".join(
        [
            f"MNIST training images: {len(X_fit)} fitted, {len(X_val)} validation images "
            "(no test image). One fit of SparseAE("
            + ", ".join(f"{name}={value!r}".replace("'", '"') for name, value in params.items())
            + f"), {fit_seconds:.0f} s; each row encodes with transform_k = αk.",
            "",
            "| α | transform_k | LogisticRegression() validation error (%) "
            "| reconstruction MSE per pixel, validation | active units per image |",
            "|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    write_result("ksparse_trials_tied" if args.tied else "ksparse_trials", body)


if __name__ == "__main__":
    main()
