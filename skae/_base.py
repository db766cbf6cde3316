"""BaseAutoencoder: the scikit-learn face of every skae autoencoder.

It owns parameters, input validation (what training in float32 asks of the
data is in :mod:`skae._float32`) and fitted state, and builds a
:class:`~skae._net.AutoencoderNet` by composition. Variants differ by data:
which module :meth:`_build_module` returns and which penalties
:meth:`_penalties` lists.
"""

import copy
import functools
import math
import re
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch.exceptions import SkorchException
from torch import nn

from ._budget import CosineDecay, StallStopping, plan_epochs, stall_patience
from ._data import ArrayDataset, BatchIterator, HoldoutSplit, MappedPages
from ._distributed import (
    accelerated,
    data_parallel,
    data_parallel_params,
    make_accelerator,
    shared_seed,
    unwrap,
)
from ._float32 import (
    float_dtype,
    refuse_beyond_float32,
    standardization,
    warn_if_far_beyond_the_scale,
)
from ._inference import InferenceModules, batched_inference
from ._inference import as_tensor as _as_tensor
from ._inference import chunks as _chunks
from ._net import AutoencoderNet, resolve_device
from ._persistence import PortableNetMixin, load_stream_states, restore_net, stream_states
from ._threads import forward_work_per_row, threads_for, torch_threads
from ._torch_state import isolated_torch_state
from ._warnings import warn_user
from .modules import ACTIVATIONS, ARCHITECTURES, resolve_image_shape

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

# Fused Adam(W) updates every parameter in one kernel instead of a dozen small
# ones per tensor: the same update, and MNIST fits 1.22x (batch 256) to 1.30x
# (batch 64) faster on CPU (benchmarks/fit_overhead.py). CPU support came with
# torch 2.4.
_FUSED = (torch.optim.Adam, torch.optim.AdamW)
_FUSED_DEVICES = (
    ("cpu", "cuda") if tuple(map(int, torch.__version__.split(".")[:2])) >= (2, 4) else ("cuda",)
)


def optimizer_params(optimizer, device) -> dict:
    """skorch ``optimizer__*`` parameters: fused updates where torch has them."""
    device_type = torch.device(device).type if device is not None else None
    if optimizer in _FUSED and device_type in _FUSED_DEVICES:
        return {"optimizer__fused": True}
    return {}


def shared_net_params(params: dict, optimizer, verbose, accelerator, device) -> dict:
    """``params`` with what every skae net sets: its log and its optimizer's options.

    A data-parallel net prints from the first process only when verbose (the
    Accelerate mixin's default prints whatever ``verbose`` says); a silent
    one-process net has no ``PrintLog``, which would tabulate the history
    every epoch (a tenth of a small fit's time). The user's ``params`` win.
    """
    params = dict(params)
    if accelerator is not None:
        params["callbacks__print_log__sink"] = "auto" if verbose else _silent
    elif not verbose and not any(k.startswith("callbacks__print_log") for k in params):
        params["callbacks__print_log"] = None
    placed_on = accelerator.device if accelerator is not None else device
    return {**optimizer_params(optimizer, placed_on), **params}


RECONSTRUCTION_LOSSES = {"mse": nn.MSELoss, "bce": nn.BCEWithLogitsLoss}


def _silent(*args, **kwargs):
    pass


def unchanged_if_it_fails(fit):
    """Decorate a ``fit`` or ``partial_fit`` so that one that raises leaves the estimator as it was.

    Validation resets ``n_features_in_`` before training starts: a refit on
    other columns that then diverged left the last fit's network beside the
    new width (``transform`` failed inside torch), and a first fit that failed
    left part of its state. Now a failed first fit leaves the estimator
    unfitted, a failed refit leaves the last fitted model, and a failed
    continuation returns the network too (:meth:`BaseAutoencoder._continue`).
    """

    @functools.wraps(fit)
    def guarded(self, *args, **kwargs):
        state = dict(self.__dict__)
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    return guarded


