"""Adam: adaptive first and second moment estimates (Kingma & Ba, 2014)."""

import optax

from jkeras.optimizers import transforms
from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class Adam(Optimizer):
    """Optimizer that implements the Adam algorithm.

    `m` and `v` are exponential moving averages of `g` and `g**2`; each step subtracts
    `m * alpha / (sqrt(v) + epsilon)` with `alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001`.
        beta_1: float, the decay rate of the first moment estimates. Defaults to `0.9`.
        beta_2: float, the decay rate of the second moment estimates. Defaults to `0.999`.
        epsilon: small constant for numerical stability ("epsilon hat" in the Kingma and Ba
            paper, before Section 2.1). Defaults to `1e-7`.
        amsgrad: bool, whether to apply the AMSGrad variant (Reddi et al., 2018).
            Defaults to `False`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.Adam(learning_rate=1e-3)
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
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
        self.amsgrad = amsgrad

    def update_rule(self, learning_rate, iteration):
        return optax.chain(
            transforms.scale_by_keras_adam(
                self.beta_1, self.beta_2, self.epsilon, self.amsgrad, iteration
            ),
            optax.scale(-learning_rate),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "amsgrad": self.amsgrad,
            }
        )
        return config


Adam.__doc__ = Adam.__doc__.replace("{shared_args}", _SHARED_ARGS)
