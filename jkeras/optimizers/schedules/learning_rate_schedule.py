"""Keras 3's learning-rate schedules: pure `step -> learning rate` functions of jax arrays.

Each `__call__` is plain `jax.numpy`, so an optimizer evaluates its schedule from the iteration
counter inside the jitted update (no recompilation as the step advances). The formulas, and the
float32 casts they go through, follow Keras's `learning_rate_schedule.py` line for line: optax's
schedules are parameterised differently (its piecewise boundaries are `step < b`, Keras's are
`step <= b`; it has no inverse-time decay, no cycling polynomial decay and only finite SGDR
restarts), so they are written out here rather than wrapped.
"""

import math

import jax.numpy as jnp

from jkeras import config as jkeras_config


def _float(value):
    return jnp.asarray(value, dtype=jkeras_config.floatx())


class LearningRateSchedule:
    """Base class of the learning-rate schedules.

    A subclass defines `__call__(step)` (step: an integer scalar, the optimizer's iteration
    count; returns the learning rate) and `get_config()`.

    Example:
        >>> class InverseStep(jkeras.optimizers.schedules.LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate):
        ...         self.initial_learning_rate = initial_learning_rate
        ...     def __call__(self, step):
        ...         return self.initial_learning_rate / (step + 1)
        ...     def get_config(self):
        ...         return {"initial_learning_rate": self.initial_learning_rate}
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override "
            "`__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        """A schedule from `get_config()`'s output."""
        return cls(**config)


