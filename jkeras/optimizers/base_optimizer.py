"""`Optimizer`: a Keras optimizer facade over a pure optax `GradientTransformation`.

The pure core is `transformation` (`init`/`update` over any params pytree). The Keras facade
(`build`, `apply_gradients`, `stateless_apply`, `variables`) flattens the optimizer state into
a list of non-trainable `Variable`s, one per leaf, in the order of `jax.tree.leaves(state)`.
"""

import numbers
import re
import warnings
from typing import ClassVar

import jax
import jax.numpy as jnp
import optax

from jkeras import config as jkeras_config
from jkeras.core import naming
from jkeras.core.variable import ArrayLike, Variable
from jkeras.optimizers import schedules as schedules_module
from jkeras.optimizers import transforms

_SHARED_ARGS = """weight_decay: float or None. If set, each step first decays every variable by
            `variable * weight_decay * learning_rate` (decoupled weight decay).
        clipnorm: float or None. If set, each gradient is clipped to L2 norm at most this.
        clipvalue: float or None. If set, gradients are clipped to `[-clipvalue, clipvalue]`.
        global_clipnorm: float or None. If set, all gradients together are clipped to global
            L2 norm at most this. At most one of the three clipping arguments may be set.
        use_ema: bool. If `True`, keep an exponential moving average of the variables
            (`average` slots); `finalize_variable_values` writes it into the variables.
            Defaults to `False`.
        ema_momentum: float in [0, 1], the EMA momentum:
            `average = ema_momentum * average + (1 - ema_momentum) * variable`.
            Defaults to `0.99`.
        ema_overwrite_frequency: int >= 1 or None. With `use_ema`, every this many updates
            the variables are overwritten with their average. Defaults to `None` (never
            during training).
        loss_scale_factor: float or None. If set, gradients are divided by it first, and
            `scale_loss` multiplies the loss by it.
        gradient_accumulation_steps: int >= 2 or None. If set, gradients are summed over this
            many `apply` calls and the variables are updated with their mean on every
            this-many-th call; `iterations` counts those updates.
        name: the optimizer's name, the prefix of its variables' paths."""


def _value(x):
    return x.value if isinstance(x, ArrayLike) else x


