"""RMSprop: gradients divided by a moving root-mean-square, optionally centered and with momentum."""

from typing import ClassVar

import optax

from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class RMSprop(Optimizer):
    """Optimizer that implements the RMSprop algorithm.

    `velocity = rho * velocity + (1 - rho) * g**2`, and the increment is
    `learning_rate * g / sqrt(velocity + epsilon)` (centered: `velocity - average_gradient**2`
    in place of `velocity`). With momentum, `momentum_var = momentum * momentum_var + increment`
    is subtracted instead of the increment.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001`.
        rho: float, discounting factor for the old gradients. Defaults to `0.9`.
        momentum: float. If not 0, the increments are accumulated with this decay.
            Defaults to `0.0`.
        epsilon: small constant for numerical stability, inside the square root.
            Defaults to `1e-7`.
        centered: bool. If `True`, gradients are normalized by the estimated variance of the
            gradient; if `False`, by the uncentered second moment. Defaults to `False`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.RMSprop(learning_rate=0.1)
        >>> var1 = jkeras.Variable(10.0)
        >>> _ = opt.apply_gradients([(var1.value, var1)])  # d(var1**2 / 2) / d(var1) = var1
        >>> var1.numpy()
        9.683772
    """

    slot_names: ClassVar[dict] = {**Optimizer.slot_names, "mu": "average_gradient"}

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
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
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def update_rule(self, learning_rate, iteration):
        # Keras adds epsilon inside the square root and starts the moments at 0: optax's
        # `eps_in_sqrt=True, initial_scale=0`.
        scale = optax.scale_by_stddev if self.centered else optax.scale_by_rms
        parts = [scale(decay=self.rho, eps=self.epsilon, initial_scale=0.0, eps_in_sqrt=True)]
        if self.momentum > 0:
            # Keras accumulates the increment with the learning rate already applied and with a
            # positive sign, so the trace runs on `+lr * g / rms` (then is the Keras slot
            # exactly) and the sign is flipped after it.
            parts += [
                optax.scale(learning_rate),
                optax.trace(decay=self.momentum),
                optax.scale(-1.0),
            ]
        else:
            parts.append(optax.scale(-learning_rate))
        return optax.chain(*parts)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "rho": self.rho,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "centered": self.centered,
            }
        )
        return config


RMSprop.__doc__ = RMSprop.__doc__.replace("{shared_args}", _SHARED_ARGS)
