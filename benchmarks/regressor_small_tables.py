"""EncoderDecoderRegressor at its defaults on small regression tables, against scikit-learn.

The paired-target estimator was built and judged on images (inpainting,
colourisation). A scikit-learn user will also try it where ``Ridge`` and
``MLPRegressor`` go: small tables with one or a few targets. Here, 5-fold CV
R² (shuffled, seed 0) on scikit-learn's bundled regression tables, linnerud
(20 rows, 3 features, 3 targets) and diabetes (442 × 10, one target), and on
a linear ``make_regression`` table (300 × 10, 3 targets, noise 5):

- ``EncoderDecoderRegressor(random_state=0)``, nothing else set (it
  standardises X and Y itself, starts at reduced-rank regression and keeps
  that start unless the trained network beats it on held-out rows);
- the same network randomly started, without held-out rows or the judge
  (``init="random", early_stopping=False``: the defaults before this start);
- ``Ridge()`` and ``KNeighborsRegressor()`` after a ``StandardScaler``;
- ``MLPRegressor`` as a user would first call it, and with X and Y
  standardised (``TransformedTargetRegressor``, ``max_iter=2000``).

    python benchmarks/regressor_small_tables.py

Writes ``results/regressor_small_tables.md``.
"""

import time
import warnings

from _common import write_result
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes, load_linnerud, make_regression
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import EncoderDecoderRegressor


def tables():
    linnerud = load_linnerud()
    diabetes = load_diabetes()
    return {
        "linnerud (20 × 3, 3 targets)": (linnerud.data, linnerud.target),
        "diabetes (442 × 10, 1 target)": (diabetes.data, diabetes.target.reshape(-1, 1)),
        "make_regression (300 × 10, 3 targets)": make_regression(
            300, 10, n_targets=3, noise=5, random_state=0
        ),
    }


MODELS = {
    "EncoderDecoderRegressor()": lambda: EncoderDecoderRegressor(random_state=0),
    'EncoderDecoderRegressor(init="random", early_stopping=False)': lambda: EncoderDecoderRegressor(
        init="random", early_stopping=False, random_state=0
    ),
    "Ridge() after StandardScaler": lambda: make_pipeline(StandardScaler(), Ridge()),
    "KNeighborsRegressor() after StandardScaler": lambda: make_pipeline(
        StandardScaler(), KNeighborsRegressor()
    ),
    "MLPRegressor()": lambda: MLPRegressor(random_state=0),
    "MLPRegressor(max_iter=2000), X and Y standardised": lambda: TransformedTargetRegressor(
        make_pipeline(StandardScaler(), MLPRegressor(max_iter=2000, random_state=0)),
        transformer=StandardScaler(),
    ),
}


def main():
    cv = KFold(5, shuffle=True, random_state=0)
    names = list(tables())
    lines = [
        "5-fold CV R² (shuffled, seed 0), mean over folds; 1.0 is perfect, 0 is the "
        "training mean's score.",
        "",
        "| model | " + " | ".join(names) + " | seconds |",
        "|---|" + "---:|" * (len(names) + 1),
    ]
    for label, make in MODELS.items():
        cells, start = [], time.perf_counter()
        for X, Y in tables().values():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                warnings.simplefilter("ignore", DataConversionWarning)  # a one-column Y
                cells.append(cross_val_score(make(), X, Y, cv=cv).mean())
        seconds = time.perf_counter() - start
        scores = " | ".join(f"{c:.3f}" for c in cells)
        lines.append(f"| {label} | {scores} | {seconds:.0f} |")
    write_result("regressor_small_tables", "\n".join(lines))


if __name__ == "__main__":
    main()
