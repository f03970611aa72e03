"""Adadelta: per-dimension learning rates from running averages of squared gradients and steps."""

from typing import ClassVar

import optax

from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class Adadelta(Optimizer):
    """Optimizer that implements the Adadelta algorithm (Zeiler, 2012).

    `E[g**2] = rho * E[g**2] + (1 - rho) * g**2`, the step is
    `delta = -sqrt(E[dx**2] + epsilon) / sqrt(E[g**2] + epsilon) * g`, then
    `E[dx**2] = rho * E[dx**2] + (1 - rho) * delta**2` and `w += learning_rate * delta`.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001` (the original paper uses
            `1.0`).
        rho: float, the decay rate. Defaults to `0.95`.
        epsilon: small constant for numerical stability. Defaults to `1e-7`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.Adadelta(learning_rate=1.0)
    """

    slot_names: ClassVar[dict] = {
        **Optimizer.slot_names,
        "e_g": "accumulated_grad",
        "e_x": "accumulated_delta_var",
    }

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def update_rule(self, learning_rate, iteration):
        # optax's `scale_by_adadelta` is Keras's rule (epsilon inside both square roots).
        return optax.chain(
            optax.scale_by_adadelta(rho=self.rho, eps=self.epsilon),
            optax.scale(-learning_rate),
        )

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config


Adadelta.__doc__ = Adadelta.__doc__.replace("{shared_args}", _SHARED_ARGS)
