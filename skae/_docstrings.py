"""Parameter documentation shared by every autoencoder's docstring."""

import inspect
import re

SHARED_PARAMETERS = """\
    architecture : {"mlp", "conv"}, default=<architecture>
        The layers of encoder and decoder: fully connected (``"mlp"``, widths
        from ``hidden_layer_sizes``) or convolutional (``"conv"``, the layers
        of :class:`ConvAE`: strided convolutions with ``channels``, over rows
        shaped by ``image_shape``).
    image_shape : tuple of int, default=<image_shape>
        ``(channels, height, width)`` or ``(height, width)`` of the images that
        the rows of ``X`` flatten (in C order, as ``images.reshape(n, -1)``).
        ``None`` reads the features as a one-channel 1-D signal. A shape that
        does not hold ``n_features`` values is a ``ValueError`` at fit.
    channels : tuple of int, default=<channels>
        Channels of the encoder's strided 3×3 convolutions (each halves the
        image's height and width) for ``architecture="conv"``; the decoder
        mirrors them with transposed convolutions.
    loss : {"mse", "bce"}, default=<loss>
        Reconstruction loss. ``"mse"`` is the squared error (PCA's objective);
        ``"bce"`` is the binary cross-entropy, with a sigmoid output, suited to
        data in [0, 1] such as pixel intensities. Other data are mapped into
        [0, 1] by one affine map learnt at fit (the training minimum to 0, the
        maximum to 1), and the reconstructions mapped back.
    max_steps : int or "auto", default=<max_steps>
        Training budget in optimizer steps, rounded up to whole epochs.
        ``"auto"`` is 100 epochs, but at least 4,000 and at most 80,000 steps,
        so that 100 rows and a million rows both converge in a time their
        size needs. The learning rate is cosine-annealed from ``lr`` to zero
        over the budget. See :mod:`skae._budget` for the rule.
    max_epochs : int, default=<max_epochs>
        Cap on the passes over the training data; ``None`` leaves the budget
        to ``max_steps``.
    batch_size : int, default=<batch_size>
        Rows per gradient step.
    lr : float, default=<lr>
        Learning rate.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
default=<optimizer>
        Optimizer of the weights.
    weight_decay : float, default=<weight_decay>
        L2 penalty passed to the optimizer.
    early_stopping : bool or "auto", default=<early_stopping>
        Hold out ``validation_fraction`` of the rows, stop when their loss has
        not improved by ``tol`` (relative) for ``n_iter_no_change`` epochs and
        restore the best weights. Without it, training stops when the
        training loss stalls in the same way, as in ``MLPRegressor``. Either
        way the patience spans at least a quarter of the planned epochs.
        ``"auto"`` holds out rows when that leaves at least 10 of them for
        validation.
    validation_fraction : float, default=<validation_fraction>
        Share of rows held out when early stopping is on.
    n_iter_no_change : int, default=<n_iter_no_change>
        Epochs without improvement before stopping (and at least a quarter of
        the planned epochs: see the training budget).
    tol : float, default=<tol>
        Smallest improvement of the monitored loss that counts, relative to
        the loss's magnitude (so that it holds for a loss below zero too).
    device : {"cpu", "cuda", "auto"}, default=<device>
        Where torch computes; ``"auto"`` takes a CUDA GPU when there is one.
    random_state : int, RandomState instance or None, default=<random_state>
        Seeds weight initialisation, shuffling and the validation split. The
        same value gives the same model; ``fit`` leaves the global torch and
        numpy random states untouched.
    verbose : int, default=<verbose>
        0 is silent; 1 prints one line per epoch (train loss, validation loss,
        seconds).
    warm_start : bool, default=<warm_start>
        Let ``fit`` continue from the current weights instead of starting
        again.
    net_params : dict, default=<net_params>
        Extra keyword arguments of the skorch ``NeuralNet`` (the escape hatch),
        for example ``{"callbacks": [...]}``; callbacks are added to skae's.
"""

FITTED_ATTRIBUTES = """\
    net_ : skae._net.AutoencoderNet
        The trained skorch net; ``net_.module_`` is the torch module.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.
    n_iter_ : int
        Number of epochs trained.
    loss_curve_ : list of float
        Training loss (on the standardised scale) of each epoch.
    validation_scores_ : list of float
        Negative validation loss of each epoch; only with ``early_stopping``.
        NaN for the epochs of ``partial_fit``, which hold no rows out.
    history_ : skorch.History
        Everything skorch recorded, per epoch and per batch.
"""


def fill_docstring(cls):
    """Class decorator: insert the shared sections where ``{shared}`` and
    ``{fitted}`` stand, with each ``<name>`` replaced by the class's own default.
    """
    parameters = inspect.signature(cls.__init__).parameters
    # Keep the shared entries of the parameters this class has (a VAE has
    # no ``loss``: its likelihood decides) and does not document itself.
    entries = re.split(r"(?m)^(?=    \w+ : )", SHARED_PARAMETERS)
    shared = "".join(
        e
        for e in entries
        if e
        and (name := e.split(" : ")[0].strip()) in parameters
        and f"\n    {name} : " not in cls.__doc__
    )
    doc = cls.__doc__.replace("    {shared}\n", shared)
    doc = doc.replace("    {fitted}\n", FITTED_ATTRIBUTES)
    for name, param in parameters.items():
        if param.default is not inspect.Parameter.empty:
            doc = doc.replace(f"<{name}>", repr(param.default).replace("'", '"'))
    cls.__doc__ = doc
    return cls
