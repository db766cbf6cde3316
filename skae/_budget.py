"""The training budget: how long every skae fit trains, in optimizer steps.

One rule serves every estimator, whatever the data's size:

- **Steps.** A fit takes ``max_steps`` optimizer steps. ``"auto"`` is
  ``AUTO_EPOCHS`` passes over the data, but never fewer than ``MIN_STEPS``
  nor more than ``MAX_STEPS`` steps: 100 rows get thousands of steps (an
  epoch-counted budget gives them a few hundred, too few to converge), a
  million rows get a few passes (an epoch-counted budget gives them hours).
  The steps are rounded up to whole epochs, and ``max_epochs`` (when set)
  caps the epochs.
- **Schedule.** The learning rate follows a cosine from ``lr`` down to zero
  over the planned steps (:class:`CosineDecay`), so the last steps settle
  into the minimum instead of bouncing around it at full ``lr``.
- **Stall.** Training stops early when the monitored loss has not improved by
  ``tol`` for ``n_iter_no_change`` epochs spanning at least
  ``STALL_FRACTION`` of the planned steps (on 100 rows an epoch is one or two
  noisy steps, so a count of epochs alone would stop at random). ``tol`` is
  relative to the loss's magnitude, whatever its sign (:class:`StallStopping`).
"""

import math

from skorch.callbacks import Callback, EarlyStopping

AUTO_EPOCHS = 100
MIN_STEPS = 4_000
MAX_STEPS = 80_000
STALL_FRACTION = 0.25


def planned_steps(max_steps, steps_per_epoch: int) -> int:
    """Optimizer steps a fit plans for, before rounding to whole epochs."""
    if max_steps != "auto":
        return int(max_steps)
    return min(max(AUTO_EPOCHS * steps_per_epoch, MIN_STEPS), MAX_STEPS)


def plan_epochs(n_rows: int, batch_size: int, max_steps, max_epochs) -> tuple[int, int]:
    """Epochs and steps per epoch of a fit on ``n_rows`` training rows."""
    steps_per_epoch = max(1, math.ceil(n_rows / batch_size))
    epochs = math.ceil(planned_steps(max_steps, steps_per_epoch) / steps_per_epoch)
    if max_epochs is not None:
        epochs = min(epochs, max_epochs)
    return max(epochs, 1), steps_per_epoch


def stall_patience(n_iter_no_change: int, epochs: int) -> int:
    """Epochs without improvement before stopping, spanning enough steps to mean a stall."""
    return max(n_iter_no_change, math.ceil(STALL_FRACTION * epochs))


class StallStopping(EarlyStopping):
    """skorch's ``EarlyStopping``, with a relative ``threshold`` that also holds below zero.

    skorch moves the bar by ``threshold * score``: for a negative loss (a
    Gaussian likelihood with a learnt variance goes below zero once the
    reconstruction is closer than the noise scale) that bar lies *above* the
    best score, so an epoch slightly worse than the best counts as a gain, the
    stall never ends the fit, and ``load_best`` may keep a worse epoch. The bar
    moves by ``threshold * |score|`` here, the same as skorch's for a positive
    loss (skorch-dev/skorch#1065 proposes this fix upstream).
    """

    def _calc_new_threshold(self, score):
        if self.threshold_mode != "rel":
            return super()._calc_new_threshold(score)
        change = self.threshold * abs(score)
        return score - change if self.lower_is_better else score + change


class CosineDecay(Callback):
    """Anneal every parameter group's learning rate from its initial value to zero.

    ``total_steps`` is set by the estimator before each fit (it depends on the
    data's size); each training batch moves one step along
    ``lr · (1 + cos(π t / total_steps)) / 2``. A fit continued with
    ``warm_start`` or ``partial_fit`` runs a schedule of its own, from ``lr``.
    """

    def __init__(self, total_steps: int | None = None):
        self.total_steps = total_steps

    def on_train_begin(self, net, **kwargs):
        self.step_ = 0

    def on_batch_begin(self, net, training=False, **kwargs):
        if not training or not self.total_steps:
            return
        progress = min(self.step_ / self.total_steps, 1.0)
        factor = 0.5 * (1.0 + math.cos(math.pi * progress))
        for group in net.optimizer_.param_groups:
            group["lr"] = net.lr * factor
        self.step_ += 1
