"""`LossScaleOptimizer`: Keras 3's dynamic loss scaling around another optimizer.

float16 gradients underflow: the trainer multiplies the loss by the current scale before
differentiating (`scale_loss`), and this optimizer divides the gradients by the same scale
before the inner optimizer sees them. The scale adapts: a step with a non-finite gradient is
skipped and halves it; `dynamic_growth_steps` finite steps in a row double it. The scale and
the step counter are optimizer variables, so the jitted train step threads them like any state.
"""

import jax
import jax.numpy as jnp

from jkeras.core import naming
from jkeras.core.stateless_scope import StatelessScope
from jkeras.core.variable import Variable
from jkeras.optimizers.base_optimizer import Optimizer, _value, overwrites_with_gradient
from jkeras.optimizers.nesting_optimizer import NestingOptimizer
from jkeras.optimizers.registry import OPTIMIZERS

# Keras 3 writes these base-optimizer arguments (at their defaults) into older configs.
_BASE_DEFAULTS = {
    "weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
    "loss_scale_factor": None, "gradient_accumulation_steps": None,
}


class LossScaleOptimizer(NestingOptimizer):
    """An optimizer that dynamically scales the loss to prevent float16 gradient underflow.

    The loss is multiplied by the loss scale before gradients are taken (`scale_loss`; `fit`
    does this when it trains), and the gradients are divided by it before `inner_optimizer`
    applies them. On a step with a non-finite gradient the update is skipped and the scale is
    halved; after `dynamic_growth_steps` consecutive finite steps it is doubled.

    `Model.compile` wraps the optimizer in one automatically when the model's dtype policy is
    `"mixed_float16"` (unless `auto_scale_loss=False`).

    Args:
        inner_optimizer: the `jkeras.optimizers.Optimizer` to wrap.
        initial_scale: float, the initial loss scale (default `2**15`).
        dynamic_growth_steps: int, the number of finite steps after which the scale doubles
            (default 2000).
        name: the optimizer's name.

    Variables: `iteration`, `learning_rate` (unused, as in Keras), `step_counter` (int32),
    `dynamic_scale` (float32), then the inner optimizer's variables.

    Example:
        >>> opt = jkeras.optimizers.LossScaleOptimizer(jkeras.optimizers.SGD(0.1))
        >>> v = jkeras.Variable([1.0])
        >>> _ = opt.apply([jnp.array([2.0**15])], [v])  # a gradient of the scaled loss
        >>> v.numpy()
        array([0.9], dtype=float32)
    """

    def __init__(self, inner_optimizer, initial_scale=2.0**15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                "`loss_scale_factor` directly on the `inner_optimizer`."
            )
        for argument, default in _BASE_DEFAULTS.items():
            if argument in kwargs and kwargs.pop(argument) != default:
                raise ValueError(
                    f"LossScaleOptimizer does not support `{argument}`. Instead, set "
                    f"`{argument}` on the `inner_optimizer`."
                )
        if kwargs:
            raise ValueError(
                f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`."
            )
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                "LossScaleOptimizer: `inner_optimizer` must be a jkeras Optimizer. "
                f"Received: inner_optimizer={inner_optimizer!r}"
            )
        if isinstance(dynamic_growth_steps, bool) or int(dynamic_growth_steps) < 1:
            raise ValueError(
                "LossScaleOptimizer: `dynamic_growth_steps` must be a positive integer. "
                f"Received: dynamic_growth_steps={dynamic_growth_steps!r}"
            )
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = int(dynamic_growth_steps)
        # The gradients are unscaled here: the inner optimizer must not unscale them again.
        self.inner_optimizer.loss_scale_factor = None
        self.step_counter = None
        self.dynamic_scale = None

    def build(self, var_list):
        """Create the scale and the step counter, and build the inner optimizer."""
        if self.built:
            return
        var_list = list(var_list)
        with naming.name_scope(self.name):
            self.step_counter = Variable(0, dtype="int32", trainable=False, name="step_counter")
            self.dynamic_scale = Variable(
                self.initial_scale, dtype="float32", trainable=False, name="dynamic_scale"
            )
        self.inner_optimizer.build(var_list)
        self._variables = self._variables[:2] + [self.step_counter, self.dynamic_scale]
        self._trainable_variables = self.inner_optimizer._trainable_variables
        # Per-variable slot bookkeeping (read when saving in Keras's variable order).
        own = [None] * len(self._variables)
        self._slot_param_index = own + list(self.inner_optimizer._slot_param_index)
        self._slot_fields = own + list(self.inner_optimizer._slot_fields)
        self.built = True

    @property
    def variables(self):
        return self._variables[:] + self.inner_optimizer.variables

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    def scale_loss(self, loss):
        """`loss` times the current loss scale (the initial scale before `build`)."""
        scale = self.dynamic_scale.value if self.built else self.initial_scale
        return loss * scale

    # ------------------------------------------------------------------------------ updates

    def check_finite(self, grads):
        """A boolean scalar: whether every (non-None) gradient is finite."""
        finite = [jnp.all(jnp.isfinite(_value(g))) for g in grads if g is not None]
        return jnp.all(jnp.stack(finite)) if finite else jnp.asarray(True)

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """Pure step (Keras 3's JAX API): unscale, apply the inner optimizer if the gradients
        are finite, and update the scale.

        Returns:
            `(new_trainable_variables, new_optimizer_variables)`, lists ordered as
            `trainable_variables` and `self.variables`.
        """
        if not self.built:
            raise ValueError(
                "To call `stateless_apply`, LossScaleOptimizer must be built (i.e. its "
                "variables must have been created). You can build it via "
                "`optimizer.build(trainable_variables)`."
            )
        optimizer_variables = list(optimizer_variables)
        if len(optimizer_variables) != len(self.variables):
            raise ValueError(
                "Argument `optimizer_variables` must be a list of tensors corresponding 1:1 to "
                f"LossScaleOptimizer().variables. Received list with length "
                f"{len(optimizer_variables)}, but expected {len(self.variables)} variables."
            )
        n_own = len(self._variables)
        own = [jnp.asarray(_value(v)) for v in optimizer_variables[:n_own]]
        inner_values = optimizer_variables[n_own:]
        params = [jnp.asarray(_value(p)) for p in trainable_variables]
        counter, scale = own[-2], own[-1]
        finite = self.check_finite(grads)

        # Gradients that overwrite their variable (float8 scales) are values, not scaled.
        unscaled = [
            g if g is None or overwrites_with_gradient(v) else jnp.asarray(_value(g)) / scale
            for g, v in zip(grads, self._trainable_variables)
        ]
        new_params, new_inner = self.inner_optimizer.stateless_apply(
            inner_values, unscaled, params
        )
        grow = counter == self.dynamic_growth_steps - 1
        new_counter = jnp.where(finite & ~grow, counter + 1, 0).astype(counter.dtype)
        new_scale = jnp.where(finite, jnp.where(grow, scale * 2.0, scale), scale * 0.5)

        def select(new, old):  # skip the update on non-finite gradients
            old = jnp.asarray(_value(old))
            return jnp.where(finite, new, old).astype(old.dtype)

        new_params = [select(new, old) for new, old in zip(new_params, params)]
        new_inner = [select(new, old) for new, old in zip(new_inner, inner_values)]
        new_own = own[:-2] + [new_counter, new_scale.astype(scale.dtype)]
        return new_params, new_own + new_inner

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        return {
            "name": self.name,
            "inner_optimizer": OPTIMIZERS.serialize(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        inner = OPTIMIZERS.deserialize(config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)

    def __repr__(self):
        return f"<LossScaleOptimizer name={self.name}, inner_optimizer={self.inner_optimizer!r}>"


@jax.custom_vjp
def _scale_gradient(x, factor):
    return x


def _scale_gradient_fwd(x, factor):
    return x, factor


def _scale_gradient_bwd(factor, cotangent):
    return (cotangent * factor).astype(cotangent.dtype), jnp.zeros_like(factor)


_scale_gradient.defvjp(_scale_gradient_fwd, _scale_gradient_bwd)


def scale_loss_gradient(optimizer, loss, optimizer_variables=None):
    """`loss` with its value unchanged and its gradients those of `optimizer.scale_loss(loss)`.

    The trainer's loss scaling (Keras 3 multiplies the loss by `optimizer.scale_loss` before
    differentiating): the backward pass is the same as for the scaled loss (so float16
    gradients do not underflow), while the value stays the unscaled loss that the logs report.

    Args:
        optimizer: the model's optimizer; a plain optimizer scales by its
            `loss_scale_factor` (if set), a `LossScaleOptimizer` by its current scale.
        loss: the scalar loss.
        optimizer_variables: the values of `optimizer.variables` in the traced step (the
            current scale is one of them); required for a `LossScaleOptimizer`.
    """
    if isinstance(optimizer, LossScaleOptimizer) and optimizer.built and (
        optimizer_variables is None
    ):
        raise ValueError(
            "compute_loss_and_updates(..., training=True) with a LossScaleOptimizer needs "
            "`optimizer_variables` (the traced optimizer state holds the current loss "
            "scale). Pass `optimizer_variables=` as the built-in `train_step` does."
        )
    one = jnp.ones((), jnp.float32)
    mapping = [] if optimizer_variables is None else zip(optimizer.variables, optimizer_variables)
    with StatelessScope(mapping):
        factor = optimizer.scale_loss(one)
    if factor is one:  # no loss scaling
        return loss
    return _scale_gradient(loss, jnp.asarray(factor, jnp.float32))
