"""Penalties added to the reconstruction loss.

A penalty is any callable ``penalty(output, X, module) -> scalar tensor`` where
``output`` is the module's :class:`~skae.modules.AEOutput`, ``X`` the clean
input batch and ``module`` the autoencoder module. Its weight is part of the
callable (a class with a ``weight`` attribute, or a closure). An optional
``name`` attribute names the column under which the net records the penalty's
per-batch value in its history (``"train_<name>"`` / ``"valid_<name>"``).

Variants regularise by listing penalties; the training loop never changes.
"""

from typing import Protocol

import torch
from torch import nn

from .modules import AEOutput


class Penalty(Protocol):
    def __call__(self, output: AEOutput, X: torch.Tensor, module: nn.Module) -> torch.Tensor: ...


def penalty_name(penalty: Penalty) -> str:
    """The history column name of a penalty."""
    return getattr(penalty, "name", None) or type(penalty).__name__.lower()
