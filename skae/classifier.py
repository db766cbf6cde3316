"""EncoderClassifier: a (pre)trained autoencoder's encoder plus a classification head."""

import copy
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone, is_regressor
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNet
from torch import nn

from ._base import (
    OPTIMIZERS,
    BaseAutoencoder,
    _seed_from,
    _silent,
    shared_net_params,
    unchanged_if_it_fails,
)
from ._budget import StallStopping
from ._data import ArrayDataset, BatchIterator
from ._denoising import DenoisingAE
from ._distributed import (
    accelerated,
    data_parallel,
    data_parallel_params,
    make_accelerator,
    shared_seed,
)
from ._float32 import float_dtype
from ._inference import InferenceModules, as_tensor, batched_inference
from ._net import StopOnDivergence, resolve_device
from ._persistence import PortableNetMixin, restore_net
from ._threads import forward_work_per_row, threads_for, torch_threads
from ._torch_state import isolated_torch_state

UNLABELED = -1


def _unlabelled(y: np.ndarray) -> np.ndarray:
    """Rows whose label is -1: in a numeric ``y``, or the number -1 among an object
    ``y``'s labels (string classes with -1 for the unlabelled rows, as
    SelfTrainingClassifier takes them). A string array's "-1" is a class name."""
    if y.dtype.kind in "iuf":
        return y == UNLABELED
    if y.dtype.kind == "O":
        return np.array(
            [isinstance(v, Real) and not isinstance(v, bool) and v == UNLABELED for v in y], bool
        )
    return np.zeros(len(y), bool)


class EncoderWithHead(nn.Module):
    """logits = head((encode(x) − μ_code) / σ_code).

    The codes are standardised with fixed statistics of the pretraining data,
    so the head starts on unit-scale inputs whatever the autoencoder. A frozen
    encoder stays in eval mode and gets no gradients.
    """

    def __init__(
        self, autoencoder: nn.Module, codes: torch.Tensor, n_classes: int, fine_tune: bool
    ):
        super().__init__()
        self.autoencoder = autoencoder
        self.register_buffer("code_mean", codes.mean(dim=0))
        self.register_buffer("code_scale", codes.std(dim=0).clamp_min(1e-6))
        self.head = nn.Linear(codes.shape[1], n_classes)
        self.fine_tune = fine_tune
        autoencoder.requires_grad_(fine_tune)

    def train(self, mode: bool = True):
        super().train(mode)
        if not self.fine_tune:
            # A frozen encoder must not corrupt or sample: it is a fixed feature map.
            self.autoencoder.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        code = (self.autoencoder.encode(x) - self.code_mean) / self.code_scale
        return self.head(code)


