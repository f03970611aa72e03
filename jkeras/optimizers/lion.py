"""Lion: the sign of an interpolated momentum (Chen et al., 2023)."""

from typing import ClassVar

import optax

from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class Lion(Optimizer):
    """Optimizer that implements the Lion algorithm.

    `w -= learning_rate * sign(beta_1 * m + (1 - beta_1) * g)`, then
    `m = beta_2 * m + (1 - beta_2) * g`. Lion's updates have unit magnitude per element, so it
    wants a learning rate 3-10x smaller than AdamW's (and a larger weight decay).

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001`.
        beta_1: float, the interpolation factor of the update. Defaults to `0.9`.
        beta_2: float, the decay rate of the momentum. Defaults to `0.99`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.Lion(learning_rate=1e-4)
    """

    slot_names: ClassVar[dict] = {**Optimizer.slot_names, "mu": "momentum"}

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1}."
            )
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def update_rule(self, learning_rate, iteration):
        # optax's `scale_by_lion` is Keras's rule.
        return optax.chain(
            optax.scale_by_lion(b1=self.beta_1, b2=self.beta_2), optax.scale(-learning_rate)
        )

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config


Lion.__doc__ = Lion.__doc__.replace("{shared_args}", _SHARED_ARGS)
