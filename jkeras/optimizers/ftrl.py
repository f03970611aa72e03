"""Ftrl: follow-the-regularized-leader, proximal form (McMahan et al., 2013)."""

from typing import ClassVar

from jkeras.optimizers import transforms
from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer


class Ftrl(Optimizer):
    """Optimizer that implements the FTRL algorithm (with shrinkage-type L2 and Keras's `beta`).

    Per element: `n += g**2`, `z += g_s - (n**-p_new - n**-p_old) / lr * w` (with
    `g_s = g + 2 * l2_shrinkage * w`), then `w = (clip(z, -l1, l1) - z) / (n**-p / lr + 2 * l2)`
    where `p` is `learning_rate_power` and `l2` includes `beta / (2 * lr)`.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001`.
        learning_rate_power: float <= 0, how the learning rate decreases during training.
            Defaults to `-0.5`.
        initial_accumulator_value: float >= 0, the starting value of the accumulators.
            Defaults to `0.1`.
        l1_regularization_strength: float >= 0. Defaults to `0.0`.
        l2_regularization_strength: float >= 0 (stabilization penalty). Defaults to `0.0`.
        l2_shrinkage_regularization_strength: float >= 0 (magnitude penalty, applied to the
            gradient). Defaults to `0.0`.
        beta: float, Keras's `beta` (adds `beta / (2 * lr)` to the L2 strength).
            Defaults to `0.0`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=0.01)
    """

    update_reads_variables: ClassVar[bool] = True

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        for arg, value, sign in (
            ("initial_accumulator_value", initial_accumulator_value, "positive"),
            ("learning_rate_power", learning_rate_power, "negative"),
            ("l1_regularization_strength", l1_regularization_strength, "positive"),
            ("l2_regularization_strength", l2_regularization_strength, "positive"),
            (
                "l2_shrinkage_regularization_strength",
                l2_shrinkage_regularization_strength,
                "positive",
            ),
        ):
            if (value < 0.0) if sign == "positive" else (value > 0.0):
                raise ValueError(f"`{arg}` needs to be {sign} or zero. Received: {arg}={value}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def update_rule(self, learning_rate, iteration):
        return transforms.keras_ftrl(
            learning_rate,
            self.learning_rate_power,
            self.initial_accumulator_value,
            self.l1_regularization_strength,
            self.l2_regularization_strength,
            self.l2_shrinkage_regularization_strength,
            self.beta,
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": (self.l2_shrinkage_regularization_strength),
                "beta": self.beta,
            }
        )
        return config


Ftrl.__doc__ = Ftrl.__doc__.replace("{shared_args}", _SHARED_ARGS)
