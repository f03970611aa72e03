"""SGD: gradient descent, optionally with (Nesterov) momentum."""

import optax

from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class SGD(Optimizer):
    """Gradient descent (with momentum) optimizer.

    With `momentum == 0`: `w = w - learning_rate * g`. Otherwise
    `velocity = momentum * velocity - learning_rate * g`, then `w = w + velocity`, or with
    `nesterov=True`, `w = w + momentum * velocity - learning_rate * g`.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.01`.
        momentum: float in [0, 1]. 0 is vanilla gradient descent. Defaults to `0.0`.
        nesterov: bool, whether to apply Nesterov momentum. Defaults to `False`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    """

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov=False,
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
        if isinstance(momentum, bool) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: {momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def update_rule(self, learning_rate, iteration):
        if self.momentum == 0:
            return optax.scale(-learning_rate)
        # Keras folds the learning rate into the velocity before accumulating it, so
        # `optax.trace` runs on `-lr * g`: its trace is then Keras's velocity exactly (and a
        # changed learning rate affects only new gradients, as in Keras).
        return optax.chain(
            optax.scale(-learning_rate), optax.trace(decay=self.momentum, nesterov=self.nesterov)
        )

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config


SGD.__doc__ = SGD.__doc__.replace("{shared_args}", _SHARED_ARGS)
