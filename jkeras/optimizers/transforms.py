"""The optax pieces the Keras optimizers are chained from, where optax has no exact equivalent.

Each function returns an `optax.GradientTransformation`. Everything else (momentum, RMS and
Adagrad scaling, clipping, weight decay) is optax's own transformation, chosen and
parameterised in the optimizer modules to reproduce Keras's update rule.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax


class OptimizerState(NamedTuple):
    """The state of every jkeras optimizer.

    Attributes:
        iteration: int32 scalar, the number of updates applied (Keras's `optimizer.iterations`).
        learning_rate: float32 scalar. A state leaf rather than a constant so that changing it
            needs no recompilation of a jitted step.
        inner_state: the state of the optax chain that computes the update.
    """

    iteration: jax.Array
    learning_rate: jax.Array
    inner_state: Any


def inject_learning_rate_and_iteration(
    make_update: Callable[[jax.Array, jax.Array], optax.GradientTransformation],
    learning_rate,
) -> optax.GradientTransformation:
    """Keep the learning rate and the iteration count in the state and pass both to the update.

    Like `optax.inject_hyperparams`, but `make_update(learning_rate, iteration)` also receives
    the iteration: Keras bias-corrects Adam and Nadam with its single `iterations` variable, so
    the inner transformations read that counter instead of each keeping a count of its own.
    The dtypes of the inner state are kept across updates, so a jitted step never retraces.

    Args:
        make_update: `(learning_rate, iteration) -> GradientTransformation`; called with arrays.
        learning_rate: the initial learning rate, or a zero-argument callable returning it
            (read by each `init`).

    Returns:
        A `GradientTransformation` whose state is an `OptimizerState`.
    """

    def init_fn(params):
        value = learning_rate() if callable(learning_rate) else learning_rate
        lr = jnp.asarray(value, dtype=jnp.float32)
        iteration = jnp.zeros([], jnp.int32)
        return OptimizerState(iteration, lr, make_update(lr, iteration).init(params))

    def update_fn(updates, state, params=None):
        inner = make_update(state.learning_rate, state.iteration)
        updates, inner_state = inner.update(updates, state.inner_state, params)
        inner_state = jax.tree.map(
            lambda new, old: new.astype(old.dtype), inner_state, state.inner_state
        )
        iteration = optax.safe_increment(state.iteration)
        return updates, OptimizerState(iteration, state.learning_rate, inner_state)

    return optax.GradientTransformation(init_fn, update_fn)


def cast_to_params_dtype() -> optax.GradientTransformation:
    """Cast each gradient to its parameter's dtype, as Keras's `update_step` does first."""

    def update_fn(updates, state, params=None):
        if params is None:
            return updates, state
        updates = jax.tree.map(
            lambda g, p: jnp.asarray(g).astype(jnp.asarray(p).dtype), updates, params
        )
        return updates, state

    return optax.GradientTransformation(optax.init_empty_state, update_fn)


def clip_by_norm(max_norm: float) -> optax.GradientTransformation:
    """Clip each gradient tensor on its own to L2 norm at most `max_norm` (Keras's `clipnorm`).

    optax only clips by the global norm, or by per-tensor RMS (`clip_by_block_rms`), which
    differs from Keras's per-tensor norm by a factor sqrt(size).
    """

    def clip(g, _):
        l2sum = jnp.sum(jnp.square(g))
        nonzero = l2sum > 0
        # The double `where` keeps the gradient of sqrt finite at 0, as Keras does.
        l2norm = jnp.where(nonzero, jnp.sqrt(jnp.where(nonzero, l2sum, 1.0)), l2sum)
        return g * max_norm / jnp.maximum(l2norm, max_norm)

    return optax.stateless_with_tree_map(clip)


class ScaleByKerasAdamState(NamedTuple):
    momentum: Any
    velocity: Any
    velocity_hat: Any  # None unless amsgrad


def scale_by_keras_adam(
    beta_1: float, beta_2: float, epsilon: float, amsgrad: bool, iteration: jax.Array
) -> optax.GradientTransformation:
    """The Adam direction with Keras's epsilon placement (learning rate not applied).

    Keras computes `m * sqrt(1 - beta_2**t) / (1 - beta_1**t) / (sqrt(v) + epsilon)`: epsilon
    is added to the uncorrected `sqrt(v)`. `optax.scale_by_adam` adds it to `sqrt(v_hat)`, i.e.
    its effective epsilon differs by `sqrt(1 - beta_2**t)` at each step, and no choice of its
    `eps`/`eps_root` reproduces Keras. The moments are optax's own EMAs.

    Args:
        beta_1, beta_2: decay rates of the first and second moments.
        epsilon: Keras's "epsilon hat".
        amsgrad: use the running maximum of the second moment (AMSGrad).
        iteration: the number of updates already applied (int32 scalar).
    """

    def init_fn(params):
        return ScaleByKerasAdamState(
            momentum=optax.tree.zeros_like(params),
            velocity=optax.tree.zeros_like(params),
            velocity_hat=optax.tree.zeros_like(params) if amsgrad else None,
        )

    def update_fn(updates, state, params=None):
        del params
        momentum = optax.tree.update_moment(updates, state.momentum, beta_1, 1)
        velocity = optax.tree.update_moment_per_elem_norm(updates, state.velocity, beta_2, 2)
        velocity_hat = jax.tree.map(jnp.maximum, state.velocity_hat, velocity) if amsgrad else None

        def direction(m, v):
            step = (iteration + 1).astype(m.dtype)
            beta_1_power = jnp.power(jnp.asarray(beta_1, m.dtype), step)
            beta_2_power = jnp.power(jnp.asarray(beta_2, m.dtype), step)
            alpha = jnp.sqrt(1 - beta_2_power) / (1 - beta_1_power)
            return m * alpha / (jnp.sqrt(v) + epsilon)

        updates = jax.tree.map(direction, momentum, velocity_hat if amsgrad else velocity)
        return updates, ScaleByKerasAdamState(momentum, velocity, velocity_hat)

    return optax.GradientTransformation(init_fn, update_fn)


class ScaleByKerasNadamState(NamedTuple):
    momentum: Any
    velocity: Any
    u_product: jax.Array  # float32 scalar: the product of the momentum schedule so far


def scale_by_keras_nadam(
    beta_1: float, beta_2: float, epsilon: float, iteration: jax.Array
) -> optax.GradientTransformation:
    """The Nadam direction of Keras (Dozat, 2015), learning rate not applied.

    Keras follows Dozat's momentum schedule `u_t = beta_1 * (1 - 0.5 * 0.96**t)` and keeps the
    running product of the `u_t`; `optax.nadam` uses a constant `beta_1` instead, so this
    transformation reproduces Keras's formula. The moments are optax's own EMAs.

    Args:
        beta_1, beta_2: decay rates of the first and second moments.
        epsilon: Keras's "epsilon hat", added to `sqrt(v_hat)`.
        iteration: the number of updates already applied (int32 scalar).
    """

    def init_fn(params):
        return ScaleByKerasNadamState(
            momentum=optax.tree.zeros_like(params),
            velocity=optax.tree.zeros_like(params),
            u_product=jnp.ones([], jnp.float32),
        )

    def update_fn(updates, state, params=None):
        del params
        step = (iteration + 1).astype(jnp.float32)
        u_t = beta_1 * (1.0 - 0.5 * jnp.power(jnp.float32(0.96), step))
        u_t_1 = beta_1 * (1.0 - 0.5 * jnp.power(jnp.float32(0.96), step + 1))
        u_product_t = state.u_product * u_t
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = jnp.power(jnp.float32(beta_2), step)
        # Keras's Nadam rounds the betas to float32 before taking `1 - beta` (for beta_2=0.999
        # that moves `1 - beta_2` by 1.3e-5 relative), so the moments get float32 decays too.
        momentum = optax.tree.update_moment(updates, state.momentum, jnp.float32(beta_1), 1)
        velocity = optax.tree.update_moment_per_elem_norm(
            updates, state.velocity, jnp.float32(beta_2), 2
        )

        def direction(g, m, v):
            m_hat = u_t_1 * m / (1 - u_product_t_1) + (1 - u_t) * g / (1 - u_product_t)
            v_hat = v / (1 - beta_2_power)
            return (m_hat / (jnp.sqrt(v_hat) + epsilon)).astype(g.dtype)

        updates = jax.tree.map(direction, updates, momentum, velocity)
        return updates, ScaleByKerasNadamState(momentum, velocity, u_product_t)

    return optax.GradientTransformation(init_fn, update_fn)
