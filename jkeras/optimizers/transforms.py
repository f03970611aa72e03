"""The optax pieces the Keras optimizers are chained from, where optax has no exact equivalent.

Each function returns an `optax.GradientTransformation`. Everything else (momentum, RMS and
Adagrad scaling, clipping, weight decay) is optax's own transformation, chosen and
parameterised in the optimizer modules to reproduce Keras's update rule.
"""

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax


class OptimizerState(NamedTuple):
    """The state of every jkeras optimizer, in the order of Keras's `optimizer.variables`.

    Attributes:
        iteration: int32 scalar, the number of `apply` calls (Keras's `optimizer._iterations`;
            with gradient accumulation, `optimizer.iterations` is this divided by the steps).
        learning_rate: float32 scalar, or None when a `LearningRateSchedule` computes the rate
            from `iteration`. A state leaf rather than a constant so that changing it needs no
            recompilation of a jitted step.
        average: with `use_ema`, the moving averages of the params (else None).
        gradient_accumulator: with `gradient_accumulation_steps`, the gradients summed since
            the last update (else None).
        inner_state: the state of the optax chain that computes the update.
    """

    iteration: jax.Array
    learning_rate: Any
    average: Any = None
    gradient_accumulator: Any = None
    inner_state: Any = None


def inject_learning_rate_and_iteration(
    make_update: Callable[[jax.Array, jax.Array], optax.GradientTransformation],
    learning_rate,
    schedule: Callable[[jax.Array], jax.Array] | None = None,
    gradient_accumulation_steps: int | None = None,
    ema_momentum: float | None = None,
    ema_overwrite_frequency: int | None = None,
    overwrite=None,
) -> optax.GradientTransformation:
    """Keep the learning rate and the iteration count in the state and pass both to the update.

    Like `optax.inject_hyperparams`, but `make_update(learning_rate, iteration)` also receives
    the iteration: Keras bias-corrects Adam and Nadam with its single `iterations` variable, so
    the inner transformations read that counter instead of each keeping a count of its own.
    The dtypes of the inner state are kept across updates, so a jitted step never retraces.

    Around the update it does what Keras's JAX optimizer (`backend/jax/optimizer.py`) does,
    with selects instead of branches so that it stays one traceable function:

    - gradient accumulation: every `gradient_accumulation_steps`-th call applies the mean of the
      accumulated gradients; the other calls only add to the accumulator (`optax.MultiSteps`
      keeps a different state and does not expose Keras's counters, hence this wrapper);
    - EMA: after each call `average = m * average + (1 - m) * params` (`m = 0` on the first
      update), and every `ema_overwrite_frequency` updates the params are set to the average;
    - overwriting (Keras's `overwrite_with_gradient`, float8 training): the leaves `overwrite`
      marks take their gradient as their new value (with gradient accumulation, the largest
      gradient of the window, on update steps only). They have an accumulator but no average
      and no inner state, as in Keras, and their entry in the updates is that new value
      itself, not a difference: apply the updates with `apply_updates(..., overwrite)`.

    Args:
        make_update: `(learning_rate, iteration) -> GradientTransformation`; called with arrays.
        learning_rate: the initial learning rate, or a zero-argument callable returning it
            (read by each `init`); ignored when `schedule` is given.
        schedule: optional `step -> learning rate`, evaluated at the raw iteration counter
            inside the update (as Keras does), so the state holds no learning rate.
        gradient_accumulation_steps: optional int >= 2.
        ema_momentum: the EMA momentum, or None for no moving average of the params.
        ema_overwrite_frequency: optional int, how often (in updates) to overwrite the params
            with their average.
        overwrite: optional sequence of bools, one per leaf of the params.

    Returns:
        A `GradientTransformation` whose state is an `OptimizerState`.
    """
    steps = gradient_accumulation_steps
    split = OverwriteSplit(overwrite)

    def init_fn(params):
        iteration = jnp.zeros([], jnp.int32)
        lr = None
        if schedule is None:
            value = learning_rate() if callable(learning_rate) else learning_rate
            lr = jnp.asarray(value, dtype=jnp.float32)
        kept = split.kept(params)
        return OptimizerState(
            iteration=iteration,
            learning_rate=lr,
            average=optax.tree.zeros_like(kept) if ema_momentum is not None else None,
            gradient_accumulator=optax.tree.zeros_like(params) if steps else None,
            inner_state=make_update(
                jnp.zeros([], jnp.float32) if lr is None else lr, iteration
            ).init(kept),
        )

    def update_fn(grads, state, params=None):
        # Keras's `optimizer.iterations` (what the update rules read) counts applied updates;
        # its schedule is evaluated at the raw counter `optimizer._iterations`.
        iteration = state.iteration // steps if steps else state.iteration
        if schedule is None:
            lr = state.learning_rate
        else:
            lr = jnp.asarray(schedule(state.iteration), jnp.float32)
        inner = make_update(lr, iteration)
        accumulator = None
        is_update_step = True
        if steps:
            is_update_step = (state.iteration + 1) % steps == 0
            grads, accumulator = _accumulate(
                grads, state.gradient_accumulator, is_update_step, steps, split)
        kept_params = split.kept(params)
        updates, inner_state = inner.update(split.kept(grads), state.inner_state, kept_params)
        inner_state = jax.tree.map(
            lambda new, old: new.astype(old.dtype), inner_state, state.inner_state
        )
        if steps:
            # The update is computed on every call and kept only on update steps.
            updates = jax.tree.map(
                lambda u: jnp.where(is_update_step, u, jnp.zeros_like(u)), updates
            )
            inner_state = jax.tree.map(
                lambda new, old: jnp.where(is_update_step, new, old),
                inner_state,
                state.inner_state,
            )
        average = None
        if ema_momentum is not None:
            new_params = optax.apply_updates(kept_params, updates)
            average, updates = _update_moving_average(
                new_params,
                kept_params,
                updates,
                state.average,
                iteration,
                ema_momentum,
                ema_overwrite_frequency,
            )
        replaced = [jnp.where(is_update_step, g, p).astype(p.dtype)
                    for g, p in zip(split.replaced(grads), split.replaced(params))]
        return split.merge(updates, replaced, params), OptimizerState(
            iteration=optax.safe_increment(state.iteration),
            learning_rate=state.learning_rate,
            average=average,
            gradient_accumulator=accumulator,
            inner_state=inner_state,
        )

    return optax.GradientTransformation(init_fn, update_fn)


