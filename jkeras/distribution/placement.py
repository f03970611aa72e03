"""Where jkeras puts arrays under the current distribution: the hooks of `Variable` and the
trainer's data path. Without a distribution every function is the single-device behaviour.

- Variables: a new variable's value is placed with its layout (`get_variable_layout`, unless
  one was given), and so is every later `assign` (Keras 3's JAX `Variable._initialize`).
- In-memory datasets: replicated on every device of the mesh; the batch each step gathers is
  then constrained (`with_sharding_constraint`) to the data layout, batch dimension split over
  the batch axis.
- Host batches (evaluate, predict, generators): put with the data layout
  (`jax.make_array_from_process_local_data`: on several processes each one feeds its own rows).

A batch whose size the batch axis does not divide (e.g. the last, smaller batch) is replicated
instead: every device computes the whole batch, with the same result.
"""

import math

import jax

from jkeras.core import variable as variable_module
from jkeras.distribution import distribution_lib


def variable_layout(variable, value, layout=None):
    """The layout a new `variable` with initial `value` gets: `layout` if given, else the
    current distribution's choice, else None (default device). Needs `variable.path`, `shape`.

    Where the distribution would replicate the variable but its initial value is already
    sharded over the distribution's mesh, the value keeps its sharding: optimizer slots are
    made from their (sharded) variables' values, so they follow them, as Keras's optimizers do
    by passing the variable's layout.
    """
    if layout is not None:
        return layout
    distribution = distribution_lib.distribution()
    if distribution is None:
        return None
    layout = distribution.get_variable_layout(variable)
    current = getattr(value, "sharding", None)
    if (
        _as_sharding(layout).is_fully_replicated
        and isinstance(current, jax.sharding.NamedSharding)
        and not current.is_fully_replicated
        and current.mesh == distribution.device_mesh.backend_mesh
    ):
        return current
    return layout


def place_variable_value(value, layout, path):
    """`value` laid out as `layout`; a ValueError naming the variable if they do not fit."""
    sharding = _as_sharding(layout)
    if isinstance(sharding, jax.sharding.NamedSharding):
        _check_fits(sharding, value.shape, f"Variable '{path}'")
    return distribution_lib.distribute_tensor(value, sharding)


def put_dataset(array):
    """An in-memory dataset array on the device(s): replicated over the mesh under a
    distribution (the same rows must be given on every process)."""
    distribution = distribution_lib.distribution()
    if distribution is None:
        return jax.device_put(array)
    replicated = jax.sharding.NamedSharding(
        distribution.device_mesh.backend_mesh, jax.sharding.PartitionSpec()
    )
    if isinstance(array, jax.Array) or jax.process_count() == 1:
        return jax.device_put(array, replicated)
    return jax.make_array_from_process_local_data(replicated, array)


def constrain_batch(structure):
    """Inside the jitted step: lay out every array of a gathered batch with the data layout
    (replicated where the batch axis does not divide its size)."""
    distribution = distribution_lib.distribution()
    if distribution is None:
        return structure
    return jax.tree_util.tree_map(
        lambda a: jax.lax.with_sharding_constraint(a, _data_sharding(distribution, a.shape)),
        structure,
    )


def constrain_state(state, variable_groups, previous=None):
    """Inside a jitted step: lay out each new value as its variable (`state` and
    `variable_groups` are matching tuples of lists). Left alone, GSPMD may choose other
    output shardings (e.g. split a replicated BatchNormalization scale), and the next call,
    given those, compiles the step again. Values that are `previous`'s own (the step's input
    state, passed through) have their layout already and stay as they are."""
    previous = previous or [[None] * len(values) for values in state]
    return tuple(
        [value if getattr(variable, "layout", None) is None or value is before
         else jax.lax.with_sharding_constraint(value, _as_sharding(variable.layout))
         for variable, value, before in zip(variables, values, old)]
        for variables, values, old in zip(variable_groups, state, previous)
    )


def batch_putter():
    """A function putting a host batch (a structure of arrays) on the device(s) under the
    distribution current *now* (so a background thread may call it)."""
    distribution = distribution_lib.distribution()
    if distribution is None:
        return jax.device_put
    processes = jax.process_count()

    def put(array):
        if isinstance(array, jax.Array):
            return jax.device_put(array, _data_sharding(distribution, array.shape))
        global_shape = (array.shape[0] * processes,) + tuple(array.shape[1:])
        sharding = _data_sharding(distribution, global_shape)
        if processes > 1 and sharding.is_fully_replicated:
            raise ValueError(
                f"A batch of {array.shape[0]} rows per process ({global_shape[0]} in all) "
                f"cannot be split over the '{distribution.batch_dim_name}' mesh axis of "
                f"{_axis_size(sharding.mesh, distribution.batch_dim_name)} "
                "devices: with several processes, use a batch size it divides."
            )
        return jax.make_array_from_process_local_data(sharding, array, global_shape)

    return lambda structure: jax.tree_util.tree_map(put, structure)


def _data_sharding(distribution, shape):
    sharding = _as_sharding(distribution.get_data_layout(shape))
    if _fits(sharding, shape):
        return sharding
    return jax.sharding.NamedSharding(sharding.mesh, jax.sharding.PartitionSpec())


def _as_sharding(layout):
    if isinstance(layout, distribution_lib.TensorLayout):
        return layout.backend_layout
    return layout


def _axis_size(mesh, axes):
    names = axes if isinstance(axes, tuple) else (axes,)
    return math.prod(mesh.shape[name] for name in names)


def _fits(sharding, shape):
    spec = sharding.spec
    return len(spec) <= len(shape) and all(
        axes is None or shape[i] % _axis_size(sharding.mesh, axes) == 0
        for i, axes in enumerate(spec)
    )


def _check_fits(sharding, shape, what):
    if len(sharding.spec) > len(shape):
        raise ValueError(
            f"{what} of shape {tuple(shape)} cannot take the layout {tuple(sharding.spec)}: "
            f"it names {len(sharding.spec)} dimensions, the variable has {len(shape)}."
        )
    if not _fits(sharding, shape):
        sizes = [None if axes is None else _axis_size(sharding.mesh, axes)
                 for axes in sharding.spec]
        raise ValueError(
            f"{what} of shape {tuple(shape)} cannot take the layout {tuple(sharding.spec)}: "
            f"each sharded dimension must be divisible by its mesh axis size {sizes}."
        )


class DistributionPlacement(variable_module.Placement):
    """Variables placed by the current distribution (see the module docstring)."""

    def layout(self, variable, value, layout):
        return variable_layout(variable, value, layout)

    def place(self, value, layout, path):
        return place_variable_value(value, layout, path)


variable_module.set_placement(DistributionPlacement())