class Optimizer:
    """Base class of the jkeras optimizers.

    A subclass defines `update_rule(learning_rate, iteration)`, the optax transformation that
    turns (clipped) gradients into updates with the learning rate applied; the base class adds
    gradient casting, loss-scale, clipping and weight decay around it, and keeps the learning
    rate and the iteration count in the state (see `transforms.OptimizerState`).

    Args:
        learning_rate: float, the learning rate.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.SGD(learning_rate=0.1)
        >>> v = jkeras.Variable([1.0, 2.0])
        >>> _ = opt.apply_gradients([(jnp.array([1.0, 1.0]), v)])
        >>> v.numpy()
        array([0.9, 1.9], dtype=float32)
    """

    # Names of optax state fields, as the Keras names of the slot variables built from them.
    slot_names: ClassVar[dict] = {
        "trace": "momentum",
        "nu": "velocity",
        "sum_of_squares": "accumulator",
    }
    # Whether `update_rule` reads the params (Lamb, Ftrl, Adafactor): weight decay must then
    # be applied to the variable before the rule, as Keras does (`transforms.
    # decay_variables_first`); for the others, adding it to the updates is the same.
    update_reads_variables: ClassVar[bool] = False

    def __init__(
        self,
        learning_rate,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        cls_name = self.__class__.__name__
        if "lr" in kwargs:
            warnings.warn(
                f"{cls_name}: the `lr` argument is deprecated, use `learning_rate` instead.",
                DeprecationWarning,
                stacklevel=3,
            )
            learning_rate = kwargs.pop("lr")
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"{cls_name}: argument(s) not recognized: {kwargs}")
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. Received: "
                f"gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(
                    f"`ema_momentum` must be in the range [0, 1]. Received: "
                    f"ema_momentum={ema_momentum}"
                )
            if ema_overwrite_frequency and (
                not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
            ):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                    f"ema_overwrite_frequency={ema_overwrite_frequency}"
                )
        clip_args = {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "global_clipnorm": global_clipnorm,
        }
        if sum(a is not None for a in clip_args.values()) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        schedule = None
        if isinstance(learning_rate, schedules_module.LearningRateSchedule):
            schedule, learning_rate = learning_rate, 0.0
        learning_rate = self._check_learning_rate(learning_rate)

        self.name = name or naming.auto_name(naming.to_snake_case(cls_name))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        with naming.name_scope(self.name):
            self._iterations = Variable(0, dtype="int32", trainable=False, name="iteration")
            self._learning_rate = Variable(
                learning_rate, dtype=jkeras_config.floatx(), trainable=False, name="learning_rate"
            )
        self._trainable_variables = []
        self._state_treedef = None
        self._weight_decay_mask = None
        self._overwrite = None  # per built variable: overwritten with its gradient (build)
        self._exclude_ids = set()
        self._exclude_pattern = None
        self._set_schedule(schedule)

    def _set_schedule(self, schedule):
        """Use `schedule` (or the `learning_rate` variable if None) and rebuild the transformation.

        With a schedule the state holds no learning rate, so, as in Keras, `variables` has no
        `learning_rate` entry.
        """
        self._schedule = schedule
        self._variables = [self._iterations] + ([] if schedule else [self._learning_rate])
        self._slot_param_index = [None] * len(self._variables)
        self._slot_fields = [None] * len(self._variables)
        self.transformation = self._transformation_for(schedule)

    def _transformation_for(self, schedule):
        return transforms.inject_learning_rate_and_iteration(
            self._make_update,
            lambda: self._learning_rate.value,
            schedule=schedule,
            gradient_accumulation_steps=self.gradient_accumulation_steps,
            ema_momentum=self.ema_momentum if self.use_ema else None,
            ema_overwrite_frequency=self.ema_overwrite_frequency,
            overwrite=self._overwrite,
        )

    # ----------------------------------------------------------------------------- pure core

    def update_rule(self, learning_rate, iteration):
        """The optax transformation from gradients to updates, learning rate applied.

        Args:
            learning_rate: float32 scalar array, read from the state.
            iteration: int32 scalar array, the number of updates already applied.
        """
        raise NotImplementedError(f"{self.__class__.__name__} must define `update_rule`.")

    def _make_update(self, learning_rate, iteration):
        parts = [transforms.cast_to_params_dtype()]
        if self.loss_scale_factor is not None:
            parts.append(optax.scale(1.0 / self.loss_scale_factor))
        # Keras clips only for a positive threshold.
        if self.clipnorm and self.clipnorm > 0:
            parts.append(transforms.clip_by_norm(self.clipnorm))
        elif self.global_clipnorm and self.global_clipnorm > 0:
            parts.append(optax.clip_by_global_norm(self.global_clipnorm))
        elif self.clipvalue and self.clipvalue > 0:
            parts.append(optax.clip(self.clipvalue))
        if self.weight_decay and self.update_reads_variables:
            parts.append(
                transforms.decay_variables_first(
                    self.update_rule(learning_rate, iteration),
                    learning_rate * self.weight_decay,
                    mask=self._weight_decay_mask,
                )
            )
            return optax.chain(*parts)
        parts.append(self.update_rule(learning_rate, iteration))
        decay = self.decay_rule(learning_rate)
        if decay is not None:
            parts.append(decay)
        return optax.chain(*parts)

    def decay_rule(self, learning_rate):
        """The decoupled weight decay added to the updates, or None without weight decay.

        Keras decays the variable by `variable * wd * lr` outside the update rule (so never
        through momentum): the same as adding `-lr * wd * params` to the final updates.
        An optimizer with several decay rates (Muon) overrides this.
        """
        if not self.weight_decay:
            return None
        return optax.add_decayed_weights(
            -learning_rate * self.weight_decay, mask=self._weight_decay_mask
        )

    def init(self, params):
        """The initial optimizer state (an `OptimizerState`) for a params pytree."""
        return self.transformation.init(params)

    def update(self, grads, opt_state, params):
        """One pure step: returns `(new_params, new_opt_state)`."""
        updates, opt_state = self.transformation.update(grads, opt_state, params)
        return transforms.apply_updates(params, updates, self._overwrite), opt_state

    # --------------------------------------------------------------------------- Keras facade

    @property
    def variables(self):
        """The optimizer's state as non-trainable `Variable`s, `[iteration, learning_rate, ...]`."""
        return self._variables[:]

    @property
    def slot_owners(self):
        """For each of `variables`: `(index into built_variables, slot field)` of the
        trainable variable the slot belongs to, `(None, None)` for the iteration and learning
        rate."""
        return list(zip(self._slot_param_index, self._slot_fields))

    @property
    def built_variables(self):
        """The trainable variables `build` created the slots for (empty before `build`)."""
        return list(self._trainable_variables)

    @property
    def iterations(self):
        """The `Variable` counting the updates applied.

        With `gradient_accumulation_steps`, as in Keras, the number of updates applied (an
        array: the variable, which counts `apply` calls, divided by the steps).
        """
        if self.gradient_accumulation_steps:
            return self._iterations.value // self.gradient_accumulation_steps
        return self._iterations

    @property
    def learning_rate(self):
        """The current learning rate, a float read from the optimizer's state.

        With a `LearningRateSchedule`, its value at the current iteration (as in Keras).
        """
        if self._schedule is not None:
            return float(self._schedule(self._iterations.value))
        return float(self._learning_rate.value)

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, schedules_module.LearningRateSchedule):
            if self.built and self._schedule is None:
                raise ValueError(
                    f"{self.__class__.__name__}: a `LearningRateSchedule` can replace a float "
                    "`learning_rate` only before the optimizer is built (its state would lose "
                    "the `learning_rate` variable). Create the optimizer with the schedule."
                )
            if self.built:
                self._schedule = value
                self.transformation = self._transformation_for(value)
            else:
                self._set_schedule(value)
            return
        if self._schedule is not None:
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument."
            )
        self._learning_rate.assign(self._check_learning_rate(value))

    def _check_learning_rate(self, value):
        value = _value(value)
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, jax.Array)):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                f"{self.__class__.__name__}: argument `learning_rate` should be a float or an "
                f"instance of LearningRateSchedule. Received instead: learning_rate={value!r}"
            )
        return value

    def build(self, var_list):
        """Create the optimizer state for `var_list` as `Variable`s (no-op if already built)."""
        if self.built:
            return
        var_list = list(var_list)
        self._trainable_variables = var_list
        # Variables overwritten with their gradient get no slots and no update (as Keras).
        self._overwrite = tuple(overwrites_with_gradient(v) for v in var_list)
        if any(self._overwrite):
            self.transformation = self._transformation_for(self._schedule)
        mask = [self._use_weight_decay(v) for v in updated_variables(var_list)]
        # Only a real exclusion needs a mask; without one `update` accepts any params pytree.
        self._weight_decay_mask = None if all(mask) else mask
        # One compiled program for the whole state: run eagerly, every slot shape would
        # compile its own `zeros_like`. Eagerly for values laid out over
        # several devices, whose slots must keep those layouts (a jit would choose its own).
        values = [v.value for v in var_list]
        one_device = all(len(x.sharding.device_set) == 1
                         for x in values if isinstance(x, jax.Array))
        state = (jax.jit(self.init) if one_device else self.init)(values)
        leaves_with_path, self._state_treedef = jax.tree_util.tree_flatten_with_path(state)
        n_fixed = len(self._variables)  # iteration (and learning_rate): created in __init__
        variables, slot_index = list(self._variables), [None] * n_fixed
        slot_fields = [None] * n_fixed
        # The slots other than the accumulators exist for the updated variables only.
        updated = [i for i, overwritten in enumerate(self._overwrite) if not overwritten]
        with naming.name_scope(self.name):
            for path, leaf in leaves_with_path[n_fixed:]:
                name, index, field = self._slot_name(path, var_list, updated)
                variables.append(Variable(leaf, trainable=False, name=name))
                slot_index.append(index)
                slot_fields.append(field)
        self._variables, self._slot_param_index = variables, slot_index
        self._slot_fields = slot_fields
        self.built = True

    def _slot_name(self, path, var_list, updated):
        """`kernel_momentum` for field `trace` of param 0 named `kernel`; also the param index
        (into `var_list`; a slot's list index counts the `updated` positions only, an
        accumulator's all of them) and the state field."""
        fields = [i for i, k in enumerate(path) if isinstance(k, jax.tree_util.GetAttrKey)]
        field = path[fields[-1]].name if fields else "slot"
        field = self.slot_names.get(field, field)
        rest = path[fields[-1] + 1 :] if fields else path
        if len(rest) == 1 and isinstance(rest[0], jax.tree_util.SequenceKey):
            index = rest[0].idx
            if getattr(path[0], "name", None) != "gradient_accumulator":
                index = updated[index]
            variable = var_list[index]
            prefix = getattr(variable, "path", getattr(variable, "name", "variable"))
            return f"{prefix.replace('/', '_')}_{field}", index, field
        return field, None, field

    def apply_gradients(self, grads_and_vars):
        """Apply `(gradient, variable)` pairs; returns the `iterations` variable."""
        grads, trainable_variables = zip(*grads_and_vars)
        self.apply(grads, trainable_variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Update variables with gradients, building the optimizer on first use.

        Args:
            grads: gradients, one per variable; `None` leaves that variable (and its slots)
                unchanged, with a warning.
            trainable_variables: the variables, needed on the first call; by default those
                the optimizer was built with.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first."
                )
            if len(grads) != len(self._trainable_variables):
                raise ValueError(
                    f"{self.__class__.__name__}: expected one gradient per trainable variable "
                    f"({len(self._trainable_variables)}), received {len(grads)} gradients."
                )
            full_grads = grads
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
            full_grads = grads_in_build_order(grads, trainable_variables,
                                              self._trainable_variables)
        new_params, new_values = self._apply_values(
            [v.value for v in self._variables],
            full_grads,
            [v.value for v in self._trainable_variables],
        )
        for variable, value in zip(self._trainable_variables, new_params):
            variable.assign(value)
        for variable, value in zip(self._variables, new_values):
            variable.assign(value)

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """Pure, jittable `apply` over values (the Keras 3 JAX API).

        Args:
            optimizer_variables: arrays, one per `self.variables`, in that order.
            grads: gradients, one per trainable variable (`None` leaves it unchanged).
            trainable_variables: arrays, one per variable the optimizer was built with.

        Returns:
            `(new_trainable_variables, new_optimizer_variables)`, two lists of arrays.
        """
        cls_name = self.__class__.__name__
        if not self.built:
            raise ValueError(
                f"To call `stateless_apply`, {cls_name} must be built (i.e. its variables must "
                "have been created). You can build it via `optimizer.build(trainable_variables)`."
            )
        if len(optimizer_variables) != len(self._variables):
            raise ValueError(
                f"Argument `optimizer_variables` must be a list of tensors corresponding 1:1 to "
                f"{cls_name}().variables. Received list with length "
                f"{len(optimizer_variables)}, but expected {len(self._variables)} variables."
            )
        if len(trainable_variables) != len(self._trainable_variables):
            raise ValueError(
                "Argument `trainable_variables` must be a list of tensors corresponding 1:1 to "
                f"the trainable variables list that {cls_name} was built with. Received "
                f"len(trainable_variables) == {len(trainable_variables)} whereas the optimizer "
                f"was built with {len(self._trainable_variables)} variables."
            )
        if len(grads) != len(self._trainable_variables):
            raise ValueError(
                f"Argument `grads` must have one gradient per trainable variable of {cls_name} "
                f"({len(self._trainable_variables)}); received {len(grads)}."
            )
        if not grads:  # nothing to train: a no-op, as `apply` (and Keras 3's)
            return list(trainable_variables), list(optimizer_variables)
        return self._apply_values(list(optimizer_variables), list(grads), list(trainable_variables))

    def _apply_values(self, optimizer_values, grads, params):
        """The step over value lists, shared by `apply` and `stateless_apply`."""
        optimizer_values = [jnp.asarray(_value(v)) for v in optimizer_values]
        params = [jnp.asarray(_value(p)) for p in params]
        missing = [i for i, g in enumerate(grads) if g is None]
        if len(missing) == len(grads):
            raise ValueError("No gradients provided for any variable.")
        if missing:
            paths = [getattr(self._trainable_variables[i], "path", str(i)) for i in missing]
            warnings.warn(f"Gradients do not exist for variables {paths} when minimizing the loss.")
        grads = [
            jnp.zeros_like(p) if g is None else jnp.asarray(_value(g))
            for g, p in zip(grads, params)
        ]
        state = jax.tree_util.tree_unflatten(self._state_treedef, optimizer_values)
        new_params, new_state = self.update(grads, state, params)
        new_values = jax.tree.leaves(new_state)
        if missing:
            # Variables without a gradient keep their values and their slots, as in Keras.
            new_params = [params[i] if i in missing else p for i, p in enumerate(new_params)]
            # (Keras still moves the average of such a variable towards its unchanged value.)
            new_values = [
                old if index in missing and field != "average" else new
                for old, new, index, field in zip(
                    optimizer_values, new_values, self._slot_param_index, self._slot_fields
                )
            ]
        for i, variable in enumerate(self._trainable_variables):
            constraint = getattr(variable, "constraint", None)
            if constraint is not None and i not in missing:
                new_params[i] = constraint(new_params[i])
        return list(new_params), new_values

    # -------------------------------------------------------------------------- weight decay

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exclude variables from weight decay (call before the optimizer is built).

        Args:
            var_list: variables to exclude.
            var_names: strings; a variable whose name contains any of them is excluded.
        """
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the optimizer is "
                "built."
            )
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        name = getattr(variable, "name", "")
        return not (self._exclude_pattern is not None and self._exclude_pattern.search(name))

    # ------------------------------------------------------------------------ Keras utilities

    def scale_loss(self, loss):
        """Multiply the loss by `loss_scale_factor` (if set) before taking gradients."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def finalize_variable_values(self, var_list):
        """With `use_ema`, overwrite the variables with their moving averages (else a no-op).

        Keras calls this at the end of `fit`.

        Args:
            var_list: the variables the optimizer was built with, in that order.
        """
        if not self.use_ema:
            return
        var_list = list(var_list)
        if len(var_list) != len(self._trainable_variables):
            raise ValueError(
                f"The length of model variables ({len(var_list)}) to override does not match "
                "the length of model variables stored in the optimizer "
                f"({len(self._trainable_variables)}). Please check if the optimizer was called "
                "on your model."
            )
        averages = iter(self.moving_averages)
        for variable in updated_variables(var_list):  # the others have no average (Keras)
            variable.assign(next(averages).value)

    @property
    def moving_averages(self):
        """With `use_ema`, the moving-average `Variable`s, one per variable of
        `averaged_variables` (what `SwapEMAWeights` swaps in); else an empty list."""
        return [v for v, f in zip(self._variables, self._slot_fields) if f == "average"]

    @property
    def averaged_variables(self):
        """The built variables that `moving_averages` follow, in that order: all but those
        overwritten with their gradient."""
        return [self._trainable_variables[i]
                for i, f in zip(self._slot_param_index, self._slot_fields) if f == "average"]

    def save_own_variables(self, store):
        """Write the optimizer variables into `store` under keys "0", "1", ..."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        """Read the optimizer variables written by `save_own_variables`."""
        variables = self.variables
        if len(store.keys()) != len(variables):
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(variables)} variables whereas the saved optimizer has "
                f"{len(store.keys())} variables.",
                stacklevel=2,
            )
            return
        for i, variable in enumerate(variables):
            variable.assign(store[str(i)])

    def get_config(self):
        """The constructor arguments, with Keras's keys."""
        learning_rate = self.learning_rate
        if self._schedule is not None:
            learning_rate = schedules_module.serialize(self._schedule)
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A new optimizer (without state) from `get_config()`'s output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules_module.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}, learning_rate={self.learning_rate}>"