class OverwriteSplit:
    """The params' leaves split by a static mask into the kept ones (updated by the rule)
    and the replaced ones (overwritten with their gradient); no mask (or no True in it):
    every leaf kept and the trees passed through unchanged."""

    def __init__(self, mask=None):
        self.mask = tuple(mask) if mask is not None and any(mask) else None

    def _leaves(self, tree):
        leaves = jax.tree.leaves(tree)
        if len(leaves) != len(self.mask):
            raise ValueError(
                f"The optimizer was built for {len(self.mask)} variables (some overwritten "
                f"with their gradient), but received a structure of {len(leaves)} arrays."
            )
        return leaves

    def kept(self, tree):
        """The kept leaves (a list), or `tree` itself without a mask."""
        if self.mask is None:
            return tree
        return [x for x, replaced in zip(self._leaves(tree), self.mask) if not replaced]

    def replaced(self, tree):
        """The replaced leaves, a list (empty without a mask)."""
        if self.mask is None:
            return []
        return [x for x, replaced in zip(self._leaves(tree), self.mask) if replaced]

    def merge(self, kept, replaced, like):
        """A tree shaped like `like` from `kept`'s and `replaced`'s leaves."""
        if self.mask is None:
            return kept
        kept, replaced = iter(kept), iter(replaced)
        leaves = [next(replaced) if r else next(kept) for r in self.mask]
        return jax.tree.unflatten(jax.tree.structure(like), leaves)


def apply_updates(params, updates, overwrite=None):
    """`optax.apply_updates`, except that the leaves `overwrite` marks take their entry in
    `updates` as their value (see `inject_learning_rate_and_iteration`)."""
    split = OverwriteSplit(overwrite)
    kept = optax.apply_updates(split.kept(params), split.kept(updates))
    return split.merge(kept, split.replaced(updates), params)


