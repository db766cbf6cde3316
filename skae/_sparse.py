"""SparseAE: reconstruction plus a sparsity penalty Ω(h) on the code."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch.callbacks import Callback
from torch import nn

from ._base import BaseAutoencoder
from ._distributed import all_reduce, broadcast_parameters, unwrap
from ._docstrings import fill_docstring
from ._inference import chunks
from ._penalties import KLSparsity, L1Sparsity
from .modules import TopK

_CODE_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d)


class ReviveDeadUnits(Callback):
    """Re-initialise code units that fired on no training row of a judgement.

    A revived unit's incoming weights point at the representation (input of
    the code layer) of a row it is re-aimed at, with the typical norm and bias
    of the living units, so it wins that row's top k and gets gradients again
    (the "resampling" remedy for dead latents of top-k autoencoders).

    A judgement is made at the end of an epoch on the rows seen since the last
    one, once there are ``min_rows`` of them; until then the units that fired
    carry over to the next epoch. ``fit`` sets 0: its epoch is every training
    row, so each epoch is judged. ``partial_fit`` sets ten rows per unit at
    its average share (k of ``n_components``): a chunk of one row would
    otherwise count every unit outside that row's top k dead.
    """

    def __init__(self, min_rows: float = 0):
        self.min_rows = min_rows

    def initialize(self):
        self._forget()
        self.open_ = False
        return self

    def _forget(self):
        self.fired_, self.rows_, self.seen_ = None, None, 0

    def stream_state(self) -> dict:
        """What a judgement still waiting for rows carries to the next chunk; an
        estimator saves it with its net (:mod:`skae._persistence`)."""
        return {"fired": self.fired_, "rows": self.rows_, "seen": self.seen_}

    def load_stream_state(self, state: dict):
        """Take up ``stream_state()``'s judgement, as it stood between two epochs."""
        self.fired_, self.rows_, self.seen_ = state["fired"], state["rows"], state["seen"]
        self.open_ = False

    def on_epoch_begin(self, net, **kwargs):
        if self.open_:  # the last epoch did not end (early stopping, an error)
            self._forget()
        self.open_ = True

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if not training:
            return
        # Where the batch is: a state loaded from a file is on the CPU.
        fired = (y_pred.code.detach() > 0).any(dim=0)
        self.fired_ = fired if self.fired_ is None else self.fired_.to(fired.device) | fired
        rows = batch[0]
        self.seen_ += len(rows)
        if self.min_rows and self.rows_ is not None:
            # Targets from every batch of the judgement, not its last one (a
            # row), so that revived units do not all point at one row.
            keep = max(len(rows), int(np.ceil(self.min_rows)))
            rows = torch.cat([self.rows_.to(rows.device), rows])[-keep:]
        self.rows_ = rows

    def on_epoch_end(self, net, **kwargs):
        self.open_ = False
        if self.fired_ is None:
            return
        # A data-parallel fit decides from the rows and units of every process.
        seen = all_reduce(torch.tensor(self.seen_, device=self.fired_.device), "sum")
        if seen < self.min_rows:
            return
        fired = all_reduce(self.fired_.to(torch.uint8), "max").bool()
        rows = self.rows_
        self._forget()
        if fired.all() or not fired.any():
            return
        dead = (~fired).nonzero().flatten()
        module = unwrap(net.module_)
        layers = list(module.encoder)
        # The code layer: the last linear layer, or the full-size convolution
        # of a convolutional encoder (a linear map of the feature map under it).
        last = max(i for i, layer in enumerate(layers) if isinstance(layer, _CODE_LAYERS))
        weight, bias = layers[last].weight, layers[last].bias
        with torch.no_grad():
            h = module.standardize(rows.to(weight.device))
            for layer in layers[:last]:
                h = layer(h)
            targets = h[torch.randint(len(h), (len(dead),), device=h.device)].flatten(1)
            alive = fired.nonzero().flatten()
            norm = weight[alive].flatten(1).norm(dim=1).mean()
            directions = targets / targets.norm(dim=1, keepdim=True).clamp_min(1e-8)
            weight[dead] = (directions * norm).view(len(dead), *weight.shape[1:])
            bias[dead] = bias[alive].mean()
        broadcast_parameters(module)  # each process revived from its own rows: take the first's
        net.history.record("revived_units", len(dead))


def code_rms(codes: np.ndarray) -> np.ndarray:
    """Each unit's root mean square over ``codes``' rows; 1 for a unit that never fires."""
    rms = np.sqrt(np.mean(np.square(codes, dtype=np.float64), axis=0))
    rms[~(rms > 0)] = 1.0
    return rms


