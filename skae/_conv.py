"""ConvAE: the convolutional autoencoder for images given as flat rows."""

from ._base import BaseAutoencoder
from ._docstrings import fill_docstring


@fill_docstring
class ConvAE(BaseAutoencoder):
    """Convolutional autoencoder: strided convolutions down, transposed ones up.

    Rows of ``X`` are flattened images, as for PCA; the module reshapes them
    to ``image_shape``. Each encoder layer is a 3×3 convolution with stride 2
    that halves height and width; a last convolution as large as the remaining
    feature map gives an (``n_components``, 1, 1) code, which ``transform``
    returns flat. The decoder mirrors the encoder with transposed convolutions
    back to the exact image size. Weight sharing over the image and locality
    make it a better image model than an MLP of the same size.

    It is the ``architecture="conv"`` of :class:`Autoencoder`; every other
    variant (:class:`DenoisingAE`, :class:`SparseAE`, :class:`VAE`, …) takes
    the same ``architecture="conv"``, ``image_shape`` and ``channels``.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code: the channels of the (n_components, 1, 1) bottleneck.
    image_shape : tuple of int, default=None
        ``(channels, height, width)`` or ``(height, width)`` of the images that
        the rows of ``X`` flatten (in C order, as ``images.reshape(n, -1)``).
        ``None`` reads the features as a one-channel 1-D signal, so that any
        tabular data works. A shape that does not hold ``n_features`` values
        is a ``ValueError`` at fit.
    channels : tuple of int, default=(32, 64)
        Channels of the strided 3×3 convolutions, first to last; the decoder
        mirrors them.
    activation : str, default="elu"
        Non-linearity after each convolution but the code's and the output's.
    {shared}
    Attributes
    ----------
    {fitted}
    See Also
    --------
    Autoencoder : The fully connected autoencoder.
    sklearn.decomposition.PCA : The linear baseline.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ConvAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = ConvAE(n_components=4, image_shape=(8, 8), max_epochs=3, random_state=0)
    >>> ae.fit_transform(X).shape
    (1797, 4)
    >>> ae.inverse_transform(ae.transform(X[:2])).shape
    (2, 64)
    """

    _parameter_constraints: dict = {
        k: v
        for k, v in BaseAutoencoder._parameter_constraints.items()
        if k not in ("architecture", "hidden_layer_sizes")
    }

    def __init__(
        self,
        n_components=2,
        *,
        image_shape=None,
        channels=(32, 64),
        activation="elu",
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
        self.image_shape = image_shape
        self.channels = channels
        self.activation = activation
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

    def _architecture(self) -> str:
        return "conv"
