"""ScheduleFreeAdamW: AdamW without a learning-rate schedule (Defazio et al., 2024)."""

from typing import ClassVar

import optax

from jkeras.optimizers import transforms
from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class ScheduleFreeAdamW(Optimizer):
    """Optimizer that implements schedule-free AdamW.

    Gradient steps `-lr * g / (sqrt(v_hat) + epsilon)` (Adam's bias-corrected second moment,
    no first moment) move an auxiliary point `z` (the `momentum` slots, starting at the
    variables); the variables are the interpolation `(1 - beta_1) * z + beta_1 * x`, where
    `x` is the running uniform average of `z`. The variables are the point the gradient is
    taken at, as in Keras (evaluate at `x` only after training, if at all).

    Args:
        learning_rate: float, the learning rate. Defaults to `0.0025`.
        beta_1: float, the interpolation factor. Defaults to `0.9`.
        beta_2: float, the second-moment decay. Defaults to `0.999`.
        epsilon: float, added to `sqrt(v_hat)`. Defaults to `1e-8`.
        warmup_steps: int, steps of linear learning-rate warmup. Defaults to 0.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.ScheduleFreeAdamW(learning_rate=0.0025)
    """

    # The interpolation reads the variables: weight decay applies to them first, as in Keras.
    update_reads_variables: ClassVar[bool] = True

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 warmup_steps=0, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def update_rule(self, learning_rate, iteration):
        direction = optax.scale_by_rms(
            decay=self.beta_2, eps=self.epsilon, eps_in_sqrt=False, bias_correction=True
        )
        return transforms.schedule_free(
            direction, learning_rate, self.beta_1, iteration, self.warmup_steps
        )

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "warmup_steps": self.warmup_steps})
        return config


ScheduleFreeAdamW.__doc__ = ScheduleFreeAdamW.__doc__.replace("{shared_args}", _SHARED_ARGS)