class EncoderClassifier(PortableNetMixin, ClassifierMixin, BaseEstimator):
    """Classify with an autoencoder's encoder, pretrained on all rows, labelled or not.

    ``fit`` first trains the autoencoder to reconstruct every row of ``X``
    (rows with ``y == -1`` are unlabelled, scikit-learn's semi-supervised
    convention, and serve only this pretraining), then trains a linear
    classification head on the codes of the labelled rows. With
    ``fine_tune=True`` the encoder trains together with the head (the
    pretrained weights are the initialisation); with ``fine_tune=False`` it is
    frozen. This matters most when labels are few: the encoder has learnt the
    data's structure from all the rows.

    Parameters
    ----------
    autoencoder : skae autoencoder, default=None
        A fitted autoencoder is used as it is (a copy, which fine-tuning may
        change); an unfitted one is cloned and fitted on ``X``. ``clone`` (as
        in ``GridSearchCV`` and ``cross_val_score``) unfits it; wrapped in
        ``sklearn.frozen.FrozenEstimator`` it stays fitted. ``None`` means
        ``DenoisingAE(n_components=min(32, n_features))``: denoising is the
        classic pretraining (stacked denoising autoencoders) and gave the best
        few-label accuracy on digits.
    fine_tune : bool, default=True
        Train the encoder together with the head.
    max_epochs : int, default=300
        Maximum number of passes over the labelled rows (with few labels a
        pass is a single step, hence the generous default).
    batch_size : int, default=64
        Rows per gradient step of the classifier.
    lr : float, default=1e-3
        Learning rate of the classifier's training (Adam).
    weight_decay : float, default=0.0
        L2 penalty of the classifier's training.
    n_iter_no_change : int, default=10
        Stop when the training loss has not improved by ``tol`` (relative) for
        this many epochs.
    tol : float, default=1e-4
        Smallest relative improvement that counts.
    device : {"cpu", "cuda", "auto"}, default="auto"
        Where torch computes the classifier.
    random_state : int, RandomState instance or None, default=None
        Seeds the head, the shuffling and, when not None, the autoencoder's
        own ``random_state``.
    verbose : int, default=0
        1 prints one line per epoch of the classifier's training.

    Attributes
    ----------
    autoencoder_ : skae autoencoder
        The pretrained autoencoder (before fine-tuning).
    net_ : skorch.NeuralNet
        The trained encoder-plus-head network.
    classes_ : ndarray of shape (n_classes,)
        Class labels (without the unlabelled marker).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.
    n_iter_ : int
        Epochs of the classifier's training.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import Autoencoder, EncoderClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> y_few = np.where(np.arange(len(y)) < 200, y, -1)  # 200 labels, the rest unlabelled
    >>> clf = EncoderClassifier(Autoencoder(n_components=16, max_epochs=5), random_state=0)
    >>> clf.fit(X, y_few).predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "autoencoder": [HasMethods(["fit", "transform"]), None],
        "fine_tune": ["boolean"],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        autoencoder=None,
        fine_tune=True,
        *,
        max_epochs=300,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        n_iter_no_change=10,
        tol=1e-4,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.autoencoder = autoencoder
        self.fine_tune = fine_tune
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _pretrained(self, X):
        autoencoder = self.autoencoder
        if autoencoder is None:
            autoencoder = DenoisingAE(n_components=min(32, X.shape[1]))
        if isinstance(autoencoder, FrozenEstimator):  # fitted, and kept fitted by clone
            autoencoder = autoencoder.estimator
        if not isinstance(autoencoder, BaseAutoencoder) or is_regressor(autoencoder):
            # The head sits on the autoencoder's torch encoder, which only a
            # skae autoencoder has; a regressor would need paired targets.
            raise TypeError(
                "autoencoder must be a skae autoencoder (Autoencoder, DenoisingAE, "
                f"VAE, ...), got {type(autoencoder).__name__}."
            )
        if hasattr(autoencoder, "net_"):  # already fitted: use it as it is
            if autoencoder.n_features_in_ != X.shape[1]:
                raise ValueError(
                    f"X has {X.shape[1]} features, but the fitted autoencoder expects "
                    f"{autoencoder.n_features_in_}."
                )
            names = getattr(autoencoder, "feature_names_in_", None)
            if names is not None and hasattr(self, "feature_names_in_"):
                if list(names) != list(self.feature_names_in_):
                    raise ValueError(
                        "X's columns are not the ones the fitted autoencoder was fitted "
                        f"on, in its order: {list(names)}."
                    )
            autoencoder = copy.deepcopy(autoencoder)
            # The classifier checks feature names at its own boundary and
            # hands the copy arrays: names kept here would make it warn.
            autoencoder.__dict__.pop("feature_names_in_", None)
            return autoencoder
        autoencoder = clone(autoencoder)
        if self.random_state is not None:
            autoencoder.set_params(random_state=self.random_state)
        return autoencoder.fit(X)

    @_fit_context(prefer_skip_nested_validation=False)
    @unchanged_if_it_fails
    def fit(self, X, y):
        """Pretrain the autoencoder on all rows, then train encoder and head on the labelled ones.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            All rows, labelled or not.
        y : array-like of shape (n_samples,)
            Labels; ``-1`` marks an unlabelled row.

        Returns
        -------
        self : object
        """
        X, y = validate_data(self, X, y, dtype=float_dtype(X))
        labelled = ~_unlabelled(y)
        if not labelled.any():
            raise ValueError("y has no labelled row: every label is -1 (unlabelled).")
        check_classification_targets(y[labelled])  # -1 beside string classes is no class
        self.classes_, label_index = np.unique(y[labelled], return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                "EncoderClassifier needs labelled rows of at least 2 classes; got 1 class "
                f"({self.classes_[0]}). Rows labelled -1 are unlabelled."
            )
        self.autoencoder_ = self._pretrained(X)
        device = resolve_device(self.device)
        seed = _seed_from(self.random_state)
        # Fine-tuning runs data-parallel when the autoencoder's fit did.
        requested = (self.autoencoder_.net_params or {}).get("accelerator")
        accelerator = make_accelerator(requested, True) if requested else None
        if accelerator is not None:
            seed = shared_seed(seed, accelerator)
        with isolated_torch_state(device):
            torch.manual_seed(seed)
            codes = torch.from_numpy(self.autoencoder_.transform(X).astype(np.float32))
            module = EncoderWithHead(
                copy.deepcopy(self.autoencoder_.net_.module_),
                codes,
                len(self.classes_),
                self.fine_tune,
            )
            net = self._new_net(module, device, accelerator, seed).initialize()
            target = torch.from_numpy(label_index.astype(np.int64))
            work = forward_work_per_row(module, X.shape[1]) * min(self.batch_size, len(X))
            with torch_threads(threads_for(work)), data_parallel(net):
                net.partial_fit(ArrayDataset(as_tensor(X[labelled]), target), None)
        net.module_.eval()  # ready for inference as soon as it is fitted
        self.net_ = net
        self._inference_modules = InferenceModules(X.shape[1])
        self.n_iter_ = len(net.history)
        return self

    def _new_net(
        self, module: EncoderWithHead, device: str, accelerator=None, seed: int = 0
    ) -> NeuralNet:
        """The skorch net that trains ``module``; data-parallel with an ``accelerator``."""
        sink = print if self.verbose else _silent
        stopper = StallStopping(
            monitor="train_loss", patience=self.n_iter_no_change, threshold=self.tol, sink=sink
        )
        net_class, params = NeuralNet, {}
        if accelerator is not None:
            net_class, params = accelerated(NeuralNet), data_parallel_params(accelerator, seed)
            device = None  # the accelerator places the module
        params = shared_net_params(params, OPTIMIZERS["adam"], self.verbose, accelerator, device)
        return net_class(
            module=module,
            criterion=nn.CrossEntropyLoss,
            optimizer=OPTIMIZERS["adam"],
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_valid=BatchIterator,
            train_split=None,
            callbacks=[("early_stopping", stopper), ("stop_on_divergence", StopOnDivergence())],
            device=device,
            verbose=int(self.verbose),
            **params,
        )

    def _restore_net(self, record: dict, device: str) -> NeuralNet:
        """The fitted net, rebuilt at load (:mod:`skae._persistence`) from ``record``."""
        n_components = self.autoencoder_._n_features_out  # fitted, whatever set_params says
        module = EncoderWithHead(
            copy.deepcopy(self.autoencoder_.net_.module_),
            torch.zeros(2, n_components),  # statistics overwritten by the saved ones
            len(self.classes_),
            self.fine_tune,
        )
        return restore_net(self._new_net(module, device).initialize(), record)

    def _restored(self):
        self._inference_modules = InferenceModules(self.n_features_in_)

    def predict_proba(self, X):
        """Class probabilities (softmax of the head's logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=float_dtype(X))
        proba = batched_inference(
            self.net_.module_,
            self.net_.device,
            lambda m, b: torch.softmax(m(b), dim=1),
            X,
            self._inference_modules,
        )
        return proba.astype(np.float64)

    def predict(self, X):
        """Most probable class of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