def _accumulate(grads, accumulator, is_update_step, steps, split):
    """`(gradients to apply, new accumulator)`: the mean of the summed gradients on update
    steps (the raw gradient otherwise); for replaced leaves the largest gradient of the
    window instead of the mean (Keras accumulates those with a maximum)."""
    leaves, treedef = jax.tree.flatten(grads)
    mask = split.mask or (False,) * len(leaves)
    applied, window = [], []
    for g, acc, replaced in zip(leaves, jax.tree.leaves(accumulator), mask):
        total = (jnp.maximum(g, acc) if replaced else g + acc).astype(acc.dtype)
        applied.append(jnp.where(is_update_step, total if replaced else total / steps, g))
        window.append(jnp.where(is_update_step, jnp.zeros_like(total), total))
    return jax.tree.unflatten(treedef, applied), jax.tree.unflatten(treedef, window)


def _update_moving_average(
    new_params, params, updates, average, iteration, ema_momentum, ema_overwrite_frequency
):
    """Keras's `_update_model_variables_moving_average` and the periodic overwrite.

    Returns `(new_average, updates)`; on an overwrite step the updates move the params onto the
    average (`average - params`).
    """

    def ema(p, avg):
        momentum = (iteration != 0).astype(p.dtype) * ema_momentum
        return (momentum * avg + (1 - momentum) * p).astype(avg.dtype)

    average = jax.tree.map(ema, new_params, average)
    if ema_overwrite_frequency:
        overwrite = (iteration + 1) % ema_overwrite_frequency == 0
        updates = jax.tree.map(
            lambda u, avg, p: jnp.where(overwrite, (avg - p).astype(u.dtype), u),
            updates,
            average,
            params,
        )
    return average, updates


def decay_variables_first(
    inner: optax.GradientTransformation, rate: jax.Array, mask=None
) -> optax.GradientTransformation:
    """Keras's weight decay for update rules that read the variable (Lamb, Ftrl, Adafactor).

    Keras decays the variable (`variable -= variable * weight_decay * lr`) *before* its
    `update_step`, which then sees the decayed value (Lamb's trust ratio, Adafactor's RMS
    scale, Ftrl's closed-form solution). `optax.add_decayed_weights` after the rule would give
    the rule the undecayed params, so here the rule is run on the decayed params and the
    decay is added to its updates.

    Args:
        inner: the update rule.
        rate: `weight_decay * learning_rate`.
        mask: optional list of bools, one per param (False: no decay).
    """

    def update_fn(updates, state, params=None):
        decay = [True] * len(jax.tree.leaves(params)) if mask is None else mask
        leaves, treedef = jax.tree.flatten(params)
        decayed = jax.tree.unflatten(
            treedef,
            [p - p * jnp.asarray(rate, p.dtype) if d else p for p, d in zip(leaves, decay)],
        )
        updates, state = inner.update(updates, state, decayed)
        updates = jax.tree.map(lambda u, d, p: u + (d - p), updates, decayed, params)
        return updates, state

    return optax.GradientTransformation(inner.init, update_fn)


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


class ScaleByKerasAdamaxState(NamedTuple):
    momentum: Any
    norm: Any


def scale_by_keras_adamax(
    beta_1: float, beta_2: float, epsilon: float, iteration: jax.Array
) -> optax.GradientTransformation:
    """The Adamax direction of Keras, learning rate not applied.

    Keras divides by `(1 - beta_1**t) * (u + epsilon)` with `u = max(beta_2 * u, |g|)`;
    `optax.scale_by_adamax` puts epsilon inside the max (`max(beta_2 * u, |g| + epsilon)`), which
    changes the stored norm itself. The moment and norm updates are optax's own, with eps=0.

    Args:
        beta_1: decay rate of the first moment.
        beta_2: decay rate of the exponentially weighted infinity norm.
        epsilon: added to the norm in the denominator.
        iteration: the number of updates already applied (int32 scalar).
    """

    def init_fn(params):
        return ScaleByKerasAdamaxState(
            momentum=optax.tree.zeros_like(params), norm=optax.tree.zeros_like(params)
        )

    def update_fn(updates, state, params=None):
        del params
        momentum = optax.tree.update_moment(updates, state.momentum, beta_1, 1)
        norm = optax.tree.update_infinity_moment(updates, state.norm, beta_2, 0.0)

        def direction(m, u):
            step = (iteration + 1).astype(m.dtype)
            beta_1_power = jnp.power(jnp.asarray(beta_1, m.dtype), step)
            return m / ((1 - beta_1_power) * (u + epsilon))

        updates = jax.tree.map(direction, momentum, norm)
        return updates, ScaleByKerasAdamaxState(momentum, norm)

    return optax.GradientTransformation(init_fn, update_fn)