Optimizer.__doc__ = Optimizer.__doc__.replace("{shared_args}", _SHARED_ARGS)


def overwrites_with_gradient(variable):
    """Whether an optimizer sets `variable` to its gradient (`Variable.
    overwrite_with_gradient`: float8 scales and amax histories) instead of updating it."""
    return getattr(variable, "overwrite_with_gradient", False)


def updated_variables(var_list):
    """The variables of `var_list` that the update rule updates (the others are overwritten
    with their gradient and have no slots)."""
    return [v for v in var_list if not overwrites_with_gradient(v)]


def grads_in_build_order(grads, variables, built_for):
    """`grads` (one per variable of `variables`) as a list aligned with `built_for`, the
    variables the optimizer was built for (None where no gradient was given); a ValueError
    (Keras's text) for a variable the optimizer was not built for."""
    positions = {id(v): i for i, v in enumerate(built_for)}
    full_grads = [None] * len(built_for)
    for grad, variable in zip(grads, variables):
        if id(variable) not in positions:
            raise ValueError(
                f"Unknown variable: {variable}. This optimizer can only be called for the "
                "variables it was originally built with. When working with a new set of "
                "variables, you should recreate a new optimizer instance."
            )
        full_grads[positions[id(variable)]] = grad
    return full_grads
