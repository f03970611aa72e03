"""Nadam: Adam with Nesterov momentum (Dozat, 2015)."""

import optax

from jkeras.optimizers import transforms
from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class Nadam(Optimizer):
    """Optimizer that implements the Nadam algorithm.

    Much like Adam is essentially RMSprop with momentum, Nadam is Adam with Nesterov momentum,
    with Dozat's momentum schedule `u_t = beta_1 * (1 - 0.5 * 0.96**t)`.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001`.
        beta_1: float, the decay rate of the first moment estimates. Defaults to `0.9`.
        beta_2: float, the decay rate of the second moment estimates. Defaults to `0.999`.
        epsilon: small constant for numerical stability ("epsilon hat"). Defaults to `1e-7`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.Nadam(learning_rate=1e-3)
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def update_rule(self, learning_rate, iteration):
        return optax.chain(
            transforms.scale_by_keras_nadam(self.beta_1, self.beta_2, self.epsilon, iteration),
            optax.scale(-learning_rate),
        )

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config


Nadam.__doc__ = Nadam.__doc__.replace("{shared_args}", _SHARED_ARGS)