def _seed_from(random_state) -> int:
    """A torch seed from a scikit-learn ``random_state``, without touching global RNGs."""
    if random_state is None:
        # Fresh OS entropy: drawing from np.random here would move the global
        # numpy RNG, which fit promises to leave alone.
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextmanager
def _every_row(net, partial: bool):
    """For a ``partial_fit`` epoch: no rows held out, no early stopping.

    A net built by ``fit`` holds a share of its rows out for early stopping.
    Held out of every chunk, they would be validated by nothing after it, and
    a chunk too small to split would fail over a setting the user never made.
    """
    if not partial:
        yield
        return
    split, callbacks = net.train_split, net.callbacks_
    if split is not None:
        net.train_split = None
        net.callbacks_ = [(name, cb) for name, cb in callbacks if name != "early_stopping"]
    try:
        yield
    finally:
        net.train_split, net.callbacks_ = split, callbacks


# skorch's answer to a callback that reads a validation score of an epoch that
# has none: the history's "Key 'valid_loss' was not found in history." (which
# Checkpoint wraps in a SkorchException), or LRScheduler's "'valid_loss' was
# not found in history. ...". Neither names the callback's owner nor why no
# rows were held out.
_NO_VALIDATION_SCORE = re.compile(r"'?valid_\w*'? was not found in history")


@contextmanager
def _validation_scores_explained(without_holdout: tuple[str, str] | None):
    """A ValueError saying ``without_holdout`` (why the epochs hold no rows out, and
    what to do) when a user's callback reads a validation score; None: rows are held out."""
    try:
        yield
    except (KeyError, ValueError, SkorchException) as error:
        if without_holdout is None or not _NO_VALIDATION_SCORE.search(str(error)):
            raise
        reason, advice = without_holdout
        raise ValueError(
            f"{reason}, so its epochs have no validation scores, and a callback in "
            f"net_params['callbacks'] reads one ({error}). {advice}"
        ) from error


