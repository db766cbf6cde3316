"""Starting an autoencoder at PCA's solution.

An undercomplete autoencoder with a linear path (:class:`~skae.modules.LinearPath`)
whose affine maps are PCA's projection and reconstruction starts with PCA's
training error exactly; its hidden layers start at zero and only add what
training finds beyond the principal subspace. With a held-out check on the
way (``early_stopping``), the fitted model is never far worse than PCA, even
on 100 nearly linear rows where a randomly started network overfits.
"""

import numpy as np
import torch


def principal_axes(chunks, mean: np.ndarray, scale: float, n_components: int) -> np.ndarray:
    """The top ``n_components`` principal axes, shape (n_features, n_components).

    ``chunks`` yields row blocks of the data; the scatter of the
    standardised rows is accumulated a block at a time, so a memory-mapped X
    is never loaded whole. Each block's product is taken in float32 (a
    fraction of float64's time; a block holds a few thousand centred rows)
    and summed in float64.
    """
    n_features = len(mean)
    scatter = np.zeros((n_features, n_features))
    for chunk in chunks:
        centred = ((chunk - mean) / scale).astype(np.float32, copy=False)
        scatter += centred.T @ centred
    _, vectors = np.linalg.eigh(scatter)  # ascending eigenvalues
    k = min(n_components, n_features)
    return vectors[:, ::-1][:, :k].copy()  # a copy: torch refuses negative strides


def start_at_pca(module, axes: np.ndarray) -> None:
    """Set the linear paths of ``module`` to PCA's projection and reconstruction."""
    encoder_linear = module.encoder[0].linear
    decoder_linear = module.decoder.linear
    k = axes.shape[1]
    weights = torch.as_tensor(axes, dtype=encoder_linear.weight.dtype)
    with torch.no_grad():
        # Code units beyond the data's rank (an overcomplete code) keep their
        # random start.
        encoder_linear.weight[:k] = weights.T
        encoder_linear.bias.zero_()
        decoder_linear.weight[:, :k] = weights
        decoder_linear.weight[:, k:] = 0.0
        decoder_linear.bias.zero_()