class KerasFtrlState(NamedTuple):
    accumulator: Any
    linear: Any


def keras_ftrl(
    learning_rate: jax.Array,
    learning_rate_power: float,
    initial_accumulator_value: float,
    l1: float,
    l2: float,
    l2_shrinkage: float,
    beta: float,
) -> optax.GradientTransformation:
    """Keras's FTRL-proximal update (McMahan et al., 2013); optax has no FTRL.

    FTRL solves for the new variable in closed form rather than producing a step, so the
    update returned is `new_variable - variable`. The learning rate is applied here.

    Args:
        learning_rate: float32 scalar.
        learning_rate_power: float <= 0.
        initial_accumulator_value: float >= 0, the starting value of the accumulators.
        l1, l2, l2_shrinkage: the regularization strengths.
        beta: Keras's `beta` (added to the L2 strength as `beta / (2 * lr)`).
    """

    def init_fn(params):
        return KerasFtrlState(
            accumulator=jax.tree.map(lambda p: jnp.full_like(p, initial_accumulator_value), params),
            linear=optax.tree.zeros_like(params),
        )

    def update_fn(updates, state, params=None):
        if params is None:
            raise ValueError(optax.NO_PARAMS_MSG)

        def step(g, accum, linear, var):
            lr = learning_rate.astype(var.dtype)
            l2_reg = l2 + beta / (2.0 * lr)
            grad_to_use = g + 2 * l2_shrinkage * var
            new_accum = accum + jnp.square(g)
            linear = linear + (
                grad_to_use
                - (
                    jnp.power(new_accum, -learning_rate_power)
                    - jnp.power(accum, -learning_rate_power)
                )
                / lr
                * var
            )
            quadratic = jnp.power(new_accum, -learning_rate_power) / lr + 2 * l2_reg
            new_var = (jnp.clip(linear, -l1, l1) - linear) / quadratic
            return new_var - var, new_accum, linear

        out = jax.tree.map(step, updates, state.accumulator, state.linear, params)
        updates, accumulator, linear = _unzip(out, updates, 3)
        return updates, KerasFtrlState(accumulator, linear)

    return optax.GradientTransformation(init_fn, update_fn)


class ScaleByKerasFactoredRmsState(NamedTuple):
    r: Any
    c: Any
    velocity: Any


def scale_by_keras_factored_rms(
    beta_2_decay: float, epsilon_1: float, iteration: jax.Array
) -> optax.GradientTransformation:
    """Adafactor's `g / sqrt(v)` with Keras's factoring (Shazeer & Stern, 2018).

    `optax.scale_by_factored_rms` factors the two *largest* dimensions (and only those of at
    least `min_dim_size_to_factor`) and keeps its own step count; Keras factors the *last two*
    dimensions of every variable of rank >= 2, keeps the full `v` as a slot and reads its
    `iterations`. For rank < 2, `r` and `c` are scalar placeholders, as in Keras.

    Args:
        beta_2_decay: the decay exponent, `beta_2_t = 1 - t**beta_2_decay`.
        epsilon_1: added to the squared gradient.
        iteration: the number of updates already applied (int32 scalar).
    """

    def init_fn(params):
        def zeros(p, shape):
            return jnp.zeros(shape if p.ndim >= 2 else (), p.dtype)

        return ScaleByKerasFactoredRmsState(
            r=jax.tree.map(lambda p: zeros(p, p.shape[:-1]), params),
            c=jax.tree.map(lambda p: zeros(p, p.shape[:-2] + p.shape[-1:]), params),
            velocity=optax.tree.zeros_like(params),
        )

    def update_fn(updates, state, params=None):
        del params

        def step(g, r, c, v):
            t = (iteration + 1).astype(g.dtype)
            beta_2_t = 1 - jnp.power(t, beta_2_decay)
            g2 = jnp.square(g) + epsilon_1
            if g.ndim >= 2:
                r = beta_2_t * r + (1 - beta_2_t) * jnp.mean(g2, axis=-1)
                c = beta_2_t * c + (1 - beta_2_t) * jnp.mean(g2, axis=-2)
                v = jnp.expand_dims(r / jnp.mean(r, axis=-1, keepdims=True), -1) * (
                    jnp.expand_dims(c, -2)
                )
            else:
                v = beta_2_t * v + (1 - beta_2_t) * g2
            return g / jnp.sqrt(v), r, c, v

        out = jax.tree.map(step, updates, state.r, state.c, state.velocity)
        updates, r, c, v = _unzip(out, updates, 4)
        return updates, ScaleByKerasFactoredRmsState(r, c, v)

    return optax.GradientTransformation(init_fn, update_fn)


