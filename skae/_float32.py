"""Reading input for training in float32: its dtype, its range and the standardisation.

Every skae network trains in float32, whatever the input's dtype. What that
costs is decided here, once for every estimator: values beyond float32's
range and spreads below its smallest normal number are refused, coarse
rounding is warned about (:class:`~skae.Float32RoundingWarning`), and the
affine map the module applies before the network is computed in float64.
``owner`` is the estimator's class name, for the messages.
"""

import threading
from contextlib import contextmanager

import numpy as np

from ._inference import chunks
from ._warnings import Float32RoundingWarning, warn_user

# Per thread: a caller that fits several networks on the same columns (the
# detector's folds) has the rounding warning said once, without touching the
# process-wide warning filters that a concurrent fit elsewhere relies on.
_rounding = threading.local()

# check_array's dtype argument, as PCA's: float32 and float64 input keep their
# dtype, anything else (lists, integers) becomes float64.
FLOAT_DTYPES = (np.float64, np.float32)


def float_dtype(X):
    """The ``dtype`` argument of ``check_array`` that keeps the input's float dtype.

    ``check_array`` keeps float32 and float64 arrays (and pandas frames, whose
    column dtypes it reads) as they are, and converts anything else to the
    list's first entry, float64, as PCA does. It cannot read the column types
    of other dataframes (polars, pyarrow), and would turn their float32 into
    float64; such a frame whose columns are all float32 stays float32, as the
    array of the same columns would.
    """
    if hasattr(X, "dtype") or hasattr(X, "iloc"):  # arrays, pandas: check_array reads them
        return FLOAT_DTYPES
    try:
        # What recent scikit-learn reads dataframes with; older releases may lack it.
        import narwhals.stable.v2 as nw
    except ImportError:
        return FLOAT_DTYPES
    if not nw.dependencies.is_into_dataframe(X):
        return FLOAT_DTYPES
    try:
        schema = nw.from_native(X, eager_only=True).schema
    except TypeError:  # a lazy frame: check_array will say what it thinks of it
        return FLOAT_DTYPES
    if schema and all(dtype == nw.Float32 for dtype in schema.values()):
        return np.float32
    return FLOAT_DTYPES


def refuse_beyond_float32(
    largest: float, name: str, what: str, owner: str, measure: str = "largest absolute value"
):
    """Training runs in float32: refuse data whose ``largest`` magnitude overflows it."""
    float32_max = float(np.finfo(np.float32).max)
    if largest > float32_max:
        raise ValueError(
            f"Input {name} {what} ({measure} {largest:g}, float32's largest is "
            f"{float32_max:g}); {owner} trains in float32. Rescale "
            f"{name}, e.g. with StandardScaler."
        )


def standardization(X: np.ndarray, name: str, loss: str, owner: str):
    """The ``(mean, scale)`` of the affine map ``(x - mean) / scale`` the module applies.

    For ``loss="mse"``: the per-feature mean and one global scale, so that
    the objective stays PCA's. For ``loss="bce"``, whose targets are
    probabilities: the identity when ``X`` lies in [0, 1] (pixel
    intensities, the usual case), otherwise one map for all features that
    takes the minimum of ``X`` to 0 and its maximum to 1 (a per-feature map
    would change the features' relative scales, which the squared error's
    standardisation keeps too).
    """
    if loss == "bce":
        return _unit_interval_map(X, name, owner)
    # Accumulate in float64 over bounded chunks: no float64 copy of X. The
    # sums are taken about a row of X: about zero, E[x²] - E[x]² cancels
    # catastrophically for features whose spread is small beside their
    # mean (1e30 + noise), and the scale came out as garbage.
    shift = np.asarray(X[0], dtype=np.float64)
    total = np.zeros(X.shape[1])
    total_sq = np.zeros(X.shape[1])
    low, high = np.full(X.shape[1], np.inf), np.full(X.shape[1], -np.inf)
    for chunk in chunks(X):
        chunk = chunk.astype(np.float64) - shift
        total += chunk.sum(axis=0)
        total_sq += np.einsum("ij,ij->j", chunk, chunk)
        low, high = np.minimum(low, chunk.min(axis=0)), np.maximum(high, chunk.max(axis=0))
    shifted_mean = total / len(X)
    _refuse_spread_beyond_float32(
        np.maximum(high - shifted_mean, shifted_mean - low).max(), name, owner
    )
    variance = np.maximum(total_sq / len(X) - shifted_mean**2, 0.0)
    scale = np.sqrt(variance.mean())
    _refuse_subnormal_spread(scale, name, owner)
    magnitude = np.maximum(np.abs(shift + low), np.abs(shift + high))
    _warn_float32_rounding(X, magnitude, np.sqrt(variance), name, owner)
    if not np.isfinite(scale) or scale == 0.0:
        scale = 1.0  # constant features: nothing to scale
    return (shift + shifted_mean).astype(np.float32), np.float32(scale)


