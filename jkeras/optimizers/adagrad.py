"""Adagrad: per-parameter learning rates from the accumulated squared gradients."""

import optax

from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class Adagrad(Optimizer):
    """Optimizer that implements the Adagrad algorithm (Duchi et al., 2011).

    `accumulator += g**2`, then `w -= learning_rate * g / sqrt(accumulator + epsilon)`.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001`.
        initial_accumulator_value: float >= 0, the starting value of the accumulators.
            Defaults to `0.1`.
        epsilon: small constant for numerical stability. Defaults to `1e-7`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.Adagrad(learning_rate=0.1)
    """

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value=0.1,
        epsilon=1e-7,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            name=name,
            **kwargs,
        )
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def update_rule(self, learning_rate, iteration):
        # optax's `scale_by_rss` is Keras's rule (epsilon inside the square root); its guard
        # for an all-zero accumulator gives 0, as Keras's `0 * lr / sqrt(epsilon)` does.
        return optax.chain(
            optax.scale_by_rss(self.initial_accumulator_value, self.epsilon),
            optax.scale(-learning_rate),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon}
        )
        return config


Adagrad.__doc__ = Adagrad.__doc__.replace("{shared_args}", _SHARED_ARGS)
