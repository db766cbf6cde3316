"""The k-sparse autoencoder's MNIST figure (Makhzani & Frey, 2014), with skae's defaults.

Makhzani & Frey report about 1.35% test error for a linear classifier on the
codes of a k-sparse autoencoder with 1000 hidden units and k = 25, trained on
the 60,000 MNIST training images. This script fits
``SparseAE(sparsity="topk", n_components=1000, k=25)`` (everything else at
skae's defaults: single layer, the step budget, Adam) on the training images,
then ``LogisticRegression()`` on its codes, and reports the test error next
to logistic regression on the raw pixels. Makhzani & Frey encode with αk
units (α > 1) for classification: a third row does so with ``transform_k``,
at the α that ``ksparse_trials.py`` chose on validation images. Its
autoencoder is the second row's: training does not depend on
``transform_k`` (``tests/test_regularised.py`` checks the weights are the
same), so one fit serves both rows, as in ``ksparse_trials.py``, and the
third row's fit time counts that fit again. The last two rows repeat the
second and third with Makhzani & Frey's tied weights (``tied=True``), at the
α that ``ksparse_trials.py --tied`` chose on validation images.

The same code and seed give different figures on different machines. Runs
of the 25-unit row read 2.60% (b9f40f9 and 6d655c0), 2.98% (867f890, 7084d69
and ef136b3, the last the file as committed, on an Intel Xeon host) and 2.61%
(a scratch rerun of 867f890's computation); the αk row 2.40% (the file as
committed), 2.37% and 2.32%. On one machine two
checkouts gave bit-identical fits, so what moves is float rounding over 86
epochs of large matrix products, then ``LogisticRegression()`` stopped at
``max_iter=100``: read the 25-unit row as uncertain by about 0.4 points and
the αk row by about 0.1.

    python benchmarks/ksparse_mnist.py [--data PATH] [--train-rows N]
"""

import argparse
import time
import warnings

from _common import load_mnist_flat, write_result
from ksparse_trials import with_transform_k
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from skae import SparseAE

PAPER_ERROR = 1.35  # percent, Makhzani & Frey (2014), Table 1, k = 25
# αk for α = 3, the lowest validation error in results/ksparse_trials.md.
TRANSFORM_K = 75
# The tied model's, from results/ksparse_trials_tied.md.
TIED_TRANSFORM_K = 75  # α = 3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="path of mnist.npz")
    parser.add_argument("--train-rows", type=int, default=None, help="for a quick trial")
    args = parser.parse_args()
    # LogisticRegression() as written stops at max_iter=100; that is part of
    # the protocol, not a fault of this report.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X_train, y_train, X_test, y_test = load_mnist_flat(args.data)
    X_train, y_train = X_train[: args.train_rows], y_train[: args.train_rows]
    rows = []

    def report(name, seconds, model, X):
        error = 100 * (1 - model.score(X, y_test))
        rows.append(f"| {name} | {error:.2f} | {seconds:.0f} |")
        print(rows[-1], flush=True)

    start = time.perf_counter()
    raw = LogisticRegression().fit(X_train, y_train)
    report("LogisticRegression() on raw pixels", time.perf_counter() - start, raw, X_test)
    sparse = 'SparseAE(sparsity="topk", n_components=1000, k=25{}) + LogisticRegression()'
    for tied, transform_k in ((False, TRANSFORM_K), (True, TIED_TRANSFORM_K)):
        start = time.perf_counter()
        ae = SparseAE(sparsity="topk", n_components=1000, k=25, tied=tied, random_state=0)
        ae.fit(X_train)
        fit_seconds = time.perf_counter() - start
        tied_text = ", tied=True" if tied else ""
        for name, model in [
            (sparse.format(tied_text), ae),
            (
                sparse.format(f"{tied_text}, transform_k={transform_k}"),
                with_transform_k(ae, transform_k, X_train),
            ),
        ]:
            start = time.perf_counter()
            classifier = LogisticRegression().fit(model.transform(X_train), y_train)
            seconds = fit_seconds + time.perf_counter() - start
            report(name, seconds, classifier, model.transform(X_test))
    body = "\n".join(
        [
            f"MNIST, {len(X_train)} training / {len(X_test)} test images, pixels in [0, 1].",
            "",
            "| model | test error (%) | fit time (s) |",
            "|---|---:|---:|",
            *rows,
            f"| Makhzani & Frey (2014), k-sparse AE (1000 units, k = 25) + linear "
            f"classifier | {PAPER_ERROR:.2f} | – |",
        ]
    )
    write_result("ksparse_mnist", body)


if __name__ == "__main__":
    main()