def _containers_copied(value):
    """``value`` with its lists, tuples and dicts copied, at any depth; what they hold
    (estimators, callbacks, arrays inside them) is shared, as it compares by identity."""
    if type(value) is dict:
        return {key: _containers_copied(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_containers_copied(item) for item in value)
    return value


def _same_param(a, b) -> bool:
    """Whether two values of a parameter are one setting: shapes given as tuples,
    lists or arrays compare by their entries."""
    if isinstance(a, list | tuple | np.ndarray) and isinstance(b, list | tuple | np.ndarray):
        a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
        return a.shape == b.shape and all(map(_same_param, a.ravel(), b.ravel()))
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # an == that is not a truth value (arrays in a dict)
        return a is b


class BaseAutoencoder(
    PortableNetMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Base class of skae's autoencoders; not meant to be used directly.

    Subclasses document the parameters; this class implements ``fit``,
    ``partial_fit``, ``transform``, ``inverse_transform``, ``score`` and
    ``score_samples`` once for all of them.
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "architecture": [StrOptions(set(ARCHITECTURES))],
        "image_shape": ["array-like", None],
        "channels": ["array-like"],
        "loss": [StrOptions(set(RECONSTRUCTION_LOSSES))],
        "max_steps": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "net_params": [dict, None],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(256, 64),
        activation="elu",
        architecture="mlp",
        image_shape=None,
        channels=(32, 64),
        loss="mse",
        max_steps="auto",
        max_epochs=None,
        batch_size=64,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        device="auto",
        random_state=None,
        verbose=0,
        warm_start=False,
        net_params=None,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.architecture = architecture
        self.image_shape = image_shape
        self.channels = channels
        self.loss = loss
        self.max_steps = max_steps
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.net_params = net_params

    # -- what variants override -------------------------------------------

    def _loss(self) -> str:
        """The reconstruction loss, a key of ``RECONSTRUCTION_LOSSES``."""
        return self.loss

    def _criterion(self) -> type:
        """The reconstruction objective's class (a torch loss on the raw decoder output)."""
        return RECONSTRUCTION_LOSSES[self._loss()]

    def _architecture(self) -> str:
        """The layer family, a key of ``skae.modules.ARCHITECTURES``."""
        return self.architecture

    def _code_size(self) -> int:
        """``n_components`` as an int: a bool passes the Integral check (PCA reads True
        as 1), and torch's layer sizes take no bool."""
        return int(self.n_components)

    def _layer_params(self) -> dict:
        """The architecture's own keyword arguments of its module builder."""
        if self._architecture() == "conv":
            return {"image_shape": self.image_shape, "channels": self._widths("channels")}
        return {"hidden_layer_sizes": self._widths("hidden_layer_sizes")}

    def _module_params(self, X: np.ndarray) -> dict:
        """Variant-specific keyword arguments of the module builder
        (:func:`~skae.modules.build_mlp_autoencoder` or
        :func:`~skae.modules.build_conv_autoencoder`).

        ``X`` is the training data, for variants whose layers need its
        statistics.
        """
        return {"activation": self.activation}

    def _build_module(self, X: np.ndarray) -> nn.Module:
        build_autoencoder, _ = ARCHITECTURES[self._architecture()]
        return build_autoencoder(
            X.shape[1],
            self._code_size(),
            output_activation="sigmoid" if self._loss() == "bce" else "identity",
            **self._layer_params(),
            **self._module_params(X),
        )

    def _initialize_module(self, module: nn.Module, X: np.ndarray, Y=None) -> None:
        """Set the starting weights from the data and a paired ``Y`` (random by default)."""

    def _penalties(self, X: np.ndarray) -> list:
        """Penalties added to the reconstruction loss (none for a plain AE)."""
        return []

    def _callbacks(self) -> list:
        """skorch callbacks the variant needs during training."""
        return []

    def _record_diagnostics(self, X: np.ndarray):
        """Set variant-specific fitted attributes from the training data."""

    def _joined_calibration(self, before, chunk, n_chunk: int):
        """A calibration joined to the one before it, weighted by their rows.

        ``chunk`` is a mean over this call's ``n_chunk`` rows; ``before`` the
        calibration earlier ``partial_fit`` chunks left, weighted by the
        largest of them: a chunk of two rows after one of thousands moves it
        by a thousandth, instead of setting it from two rows, and a stream of
        small chunks averages over about that many rows. Not every row since
        the first call (``StandardScaler.partial_fit``'s rule): the network
        changes between chunks, and a calibration it has outgrown would stay
        frozen. ``fit`` starts afresh: ``chunk`` is returned.
        """
        n_before = getattr(self, "_rows_before", 0)
        if not n_before or before is None:
            return chunk
        return (n_before * before + n_chunk * chunk) / (n_before + n_chunk)

    # Regularised variants (a penalty or corrupted input) may be overcomplete.
    _regularised = False

    # -- validation ---------------------------------------------------------

    def _widths(self, name: str) -> tuple:
        """The layer widths in parameter ``name``, checked to be positive integers."""
        value = getattr(self, name)
        sizes = tuple(np.ravel(np.asarray(value, dtype=object)))
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            raise ValueError(f"{name} must hold positive integers, got {value!r}.")
        return tuple(int(s) for s in sizes)

    def _min_training_rows(self) -> int:
        """Rows every fit (and every ``partial_fit`` chunk) needs."""
        return 1

    def _validate_X(self, X, reset: bool, training: bool = True) -> np.ndarray:
        """Validate ``X``; ``training`` adds the checks that only fitting needs."""
        # A memory-mapped X is checked chunk by chunk below, so that checking
        # it never holds the whole file in memory.
        mapped = MappedPages.of(X) is not None
        X = validate_data(
            self,
            X,
            reset=reset,
            dtype=float_dtype(X),
            ensure_all_finite=not mapped,
            ensure_min_samples=self._min_training_rows() if training else 1,
        )
        if reset and self.image_shape is not None:
            resolve_image_shape(X.shape[1], self.image_shape)  # a clear error, before training
        # Training runs in float32, where float64 values beyond its range
        # become infinite: refuse them here rather than let the fit diverge.
        check_range = training and X.dtype == np.float64
        if not (mapped or check_range):
            return X
        largest = 0.0
        for chunk in _chunks(X):
            if mapped and not np.isfinite(chunk).all():
                raise ValueError(f"Input X contains NaN or infinity ({type(self).__name__}).")
            if check_range:
                largest = max(largest, float(chunk.max()), -float(chunk.min()))
        refuse_beyond_float32(
            largest, "X", "holds values beyond float32's range", type(self).__name__
        )
        return X

    def _standardization(self, X: np.ndarray, name: str = "X"):
        """The ``(mean, scale)`` the module standardises ``X`` (or a target) with."""
        return standardization(X, name, self._loss(), type(self).__name__)

    # -- building and training ----------------------------------------------

    # What a continued fit (warm_start, partial_fit) reads afresh: its length and
    # its stall rule. Every other parameter is built into the network, its
    # objective or its training (the penalties' weights, the optimizer's rate,
    # the batches, what it prints), and a continued fit refuses a change to it.
    _CONTINUATION_PARAMS = frozenset({"max_steps", "max_epochs", "n_iter_no_change", "warm_start"})

    def _changed_since_built(self) -> dict:
        """The parameters a continued fit cannot honour, changed since the network was
        built: name to the value it was built with."""
        built = getattr(self, "_built_params", None)
        current = self.get_params(deep=False)
        if built is None:  # saved before the parameters were recorded: the shapes it kept
            built = getattr(self, "_built_structure", {})
            current["architecture"] = self._architecture()
        return {
            name: value
            for name, value in built.items()
            if name not in self._CONTINUATION_PARAMS and not _same_param(value, current[name])
        }

    def _as_built(self):
        """This fitted estimator with the parameters its network was built with.

        ``set_params`` after ``fit`` changes the parameters, not the network:
        rebuilding a loaded network from them would give another model.
        """
        built = getattr(self, "_built_params", None)
        if built is None:  # fitted before the parameters were recorded
            return self
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin.__dict__.update(built)
        return twin

    def _build_net(self, X: np.ndarray, seed: int, device: str, holdout, accelerator=None, Y=None):
        torch.manual_seed(seed)
        module = self._build_module(X).set_standardization(*self._standardization(X))
        if Y is not None:  # a paired target: the decoder's own standardisation
            module.set_target_standardization(*self._standardization(Y, "y"))
        self._initialize_module(module, X, Y)
        net = self._new_net(module, self._penalties(X), holdout, seed, device, accelerator)
        return net.initialize()

    def _new_net(
        self, module, penalties, holdout, seed: int, device: str, accelerator=None
    ) -> AutoencoderNet:
        """The skorch net that trains ``module``, from the estimator's parameters.

        ``holdout`` is the share of rows held out for validation, or None.
        With an ``accelerator`` it trains data-parallel (:mod:`skae._distributed`).
        """
        sink = print if self.verbose else _silent
        if holdout:
            train_split = HoldoutSplit(holdout, seed)
            stopper = StallStopping(
                monitor="valid_loss",
                patience=self.n_iter_no_change,
                threshold=self.tol,
                load_best=True,
                sink=sink,
            )
        else:
            # As MLPRegressor: without a validation set, stop when the
            # training loss stalls.
            train_split = None
            stopper = StallStopping(
                monitor="train_loss",
                patience=self.n_iter_no_change,
                threshold=self.tol,
                sink=sink,
            )
        params = dict(self.net_params or {})
        params.pop("accelerator", None)
        net_class = AutoencoderNet
        if accelerator is not None:
            net_class = accelerated(AutoencoderNet)
            params.update(data_parallel_params(accelerator, seed))
            device = None  # the accelerator places the module
        callbacks = [
            ("early_stopping", stopper),
            ("lr_schedule", CosineDecay()),
            *self._callbacks(),
            *params.pop("callbacks", []),
        ]
        optimizer = OPTIMIZERS.get(self.optimizer, self.optimizer)
        params = shared_net_params(params, optimizer, self.verbose, accelerator, device)
        own = dict(
            module=module,
            criterion=self._criterion(),
            optimizer=optimizer,
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=1,  # set by the training budget at each fit
            batch_size=self.batch_size,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_valid=BatchIterator,
            train_split=train_split,
            callbacks=callbacks,
            penalties=penalties,
            device=device,
            verbose=int(self.verbose),
        )
        clash = sorted(set(own) & set(params))
        if clash:  # a TypeError of "multiple values for keyword argument" otherwise
            raise ValueError(
                f"net_params sets {', '.join(clash)}, which {type(self).__name__} sets "
                "from its own parameters (lr, batch_size, max_steps and max_epochs, "
                "optimizer, weight_decay, loss, early_stopping, device, verbose): set "
                "those on the estimator."
            )
        return net_class(**own, **params)

    def _restore_net(self, record: dict, device: str) -> AutoencoderNet:
        """The fitted net, rebuilt at load (:mod:`skae._persistence`) from ``record``."""
        # Only the shape of X matters here: its weights and statistics are loaded.
        X = np.zeros((1, self.n_features_in_), np.float32)
        built = self._as_built()
        module, penalties = built._build_module(X), built._penalties(X)
        holdout = self._holdout_used
        if holdout is True:  # saved before the share was recorded
            holdout = built.validation_fraction
        net = built._new_net(module, penalties, holdout or None, self._seed, device)
        return restore_net(net.initialize(), record)

    def _restored(self):
        self.history_ = self.net_.history
        self._inference_modules = InferenceModules(self.n_features_in_)

    def _train(self, net: AutoencoderNet, X: np.ndarray, epochs: int | None, Y=None, *, stall=True):
        """Train ``net`` on ``X``; restore it if the fit diverges.

        ``epochs=None`` plans the fit by the training budget (:mod:`skae._budget`);
        an integer trains that many epochs at a constant learning rate
        (``partial_fit``). ``stall=False`` runs the budget in full, with no
        stall rule (a restart from a minimum of the same loss: see ``_continue``).
        """
        self._budgeted = epochs is None  # fit, not partial_fit: diagnostics may cost a pass
        callbacks = dict(net.callbacks_)
        partial = epochs is not None
        if epochs is None:
            n_rows = len(X)
            if isinstance(net.train_split, HoldoutSplit):
                n_rows -= net.train_split.validation_rows(n_rows)
            epochs, per_epoch = plan_epochs(
                n_rows, self.batch_size, self.max_steps, self.max_epochs
            )
            callbacks["lr_schedule"].total_steps = epochs * per_epoch
            patience = stall_patience(self.n_iter_no_change, epochs) if stall else epochs + 1
            callbacks["early_stopping"].patience = patience
        else:
            callbacks["lr_schedule"].total_steps = None
            # A constant lr, not the rate where a fit's cosine ended (near zero).
            for group in net.optimizer_.param_groups:
                group["lr"] = net.lr
        net.max_epochs = epochs
        work = forward_work_per_row(unwrap(net.module_), X.shape[1])
        work *= min(self.batch_size, len(X))
        if Y is None:
            data = ArrayDataset(_as_tensor(X), pages=MappedPages.of(X))
        else:  # rows paired with targets are read as an array, not chunk by chunk
            data = ArrayDataset(_as_tensor(X), _as_tensor(Y))
        without_holdout = self._without_holdout(net, partial)
        with (
            torch_threads(threads_for(work)),
            data_parallel(net),
            _every_row(net, partial),
            _validation_scores_explained(without_holdout),
        ):
            net.partial_fit(data)
        return net

    def _without_holdout(self, net: AutoencoderNet, partial: bool) -> tuple[str, str] | None:
        """Why this training's epochs hold no rows out, and what to do about a
        callback that needs them; None where they do."""
        if partial:
            return (
                "partial_fit holds no rows out",
                "A model trained by partial_fit needs callbacks that watch training "
                "scores (train_loss).",
            )
        if net.train_split is not None:
            return None
        if self.early_stopping == "auto":
            reason = (
                f"early_stopping='auto' holds no rows out of fewer than "
                f"{math.ceil(self._MIN_VALIDATION_ROWS / self.validation_fraction)} rows"
            )
        else:
            reason = "early_stopping=False holds no rows out"
        return reason, "Set early_stopping=True, or watch training scores (train_loss)."

    def _fitted(self, net: AutoencoderNet, seed: int, X: np.ndarray):
        """Record the fitted state of a trained net."""
        history = net.history
        net.module_.eval()  # ready for inference (and for export) as soon as it is fitted
        self.net_ = net
        # What a continued fit must keep, and what a copy rebuilds. Lists,
        # dicts and arrays are copied: one changed in place after fit would
        # read as unchanged.
        self._built_params = {
            name: value.copy() if isinstance(value, np.ndarray) else _containers_copied(value)
            for name, value in self.get_params(deep=False).items()
        }
        self._inference_modules = InferenceModules(X.shape[1])
        self.history_ = history
        split = net.train_split
        self._holdout_used = split.fraction if isinstance(split, HoldoutSplit) else None
        self.n_iter_ = len(history)
        self.loss_curve_ = list(history[:, "train_loss"])
        if any("valid_loss" in epoch for epoch in history):
            # One per epoch, as loss_curve_: NaN for a partial_fit epoch, which
            # holds no rows out.
            self.validation_scores_ = [-epoch.get("valid_loss", np.nan) for epoch in history]
        self._n_features_out = self._code_size()
        self._seed = seed
        self._record_diagnostics(X)
        # The weight of these calibrations for the next chunk (_joined_calibration).
        self._rows_calibrated = max(self._rows_before, len(X))
        # Diagnostics may replace buffers (SparseAE's code scale): start the
        # inference cache afresh from the finished module.
        self._inference_modules = InferenceModules(X.shape[1])
        return self

    # Rows a holdout must leave for validation before early_stopping="auto"
    # uses one: fewer make a noisier judge than the training loss.
    _MIN_VALIDATION_ROWS = 10

    def _holdout(self, n_rows: int) -> float | None:
        """The share of rows this fit holds out for validation (``early_stopping``), or None."""
        if self.early_stopping == "auto":
            enough = self.validation_fraction * n_rows >= self._MIN_VALIDATION_ROWS
            return self.validation_fraction if enough else None
        return self.validation_fraction if self.early_stopping else None

    def _check_overcomplete(self, n_features: int):
        # One unit for one feature is no warning: no smaller code exists.
        overcomplete = self.n_components > n_features or self.n_components == n_features > 1
        if not self._regularised and overcomplete:
            warn_user(
                f"n_components={self.n_components} >= n_features={n_features}: an "
                "overcomplete autoencoder without regularisation can learn the "
                "identity map. Use a smaller n_components, or SparseAE, DenoisingAE "
                "or ContractiveAE for overcomplete codes.",
                UserWarning,
            )

    @_fit_context(prefer_skip_nested_validation=True)
    @unchanged_if_it_fails
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. float32 input is used without a copy.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "net_")
        X = self._validate_X(X, reset=not continuing)
        if continuing:
            return self._continue(X, None)
        return self._fit_new(X, None)

    @_fit_context(prefer_skip_nested_validation=True)
    @unchanged_if_it_fails
    def partial_fit(self, X, y=None):
        """Train for one epoch over ``X``, initialising on the first call.

        The first call also fixes the standardisation (mean and scale) from
        its ``X``; a later chunk spread over 100 times that scale is warned
        about. Every row of the chunk trains, at a constant ``lr``: an
        epoch has nothing to stop early, so none is held out for validation
        (``early_stopping`` applies to :meth:`fit`). What is calibrated after
        training (a VAE's latent scale and noise variance, SparseAE's code
        scale and unit activity) is measured on the chunk and joined to the
        calibration before it, weighted by the rows of the largest chunk so
        far: a small chunk moves it little. A VAE's mixture prior is refitted on a
        chunk at least as large as the largest before it, and a top-k
        SparseAE judges its dead units on enough rows, over several chunks
        if need be.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A batch (or chunk) of training data.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        first = not hasattr(self, "net_")
        X = self._validate_X(X, reset=first)
        if not first:
            return self._continue(X, 1)
        return self._fit_new(X, 1)

    def _accelerator(self):
        """The ``Accelerator`` of a data-parallel fit, or None (``net_params["accelerator"]``)."""
        accelerator = (self.net_params or {}).get("accelerator")
        return make_accelerator(accelerator) if accelerator else None

    def _fit_new(self, X: np.ndarray, epochs: int | None, Y=None):
        self._check_overcomplete(X.shape[1])
        device = resolve_device(self.device)
        seed = _seed_from(self.random_state)
        accelerator = self._accelerator()
        if accelerator is not None:
            seed = shared_seed(seed, accelerator)
        # partial_fit trains on every row of its chunk, as MLPRegressor's does:
        # rows held out of one chunk would be validated by nothing after it.
        holdout = self._holdout(len(X)) if epochs is None else None
        self._rows_before = 0  # calibrations start afresh (_joined_calibration)
        with isolated_torch_state(device):
            net = self._build_net(X, seed, device, holdout, accelerator, Y)
            self._train(net, X, epochs, Y)
            # Post-fit calibrations (a VAE's latent scale, its prior) too:
            # they may set buffers, which must be float32 as well.
            return self._fitted(net, seed, X)

    def _training_state(self) -> tuple:
        """What training changes, for ``_return_to``: the network's weights, the
        optimizer's moments (a diverging step leaves them NaN, and every later
        step would diverge again), the stream states (rows a dead-unit judgement
        waits on), the history's length and the estimator's attributes."""
        net = self.net_
        saved = (net.module_.state_dict(), net.optimizer_.state_dict(), stream_states(net))
        return copy.deepcopy(saved), len(net.history), dict(self.__dict__)

    def _return_to(self, state: tuple):
        """Return the network and the estimator to a ``_training_state()``."""
        (weights, moments, streams), epochs, attributes = state
        net = self.net_
        net.module_.load_state_dict(weights)
        net.optimizer_.load_state_dict(moments)
        load_stream_states(net, streams)
        del net.history[epochs:]
        self.__dict__.clear()
        self.__dict__.update(attributes)

    def _continue(self, X: np.ndarray, epochs: int | None, Y=None, *, new_data: bool = True):
        """Train the fitted network on: ``warm_start``, ``partial_fit``, and with
        ``new_data=False`` a fit continuing on its own rows (LinearAE's restarts).

        Such a restart starts at the end of a cosine, at a minimum of the very
        loss it trains: its first epochs, at the top rate, are its best for a
        while, and a stall rule would stop it there, worse than it began. So its
        budget runs in full.
        """
        changed = self._changed_since_built()
        if changed:
            # The network keeps its shape and objective; its outputs would
            # contradict the parameters (codes of the old width, names of the
            # new one), or train on with the old setting without a word.
            raise ValueError(
                f"{', '.join(changed)} changed since the network was built "
                f"({', '.join(f'{k}={v!r}' for k, v in changed.items())}); warm_start=True "
                "and partial_fit continue that network. Fit afresh (warm_start=False)."
            )
        # partial_fit joins its chunk's calibrations to the last chunk's; a fit
        # (warm_start) calibrates on its X alone.
        self._rows_before = getattr(self, "_rows_calibrated", 0) if epochs is not None else 0
        net = self.net_
        if new_data:  # not a fit continuing on its own rows (LinearAE's restarts)
            module = unwrap(net.module_)
            owner = type(self).__name__
            warn_if_far_beyond_the_scale(X, module.mean.cpu(), module.scale.cpu(), "X", owner)
            if Y is not None:  # a paired target, standardised on its own
                mean, scale = module.target_mean.cpu(), module.target_scale.cpu()
                warn_if_far_beyond_the_scale(Y, mean, scale, "y", owner)
        # A continuation that fails (a diverging chunk, an error or an
        # interrupt in training or in the calibrations after it) returns the
        # network and the estimator to where they were.
        before = self._training_state()
        try:
            with isolated_torch_state(str(net.device)):
                # A different, reproducible stream for every continuation.
                torch.manual_seed(self._seed + self.n_iter_)
                self._train(net, X, epochs, Y, stall=new_data)
                return self._fitted(net, self._seed, X)
        except BaseException:
            self._return_to(before)
            raise

    # -- inference ----------------------------------------------------------

    def _batched(self, fn, X: np.ndarray) -> np.ndarray:
        """Apply ``fn(module, batch)`` to ``X`` with the fitted module (batched_inference)."""
        return batched_inference(
            self.net_.module_, self.net_.device, fn, X, self._inference_modules
        )

    def transform(self, X):
        """Encode ``X`` into its ``n_components``-dimensional code.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The codes, in the input's float dtype (computed in it too).
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False, training=False)
        return self._batched(lambda module, batch: module.encode(batch), X)

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as returned by :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            The reconstructions, in the codes' float dtype. For
            :class:`~skae.EncoderDecoderRegressor`: the predicted targets,
            of shape (n_samples, n_outputs), 2-D even where ``predict``
            returns one column as 1-D.
        """
        check_is_fitted(self)
        X = check_array(X, dtype=float_dtype(X))
        if X.shape[1] != self._n_features_out:  # the fitted code's width, as PCA's components_
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__}."
                f"inverse_transform expects codes of the {self._n_features_out} features "
                "it was fitted to give."
            )
        return self._batched(lambda module, batch: module.decode(batch), X)

    def score_samples(self, X):
        """Negative reconstruction error of each row (higher is better).

        The error is the row's mean squared error in the input's units for
        ``loss="mse"`` and its mean binary cross-entropy for ``loss="bce"``,
        taken on the [0, 1] scale the training data were mapped to.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to reconstruct.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False, training=False)
        # The objective the network was fitted with, whatever set_params has set since.
        scores = self._batched(self._as_built()._row_scores, X)
        overflowed = int(np.isinf(scores).sum())
        if overflowed:  # finite rows, so the float dtype's range was exceeded
            advice = " Pass float64 X for finite scores." if scores.dtype == np.float32 else ""
            warn_user(
                f"score_samples overflowed {scores.dtype} on {overflowed} row(s): their "
                f"scores are below {-np.finfo(scores.dtype).max:g} and are returned as "
                f"-inf.{advice}",
                RuntimeWarning,
            )
        return scores

    def _row_scores(self, module: nn.Module, batch: torch.Tensor) -> torch.Tensor:
        """Per-row score of a batch (higher is better): minus the reconstruction error."""
        output = module(batch)
        if self._loss() == "mse":
            return -((output.reconstruction - batch) ** 2).mean(dim=1)
        target = module.standardize(batch)  # the cross-entropy's targets are on the [0, 1] scale
        return -F.binary_cross_entropy_with_logits(output.decoded, target, reduction="none").mean(1)

    def score(self, X, y=None):
        """Negative mean reconstruction error over ``X`` (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to reconstruct.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Training and inference run in float32; outputs are cast back to
        # the input's float dtype, as PCA returns float32 for float32.
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