# A continued fit's data spread this many times the scale its standardisation
# was fixed with (root mean square, in units of that scale; data like the
# first call's give about 1): its squared errors are some 1e4 times the
# network's usual ones. Far beyond a heavy tail: other units, other data.
FAR_BEYOND_THE_SCALE = 100.0


def warn_if_far_beyond_the_scale(X: np.ndarray, mean, scale, name: str, owner: str):
    """Warn where a continued fit's ``X`` lies far outside the standardisation fixed before.

    ``partial_fit`` (and ``warm_start``) keep the first fit's mean and scale.
    A chunk a hundred times wider trains on losses thousands of times the
    usual ones without a word, and Adam's moments keep the network from
    learning for many chunks after it; when it overflows float32, the fit
    reports divergence and suggests a lower ``lr``, not the data.
    """
    mean = np.asarray(mean, dtype=np.float64)
    total = 0.0
    for chunk in chunks(X):
        total += float(np.sum(np.square((chunk.astype(np.float64) - mean) / float(scale))))
    spread = np.sqrt(total / max(X.size, 1))
    if spread > FAR_BEYOND_THE_SCALE:
        warn_user(
            f"Input {name} lies far outside the standardisation {owner} fixed at its "
            f"first fit: its values spread {spread:.3g} times that scale (root mean "
            "square). A continued fit (partial_fit, warm_start) keeps the first call's "
            "mean and scale; start it on a representative sample, or fit afresh.",
            UserWarning,
        )


def _unit_interval_map(X: np.ndarray, name: str, owner: str):
    """``(mean, scale)`` of the binary cross-entropy's map of ``X`` into [0, 1]."""
    low, high = np.inf, -np.inf
    for chunk in chunks(X):
        low, high = min(low, float(chunk.min())), max(high, float(chunk.max()))
    if low >= 0 and high <= 1:
        return np.zeros(X.shape[1], np.float32), np.float32(1.0)
    scale = high - low
    _refuse_spread_beyond_float32(scale, name, owner)  # x - low is computed in float32
    _refuse_subnormal_spread(scale, name, owner)
    _warn_float32_rounding(X, np.array([max(-low, high)]), np.array([scale]), name, owner)
    if scale == 0.0:
        scale = 1.0  # constant X: every row maps to 0
    return np.full(X.shape[1], low, np.float32), np.float32(scale)


def _refuse_spread_beyond_float32(largest: float, name: str, owner: str):
    """Refuse data whose centred values overflow float32 (every value may fit)."""
    refuse_beyond_float32(
        largest, name, "spreads beyond float32's range", owner, "largest distance from its centre"
    )


def _refuse_subnormal_spread(spread: float, name: str, owner: str):
    """Refuse data that vary, but by less than float32's smallest normal number.

    Centred and scaled in float32, such data are zeros and denormals: the
    fit would return garbage (or NaN) without a word.
    """
    if 0.0 < spread <= np.finfo(np.float32).tiny:
        raise ValueError(
            f"Input {name} varies too little for float32 (its spread is {spread:g}, "
            f"float32's smallest normal number {np.finfo(np.float32).tiny:g}); "
            f"{owner} trains in float32. Rescale {name}, e.g. with StandardScaler."
        )


@contextmanager
def rounding_already_said():
    """Within this block, and in this thread only, the rounding warning is not given."""
    before = getattr(_rounding, "said", False)
    _rounding.said = True
    try:
        yield
    finally:
        _rounding.said = before


def _warn_float32_rounding(
    X: np.ndarray, magnitude: np.ndarray, spread: np.ndarray, name: str, owner: str
):
    """Warn where float32 rounds the features' values by over 1% of their spread.

    The network sees X in float32 before it is centred, so a float64
    feature far from zero beside its spread (``1e12 + N(0, 1)``: values
    65,536 apart) is rounded to a few levels, and the fit returns garbage
    where PCA, centring in float64, is exact. Values spaced 1% of the
    spread apart carry rounding noise of about 1e-5 of the variance
    (spacing² / 12); beyond that, say so. float32 input is used as given
    (centring it in float32 is exact), and a spread at float64's own
    round-off (``0.1 + 0.2`` beside ``0.3``) is a constant feature.
    """
    if X.dtype == np.float32 or getattr(_rounding, "said", False):
        return
    spacing = np.spacing(magnitude.astype(np.float32)).astype(np.float64)
    varies = spread > 64 * np.finfo(np.float64).eps * magnitude
    ratio = np.where(varies, spacing / np.where(varies, spread, 1.0), 0.0)
    worst = int(np.argmax(ratio))
    if ratio[worst] > 0.01:
        warn_user(
            f"Input {name} is far from zero beside its spread: in float32, which "
            f"{owner} trains in, values near {magnitude[worst]:g} are "
            f"{spacing[worst]:g} apart, {ratio[worst]:.3g} times the spread "
            f"(standard deviation {spread[worst]:g}) of "
            f"{'feature ' + str(worst) if len(ratio) > 1 else name}. "
            f"The fit sees rounded data; centre {name} first, e.g. with StandardScaler.",
            Float32RoundingWarning,
        )
