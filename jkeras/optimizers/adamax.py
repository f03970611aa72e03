"""Adamax: Adam with the infinity norm in place of the second moment (Kingma & Ba, 2014)."""

import optax

from jkeras.optimizers import transforms
from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class Adamax(Optimizer):
    """Optimizer that implements the Adamax algorithm.

    `m = beta_1 * m + (1 - beta_1) * g`, `u = max(beta_2 * u, |g|)`, then
    `w -= learning_rate * m / ((1 - beta_1**t) * (u + epsilon))`.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001`.
        beta_1: float, the decay rate of the first moment estimates. Defaults to `0.9`.
        beta_2: float, the decay rate of the exponentially weighted infinity norm.
            Defaults to `0.999`.
        epsilon: small constant for numerical stability. Defaults to `1e-7`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.Adamax(learning_rate=2e-3)
    """

    def __init__(
        self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None, **kwargs
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def update_rule(self, learning_rate, iteration):
        return optax.chain(
            transforms.scale_by_keras_adamax(self.beta_1, self.beta_2, self.epsilon, iteration),
            optax.scale(-learning_rate),
        )

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config


Adamax.__doc__ = Adamax.__doc__.replace("{shared_args}", _SHARED_ARGS)