def _unzip(tree_of_tuples, like, n):
    """Split a tree (structured like `like`) of n-tuples into n trees."""
    return jax.tree.transpose(
        jax.tree.structure(like), jax.tree.structure((0,) * n), tree_of_tuples
    )


def orthogonalize_newton_schulz(
    coefficients: tuple, steps: int, epsilon: float
) -> optax.GradientTransformation:
    """Replace each (2D) update by its Newton-Schulz orthogonalization, Keras's Muon step.

    optax's `scale_by_muon` keeps an EMA momentum with bias correction, where Keras's Muon
    keeps SGD momentum (`optax.trace`, applied before this); with `beta=0` its momentum is the
    update itself, so only its orthogonalization (Frobenius normalisation by `norm + epsilon`,
    then `steps` quintic iterations with coefficients `(a, b, c)`) is used. Its zero state
    is rebuilt inside each update, so nothing is stored.
    """
    coefficients = tuple(float(c) for c in coefficients)
    return optax.stateless_with_tree_map(
        lambda g, _: _orthogonalize(g, coefficients, int(steps), float(epsilon))
    )


@functools.partial(jax.jit, static_argnums=(1, 2, 3))
def _orthogonalize(update, coefficients, steps, epsilon):
    # Jitted with static settings: an eager `apply` then reuses one compiled program per
    # shape instead of tracing optax's Newton-Schulz loop again on every call.
    muon = optax.contrib.scale_by_muon(
        ns_coeffs=coefficients, ns_steps=steps, beta=0.0, eps=epsilon, nesterov=False
    )
    return muon.update(update, muon.init(update))[0]


def scale_by_matrix_size(rms_rate: float | None) -> optax.GradientTransformation:
    """Multiply each 2D update by `sqrt(max(rows, cols)) * rms_rate` (Moonlight's RMS matching,
    Liu et al. 2025); the identity when `rms_rate` is None."""
    if rms_rate is None:
        return optax.identity()
    return optax.stateless_with_tree_map(
        lambda g, _: g * jnp.sqrt(jnp.asarray(max(g.shape[0], g.shape[1]), g.dtype)) * rms_rate
    )


class ScheduleFreeState(NamedTuple):
    momentum: Any  # Keras's name for z, the point the gradient steps move
    inner_state: Any


def schedule_free(
    direction: optax.GradientTransformation,
    learning_rate: jax.Array,
    beta_1: float,
    iteration: jax.Array,
    warmup_steps: int = 0,
) -> optax.GradientTransformation:
    """Keras's schedule-free interpolation (Defazio et al., 2024) around a direction.

    The params are `y = (1 - beta_1) * z + beta_1 * x`: `z` takes the step `-lr * direction`
    (`lr` warmed up linearly over `warmup_steps`), and `x`, recovered from `y` and the old
    `z`, moves to `z` with weight `1 / t`. `optax.contrib.schedule_free` weighs the average
    by `lr**2` instead, which differs from Keras under a schedule or warmup.
    """

    def init_fn(params):
        return ScheduleFreeState(
            momentum=jax.tree.map(jnp.copy, params), inner_state=direction.init(params)
        )

    def update_fn(updates, state, params=None):
        steps, inner_state = direction.update(updates, state.inner_state, params)

        def move(step, z, y):
            t = (iteration + 1).astype(y.dtype)
            lr = learning_rate.astype(y.dtype)
            if warmup_steps > 0:
                lr = lr * jnp.minimum(t / warmup_steps, 1.0)
            new_z = z - lr * step
            x = (y - (1 - beta_1) * z) / beta_1
            new_x = (1 - 1 / t) * x + new_z / t
            return (1 - beta_1) * new_z + beta_1 * new_x - y, new_z

        moved = jax.tree.map(move, steps, state.momentum, params)
        updates, momentum = _unzip(moved, steps, 2)
        return updates, ScheduleFreeState(momentum, inner_state)

    return optax.GradientTransformation(init_fn, update_fn)
