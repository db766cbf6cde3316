"""skae's warning category, and warnings that point at the user's line."""

import os
import sys
import warnings

import joblib
import sklearn
import skorch

# Frames inside these packages are skae's machinery (and the scikit-learn,
# skorch or joblib code that calls into it: `_fit_context`, `Pipeline.fit`,
# `cross_val_score`'s workers, callbacks), never the line a user wrote.
_PACKAGE_DIRS = tuple(
    os.path.dirname(path) + os.sep
    for path in (__file__, sklearn.__file__, skorch.__file__, joblib.__file__)
)


class Float32RoundingWarning(UserWarning):
    """Float32, which skae trains in, rounds the input's values coarsely beside their spread.

    Raised by ``fit`` where a float64 feature's values lie far from zero
    beside their standard deviation (``1e12 + N(0, 1)``): the network sees
    them rounded to a few levels. Centre the data first, e.g. with
    :class:`~sklearn.preprocessing.StandardScaler`. Its own category, so that
    it can be filtered apart from other warnings.
    """


def warn_user(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` at the first frame outside skae, scikit-learn and skorch.

    A fixed ``stacklevel`` points at a different line for each route into
    the warning (``fit``, ``Pipeline.fit``, a detector's cross-fitting) and
    mostly at skae's own code; the caller's line says which of their calls
    it concerns, and Python's once-per-location filter then works for them.
    (Python 3.12's ``skip_file_prefixes`` does the same; skae supports 3.10.)
    """
    frame, stacklevel = sys._getframe(1), 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIRS):
        frame, stacklevel = frame.f_back, stacklevel + 1
    warnings.warn(message, category, stacklevel=stacklevel)
