"""Adafactor: factored second moments and relative step sizes (Shazeer & Stern, 2018)."""

from typing import ClassVar

import jax.numpy as jnp
import optax

from jkeras.optimizers import transforms
from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class Adafactor(Optimizer):
    """Optimizer that implements the Adafactor algorithm.

    The second moment of a variable of rank >= 2 is kept factored over its last two
    dimensions (row and column means of `g**2 + epsilon_1`, decayed by
    `beta_2_t = 1 - t**beta_2_decay`). The step `u = g / sqrt(v)` is clipped to RMS at most
    `clip_threshold`, scaled by `max(epsilon_2, RMS(w))`, and by `min(learning_rate, 1/sqrt(t))`.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001`.
        beta_2_decay: float, the decay exponent of the second moment. Defaults to `-0.8`.
        epsilon_1: float, added to the squared gradient. Defaults to `1e-30`.
        epsilon_2: float, the smallest variable RMS used to scale the step. Defaults to `1e-3`.
        clip_threshold: float, the RMS the step is clipped to. Defaults to `1.0`.
        relative_step: bool, whether the learning rate is capped by `1 / sqrt(t)`. Keras's
            update caps it either way, and so does jkeras. Defaults to `True`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.Adafactor(learning_rate=1e-2)
    """

    update_reads_variables: ClassVar[bool] = True

    def __init__(
        self,
        learning_rate=0.001,
        beta_2_decay=-0.8,
        epsilon_1=1e-30,
        epsilon_2=1e-3,
        clip_threshold=1.0,
        relative_step=True,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def update_rule(self, learning_rate, iteration):
        # Keras computes `rho_t = min(lr, 1 / sqrt(t))` whatever `relative_step` is.
        t = (iteration + 1).astype(jnp.float32)
        rho_t = jnp.minimum(learning_rate, 1 / jnp.sqrt(t))
        return optax.chain(
            transforms.scale_by_keras_factored_rms(self.beta_2_decay, self.epsilon_1, iteration),
            optax.clip_by_block_rms(self.clip_threshold),
            optax.scale_by_param_block_rms(self.epsilon_2),
            optax.scale(-rho_t),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step,
            }
        )
        return config


Adafactor.__doc__ = Adafactor.__doc__.replace("{shared_args}", _SHARED_ARGS)