def energy_factor(X: np.ndarray, codes: np.ndarray) -> float:
    """s with E‖s·h‖² = E‖x − x̄‖² over the rows: the factor that makes codes carry X's energy.

    PCA's codes carry the centred input's energy (all of it at full rank),
    so a linear classifier's L2 penalty costs the same on them as on X.
    Top-k codes in the data's units carry a fraction of it (0.11 on
    standardised iris, 0.17 on breast cancer, 0.32 on digits: overlapping
    unit directions cancel), which acts like a smaller ``C``. X is read a
    block of rows at a time (a memory-mapped X is never loaded whole).
    """
    total, squares, n_rows = 0.0, 0.0, 0
    for block in chunks(X):
        block = np.asarray(block, dtype=np.float64).reshape(len(block), -1)
        total = total + block.sum(axis=0)
        squares += float(np.square(block).sum())
        n_rows += len(block)
    mean = total / n_rows
    centred_energy = squares / n_rows - float(mean @ mean)
    code_energy = float(np.mean(np.square(codes, dtype=np.float64).sum(axis=1)))
    if not (code_energy > 0 and centred_energy > 0):
        return 1.0
    return float(np.sqrt(centred_energy / code_energy))


@fill_docstring
class SparseAE(BaseAutoencoder):
    """Sparse autoencoder: few code units active per input.

    The loss is the reconstruction error plus a sparsity penalty Ω(h) on the
    code h = f(x):

    - ``"kl"``: sigmoid codes and Ω(h) = β Σⱼ KL(ρ ‖ ρ̂ⱼ), ρ̂ⱼ the mean
      activation of unit j over a batch, ρ = ``sparsity_target``;
    - ``"l1"``: ReLU codes and Ω(h) = λ Σⱼ ``|hⱼ|``;
    - ``"topk"``: ReLU codes of which only the ``k`` largest per row are kept
      (exactly k active units, no penalty needed). Units that were never in
      any row's top k during an epoch are re-initialised towards inputs, so
      dead units do not pile up.

    With the penalty doing the regularising, the code may be overcomplete
    (``n_components`` larger than the number of features).

    ReLU codes (``"topk"``, ``"l1"``) are published by ``transform`` in the
    data's units (and ``inverse_transform`` undoes it): each unit's value is
    the length of the reconstruction change it makes, so that a downstream
    linear classifier's L2 penalty weighs a unit by the input-space direction
    it stands for, not by the scale training left it at; zeros stay zeros.
    All units are then multiplied by one factor so that the codes carry the
    centred input's energy, E‖h‖² = E‖x − x̄‖² over the training rows, as
    PCA's codes do (``energy_factor``): without it the overlapping unit
    directions cancel, and a downstream ``LogisticRegression`` sees codes
    carrying a fraction of the energy, as if its ``C`` were smaller
    (``benchmarks/pipeline_seed_draws.py``).

    Parameters
    ----------
    n_components : int, default=256
        Number of code units. An overcomplete code of ReLU units, of which
        few are active per row, is a feature map in which a linear classifier
        separates more than in the input (the k-sparse autoencoder of Makhzani
        & Frey, 2014): on digits and MNIST the default pipeline
        ``SparseAE()`` + ``LogisticRegression()`` beats the classifier on raw
        pixels (``benchmarks/defaults_panel.py``).
    sparsity : {"kl", "l1", "topk"}, default="topk"
        Which sparsity mechanism, as above. ``"topk"`` is the default: its
        ReLU codes keep the input's scale (the KL penalty's sigmoid codes are
        small, and a classifier's L2 penalty flattens them) and its sparsity
        is exact with no weight to tune.
    sparsity_weight : float, default=None
        β for ``"kl"``, λ for ``"l1"``; unused by ``"topk"``. ``None`` means
        0.3 for ``"kl"`` and 0.03 for ``"l1"`` (on digits these keep at least
        80% of the units within a factor 2 of ρ, and zero most ReLU codes, at
        a reconstruction error close to the plain autoencoder's).
    sparsity_target : float, default=0.05
        ρ, the target mean activation of each unit, for ``"kl"``.
    k : int, default=None
        Active units per row for ``"topk"``; ``None`` means
        ``max(1, n_components // 4)``.
    transform_k : int, default=None
        Active units per row in the codes of the fitted network, for
        ``"topk"``; ``None`` means ``k``. Training keeps ``k`` active units;
        ``transform`` then encodes each row with its ``transform_k`` largest,
        as Makhzani & Frey's k-sparse autoencoder encodes with more units
        than it trained with (αk, α > 1) to feed a classifier:
        ``SparseAE(n_components=1000, k=25)`` + ``LogisticRegression()``
        errs on 3.01% of 10,000 MNIST validation images with 25 units, on
        2.44% with ``transform_k=50`` and on 2.39% with 75
        (``benchmarks/ksparse_trials.py``). Like dropout, the layer knows
        training mode from eval mode: whatever the fitted network computes
        in eval mode uses ``transform_k`` (``transform``, ``score``,
        validation scores, ``active_fraction_``, ``dead_units_``), so
        ``inverse_transform(transform(X))`` decodes codes the decoder was
        not trained on (there, with a lower error than from k units).
    tied : bool, default=False
        Decode with the transpose of the encoder's weights (each decoder
        layer with a bias of its own), as Makhzani & Frey's k-sparse
        autoencoder does: a unit writes back the direction it reads, so its
        code is a match score against one input pattern and the decoder
        cannot turn it into another. ``LogisticRegression()`` on the codes
        of ``SparseAE(n_components=1000, k=25, tied=True)`` errs on 1.86% of
        10,000 MNIST validation images, 1.49% with ``transform_k=75``,
        against 3.01% and 2.39% untied (``benchmarks/ksparse_trials.py``).
        Untied is the default: at the default size a tied decoder ranks
        just below it on the validation rows of
        ``benchmarks/sparse_defaults_trials.py`` (+0.75 points on MNIST,
        -0.17 on breast cancer, the same on digits and wine), and on the
        small tables of ``benchmarks/pipeline_code_arms.py`` it left the
        pipeline's validation accuracy where it was (within noise).
    hidden_layer_sizes : tuple of int, default=()
        Encoder hidden widths; the default is the classic single-layer sparse
        autoencoder, whose code is its hidden layer.
    activation : str, default="elu"
        Non-linearity of the hidden layers (the code's own is set by
        ``sparsity``).
    {shared}
    Attributes
    ----------
    active_fraction_ : float
        Mean fraction of code units active per training row (active: above
        0.5 for sigmoid codes, above 0 for ReLU codes); ``partial_fit`` joins
        each chunk's to the last chunk's, weighted by their rows.
    dead_units_ : int
        Number of code units active on no training row (of any chunk).
    {fitted}
    See Also
    --------
    Autoencoder : The unregularised, undercomplete autoencoder.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import SparseAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = SparseAE(sparsity="topk", k=4, max_epochs=5, random_state=0).fit(X)
    >>> int(((ae.transform(X) > 0).sum(axis=1) <= 4).all())
    1
    """

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "sparsity": [StrOptions({"kl", "l1", "topk"})],
        "sparsity_weight": [Interval(Real, 0, None, closed="left"), None],
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
        "k": [Interval(Integral, 1, None, closed="left"), None],
        "transform_k": [Interval(Integral, 1, None, closed="left"), None],
        "tied": ["boolean"],
    }
    _regularised = True

    def __init__(
        self,
        n_components=256,
        *,
        sparsity="topk",
        sparsity_weight=None,
        sparsity_target=0.05,
        k=None,
        transform_k=None,
        tied=False,
        hidden_layer_sizes=(),
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
        super().__init__(
            n_components,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            architecture=architecture,
            image_shape=image_shape,
            channels=channels,
            loss=loss,
            max_steps=max_steps,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            device=device,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            net_params=net_params,
        )
        self.sparsity = sparsity
        self.sparsity_weight = sparsity_weight
        self.sparsity_target = sparsity_target
        self.k = k
        self.transform_k = transform_k
        self.tied = tied

    def _validate_params(self):
        super()._validate_params()
        if self.sparsity != "topk":
            return
        for name in ("k", "transform_k"):
            value = getattr(self, name)
            if value is not None and value > self._code_size():
                # As PCA refuses more components than features. At fit only: a model
                # saved before this check, with such a k, loads as it behaved.
                raise ValueError(
                    f"{name}={value} is more than n_components={self.n_components}: a "
                    "top-k code keeps at most all of its units active."
                )

    def _k(self) -> int:
        if self.k is None:
            return max(1, self._code_size() // 4)
        return min(int(self.k), self._code_size())

    def _transform_k(self) -> int | None:
        # getattr: a model saved before transform_k existed encodes with k.
        value = getattr(self, "transform_k", None)
        return None if value is None else min(int(value), self._code_size())

    def _module_params(self, X) -> dict:
        code = (
            TopK(self._k(), self._transform_k())
            if self.sparsity == "topk"
            else {"kl": "sigmoid", "l1": "relu"}[self.sparsity]
        )
        # getattr: a model saved before tied existed was untied.
        tied = getattr(self, "tied", False)
        return {"activation": self.activation, "code_activation": code, "tied": tied}

    def _callbacks(self) -> list:
        return [("revive_dead_units", ReviveDeadUnits())] if self.sparsity == "topk" else []

    def _train(self, net, X, epochs, Y=None, **kwargs):
        revive = dict(net.callbacks_).get("revive_dead_units")
        if revive is not None:  # fit (epochs=None) judges every epoch: it is every row
            revive.min_rows = 0 if epochs is None else 10 * self._code_size() / self._k()
        return super()._train(net, X, epochs, Y, **kwargs)

    def _penalties(self, X: np.ndarray) -> list:
        weight = self.sparsity_weight
        if self.sparsity == "kl":
            return [KLSparsity(0.3 if weight is None else weight, self.sparsity_target)]
        if self.sparsity == "l1":
            return [L1Sparsity(0.03 if weight is None else weight)]
        return []

    def _record_diagnostics(self, X):
        module = self.net_.module_
        before = module.code_scale  # set on earlier chunks' rows (partial_fit)
        module.code_scale = torch.ones((), device=module.mean.device)
        codes = self._batched(lambda module, batch: module.encode(batch), X)
        if self.sparsity != "kl":  # sigmoid (KL) codes keep their (0, 1) range
            scale = self._publishing_scale(module, X, codes)
            module.code_scale = self._joined_calibration(before, scale, len(X))
        active = codes > (0.5 if self.sparsity == "kl" else 0.0)
        # Each unit's share of active rows (joined to earlier chunks' by partial_fit).
        activity = active.reshape(len(active), -1).mean(axis=0)
        activity = self._joined_calibration(getattr(self, "_unit_activity", None), activity, len(X))
        self._unit_activity = activity
        self.active_fraction_ = float(activity.mean())
        self.dead_units_ = int(np.sum(activity == 0))

    def _publishing_scale(self, module, X, codes: np.ndarray) -> torch.Tensor:
        """The divisor of each ReLU unit's code: the data's units, then one common
        factor so that the published codes carry X's centred energy."""
        unit_scale = self._data_unit_scale(module, codes)
        published = codes.reshape(len(codes), -1) / unit_scale.cpu().numpy().reshape(1, -1)
        return unit_scale / energy_factor(X, published)

    @staticmethod
    def _data_unit_scale(module, codes: np.ndarray) -> torch.Tensor:
        """The divisor that publishes each ReLU unit in the data's units.

        Unit j's published value is its code times the length (in the
        data's units) of the reconstruction change it makes per unit of
        code, measured from the zero code at its root mean square activity:
        the exact column norm for the default linear decoder. A linear
        classifier on the codes then pays its L2 penalty for the input-space
        direction each weight stands for, as it would on the input itself,
        rather than for the scale training left the unit at. On the
        validation rows of ``benchmarks/sparse_defaults_trials.py`` the
        pipeline on codes in the data's units (before the energy factor)
        scores 0.970 on breast cancer and 0.929 on MNIST, against 0.965 and
        0.922 with every unit at root mean square 1 (the same on digits and
        wine). Zeros stay zeros.
        """
        rms = code_rms(codes)
        device = module.mean.device
        n_units = len(rms)
        length = np.empty(n_units)
        with torch.no_grad():
            zero = module.decode(torch.zeros((1, n_units), device=device))
            # One unit on per row, a bounded block of units at a time.
            for start in range(0, n_units, 1024):
                block = torch.zeros((min(1024, n_units - start), n_units), device=device)
                rows = torch.arange(len(block), device=device)
                block[rows, rows + start] = torch.as_tensor(
                    rms[start : start + len(block)], dtype=torch.float32, device=device
                )
                change = (module.decode(block) - zero).flatten(1).double().norm(dim=1)
                length[start : start + len(block)] = change.cpu().numpy()
        length /= rms
        # A unit that decodes to nothing keeps its raw code (a zero divisor
        # would make inverse_transform multiply by infinity).
        length[~(np.isfinite(length) & (length > 0))] = 1.0
        return torch.as_tensor(1.0 / length, dtype=torch.float32, device=device)