def _check_positive(name, value):
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    Args:
        initial_learning_rate: float, the initial learning rate.
        decay_steps: int > 0, the decay period.
        decay_rate: float, the decay rate.
        staircase: bool. If `True`, `step / decay_steps` is floored (the rate decays in
            discrete intervals).
        name: str. Defaults to `"ExponentialDecay"`.

    Example:
        >>> schedule = jkeras.optimizers.schedules.ExponentialDecay(0.1, 1000, 0.96)
        >>> opt = jkeras.optimizers.SGD(learning_rate=schedule)
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase=False,
        name="ExponentialDecay",
    ):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        initial = _float(self.initial_learning_rate)
        p = jnp.asarray(step).astype(initial.dtype) / jnp.asarray(self.decay_steps, initial.dtype)
        if self.staircase:
            p = jnp.floor(p)
        return initial * jnp.power(jnp.asarray(self.decay_rate, initial.dtype), p)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[1]` while `step <= boundaries[1]`, ...,
    `values[-1]` after `boundaries[-1]`.

    Args:
        boundaries: list of strictly increasing step numbers.
        values: list of learning rates, one more than `boundaries`.
        name: str. Defaults to `"PiecewiseConstant"`.

    Example:
        >>> schedule = jkeras.optimizers.schedules.PiecewiseConstantDecay(
        ...     [100000, 110000], [1.0, 0.5, 0.1])
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = jnp.asarray(step)
        boundaries = [jnp.asarray(b).astype(step.dtype) for b in self.boundaries]
        values = [jnp.asarray(v) for v in self.values]
        dtype = values[0].dtype
        # Keras sums indicator * value over the intervals rather than selecting.
        result = (step <= boundaries[0]).astype(dtype) * values[0]
        result += (step > boundaries[-1]).astype(dtype) * values[-1]
        for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
            result += ((step > low) & (step <= high)).astype(dtype) * value
        return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """`(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end`.

    Args:
        initial_learning_rate: float, the initial learning rate.
        decay_steps: int > 0, the number of steps to decay over.
        end_learning_rate: float, the final learning rate. Defaults to `0.0001`.
        power: float, the power of the polynomial. Defaults to `1.0`.
        cycle: bool. If `True`, `decay_steps` is replaced by its first multiple above `step`
            (the decay restarts). Defaults to `False`.
        name: str. Defaults to `"PolynomialDecay"`.

    Example:
        >>> schedule = jkeras.optimizers.schedules.PolynomialDecay(0.1, 10000, 0.01, power=0.5)
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle=False,
        name="PolynomialDecay",
    ):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        initial = _float(self.initial_learning_rate)
        dtype = initial.dtype
        end = jnp.asarray(self.end_learning_rate, dtype)
        step = jnp.asarray(step).astype(dtype)
        decay_steps = jnp.asarray(self.decay_steps, dtype)
        if self.cycle:
            multiplier = jnp.where(step == 0, 1.0, jnp.ceil(step / self.decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = jnp.minimum(step, decay_steps)
        p = step / decay_steps
        return (initial - end) * jnp.power(1 - p, jnp.asarray(self.power, dtype)) + end

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    Args:
        initial_learning_rate: float, the initial learning rate.
        decay_steps: int > 0, how often to apply decay.
        decay_rate: float, the decay rate.
        staircase: bool. If `True`, `step / decay_steps` is floored. Defaults to `False`.
        name: str. Defaults to `"InverseTimeDecay"`.

    Example:
        >>> schedule = jkeras.optimizers.schedules.InverseTimeDecay(0.1, 1.0, 0.5)
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase=False,
        name="InverseTimeDecay",
    ):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        initial = _float(self.initial_learning_rate)
        dtype = initial.dtype
        p = jnp.asarray(step).astype(dtype) / jnp.asarray(self.decay_steps, dtype)
        if self.staircase:
            p = jnp.floor(p)
        return initial / (jnp.asarray(1, dtype) + jnp.asarray(self.decay_rate, dtype) * p)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup, then cosine decay (Loshchilov & Hutter, SGDR, 2016).

    With `warmup_target=None`: `initial * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps))
    + alpha)` with `s = min(step, decay_steps)`. Otherwise the rate first rises linearly from
    `initial_learning_rate` to `warmup_target` over `warmup_steps`, then decays from
    `warmup_target` the same way.

    Args:
        initial_learning_rate: float, the initial learning rate.
        decay_steps: int > 0, the number of steps to decay over.
        alpha: float, the final rate as a fraction of the decay's starting rate.
            Defaults to `0.0`.
        name: str. Defaults to `"CosineDecay"`.
        warmup_target: float or None, the rate reached at the end of the warmup.
            Defaults to `None` (no warmup).
        warmup_steps: int, the number of warmup steps. Defaults to `0`.

    Example:
        >>> schedule = jkeras.optimizers.schedules.CosineDecay(
        ...     0.0, 1000, warmup_target=0.1, warmup_steps=100)
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        alpha=0.0,
        name="CosineDecay",
        warmup_target=None,
        warmup_steps=0,
    ):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def _decay(self, step, decay_steps, decay_from, dtype):
        completed_fraction = step / decay_steps
        cosine_decayed = 0.5 * (1.0 + jnp.cos(jnp.asarray(math.pi, dtype) * completed_fraction))
        return decay_from * ((1 - self.alpha) * cosine_decayed + self.alpha)

    def __call__(self, step):
        initial = _float(self.initial_learning_rate)
        dtype = initial.dtype
        decay_steps = jnp.asarray(self.decay_steps, dtype)
        step = jnp.asarray(step).astype(dtype)
        if self.warmup_target is None:
            return self._decay(jnp.minimum(step, decay_steps), decay_steps, initial, dtype)
        target = jnp.asarray(self.warmup_target, dtype)
        warmup_steps = jnp.asarray(self.warmup_steps, dtype)
        step = jnp.minimum(step, decay_steps + warmup_steps)
        warmup = (target - initial) * (step / warmup_steps) + initial
        decay = self._decay(step - warmup_steps, decay_steps, target, dtype)
        return jnp.where(step < warmup_steps, warmup, decay)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter, 2016).

    The multiplier decays from 1 to `alpha` over `first_decay_steps`; each restart then runs
    `t_mul` times longer and starts from `m_mul` times the previous initial rate.

    Args:
        initial_learning_rate: float, the initial learning rate.
        first_decay_steps: int > 0, the length of the first period.
        t_mul: float, the period multiplier. Defaults to `2.0`.
        m_mul: float, the initial-rate multiplier of each restart. Defaults to `1.0`.
        alpha: float, the final rate as a fraction of `initial_learning_rate`.
            Defaults to `0.0`.
        name: str. Defaults to `"SGDRDecay"`.

    Example:
        >>> schedule = jkeras.optimizers.schedules.CosineDecayRestarts(0.1, 1000)
    """

    def __init__(
        self,
        initial_learning_rate,
        first_decay_steps,
        t_mul=2.0,
        m_mul=1.0,
        alpha=0.0,
        name="SGDRDecay",
    ):
        _check_positive("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        initial = _float(self.initial_learning_rate)
        dtype = initial.dtype
        alpha = jnp.asarray(self.alpha, dtype)
        t_mul = jnp.asarray(self._t_mul, dtype)
        m_mul = jnp.asarray(self._m_mul, dtype)
        completed_fraction = jnp.asarray(step).astype(dtype) / jnp.asarray(
            self.first_decay_steps, dtype
        )
        if self._t_mul == 1.0:
            i_restart = jnp.floor(completed_fraction)
            completed_fraction = completed_fraction - i_restart
        else:
            i_restart = jnp.floor(
                jnp.log(1.0 - completed_fraction * (1.0 - t_mul)) / jnp.log(t_mul)
            )
            sum_r = (1.0 - jnp.power(t_mul, i_restart)) / (1.0 - t_mul)
            completed_fraction = (completed_fraction - sum_r) / jnp.power(t_mul, i_restart)
        m_fac = jnp.power(m_mul, i_restart)
        cosine_decayed = (
            0.5 * m_fac * (1.0 + jnp.cos(jnp.asarray(math.pi, dtype) * completed_fraction))
        )
        return initial * ((1 - alpha) * cosine_decayed + alpha)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }
