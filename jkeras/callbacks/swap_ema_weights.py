"""`SwapEMAWeights`: evaluate and predict with the optimizer's moving averages (`use_ema`)."""

import jax.numpy as jnp

from jkeras.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swaps the model's weights with the optimizer's exponential moving averages around
    evaluation and prediction (and, with `swap_on_epoch`, around each epoch's end, so that
    validation and checkpoints see the averages).

    The optimizer (or, for a `LossScaleOptimizer`, its inner optimizer; for a
    `MultiOptimizer`, each inner optimizer with `use_ema`) must have `use_ema=True`.

    Args:
        swap_on_epoch: whether to hold the averages in the model from each epoch's end to the
            next epoch's beginning. Defaults to `False`.

    Example:
        >>> model.compile(optimizer=jkeras.optimizers.SGD(use_ema=True), loss="mse")
        >>> model.fit(x, y, callbacks=[SwapEMAWeights(swap_on_epoch=True)])
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self.averages_in_model = False

    def _ema_optimizers(self):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if hasattr(optimizer, "optimizers"):
            chosen = [o for o in optimizer.optimizers if getattr(o, "use_ema", False)]
            if not chosen:
                raise ValueError(
                    "SwapEMAWeights must be used when at least one inner optimizer has "
                    "`use_ema=True` set. Received a MultiOptimizer with all inner optimizers "
                    "having `use_ema=False`."
                )
            return chosen
        if not optimizer.use_ema:
            raise ValueError(
                "SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
                f"Received: use_ema={optimizer.use_ema}"
            )
        return [optimizer]

    def _swap(self):
        for optimizer in self._ema_optimizers():
            for variable, average in zip(optimizer.averaged_variables, optimizer.moving_averages):
                value = variable.value
                variable.assign(average.value)
                average.assign(value)

    def _copy_model_into_averages(self):
        for optimizer in self._ema_optimizers():
            for variable, average in zip(optimizer.averaged_variables, optimizer.moving_averages):
                average.assign(jnp.copy(variable.value))  # not aliased: steps donate both

    def _hold_averages(self, hold):
        if self.averages_in_model != hold:
            self._swap()
            self.averages_in_model = hold

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._hold_averages(False)

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self.averages_in_model:
            self._hold_averages(True)
            # `fit` ends by writing the averages into the model (`finalize_variable_values`):
            # after the last epoch they must be the averages, not the swapped-out weights.
            if epoch == self.params["epochs"] - 1:
                self._copy_model_into_averages()

    def on_test_begin(self, logs=None):
        self._hold_averages(True)

    def on_test_end(self, logs=None):
        self._hold_averages(False)

    def on_predict_begin(self, logs=None):
        self._hold_averages(True)

    def on_predict_end(self, logs=None):
        self._hold_averages(False)
