"""Lamb: Adam with a layer-wise trust ratio (You et al., 2019)."""

from typing import ClassVar

import optax

from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class Lamb(Optimizer):
    """Optimizer that implements the Lamb algorithm.

    The Adam direction `r = m_hat / (sqrt(v_hat) + epsilon)` is rescaled per variable by the
    trust ratio `||w|| / ||r||` (1 when either norm is 0): `w -= learning_rate * ratio * r`.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001`.
        beta_1: float, the decay rate of the first moment estimates. Defaults to `0.9`.
        beta_2: float, the decay rate of the second moment estimates. Defaults to `0.999`.
        epsilon: small constant for numerical stability, added to `sqrt(v_hat)`.
            Defaults to `1e-7`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.Lamb(learning_rate=1e-3)
    """

    slot_names: ClassVar[dict] = {**Optimizer.slot_names, "mu": "momentum"}
    update_reads_variables: ClassVar[bool] = True

    def __init__(
        self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None, **kwargs
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def update_rule(self, learning_rate, iteration):
        # Unlike Keras's Adam, Keras's Lamb adds epsilon to the bias-corrected sqrt(v_hat):
        # exactly `optax.scale_by_adam`. `scale_by_trust_ratio` falls back to 1 on a zero norm
        # as Keras does. (optax's `lamb` would also decay weights inside the trust ratio.)
        return optax.chain(
            optax.scale_by_adam(b1=self.beta_1, b2=self.beta_2, eps=self.epsilon),
            optax.scale_by_trust_ratio(),
            optax.scale(-learning_rate),
        )

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config


Lamb.__doc__ = Lamb.__doc__.replace("{shared_args}", _SHARED_ARGS)
