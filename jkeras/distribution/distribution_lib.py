"""Keras 3's distribution API on `jax.sharding`.

A `DeviceMesh` names the axes of a grid of devices (a `jax.sharding.Mesh`); a `TensorLayout`
maps each dimension of an array to a mesh axis or to None (a `jax.sharding.NamedSharding` with
that `PartitionSpec`). A `Distribution` decides the layout of every variable and data batch:
`DataParallel` replicates the variables and splits the batch; `ModelParallel` also shards the
variables a `LayoutMap` names. jkeras only *places* arrays with these shardings (variables when
they are created, data as it reaches the device); `jax.jit` (GSPMD) partitions the step and
inserts the collectives.

The current distribution is process-wide (not per thread as in Keras), so the trainer's
prefetching thread sees the same one.
"""

import collections.abc
import contextlib
import math
import os
import warnings

import jax
import numpy as np
from jax.experimental import multihost_utils

from jkeras.core import path_map
from jkeras.random import seed_generator

DEFAULT_BATCH_DIM_NAME = "batch"

_state = {"distribution": None}


def list_devices(device_type=None):
    """All devices of one type, as `"platform:id"` strings (global devices on multi-host).

    Args:
        device_type: `"cpu"`, `"gpu"` or `"tpu"`; defaults to the accelerators if any, else
            the CPUs.
    """
    device_type = device_type.lower() if device_type else None
    return [f"{device.platform}:{device.id}" for device in jax.devices(backend=device_type)]


def get_device_count(device_type=None):
    """The number of devices `list_devices(device_type)` returns."""
    device_type = device_type.lower() if device_type else None
    return jax.device_count(device_type)


def initialize(job_addresses=None, num_processes=None, process_id=None):
    """Start multi-host/multi-process execution (`jax.distributed.initialize`).

    Call it first, in every process, before any other JAX computation. Each argument may also
    come from the environment (`KERAS_DISTRIBUTION_JOB_ADDRESSES`,
    `KERAS_DISTRIBUTION_NUM_PROCESSES`, `KERAS_DISTRIBUTION_PROCESS_ID`), and may be None where
    JAX detects it (Cloud TPU, SLURM).

    Args:
        job_addresses: comma-separated `host:port` of every process; only the first (process
            0, the coordinator) is used.
        num_processes: the number of processes.
        process_id: this process's index, in `[0, num_processes)`.

    Afterwards every process draws the same global seed (process 0's, broadcast), so the
    variables each process creates hold identical initial values.
    """
    environ = os.environ
    if job_addresses is None and "KERAS_DISTRIBUTION_JOB_ADDRESSES" in environ:
        job_addresses = environ["KERAS_DISTRIBUTION_JOB_ADDRESSES"]
    if num_processes is None and "KERAS_DISTRIBUTION_NUM_PROCESSES" in environ:
        num_processes = int(environ["KERAS_DISTRIBUTION_NUM_PROCESSES"])
    if process_id is None and "KERAS_DISTRIBUTION_PROCESS_ID" in environ:
        process_id = int(environ["KERAS_DISTRIBUTION_PROCESS_ID"])
    coordinator_address = job_addresses
    if job_addresses and "," in job_addresses:
        addresses = job_addresses.split(",")
        if num_processes is not None and num_processes != len(addresses):
            raise ValueError(
                f"The provided job_addresses {addresses} has {len(addresses)} jobs, but "
                f"num_processes is {num_processes}"
            )
        coordinator_address = addresses[0]
    jax.distributed.initialize(
        coordinator_address=coordinator_address, num_processes=num_processes,
        process_id=process_id,
    )
    _agree_on_global_seed()


def _agree_on_global_seed():
    seed = np.int32(seed_generator.make_default_seed())
    seed_generator.set_global_seed(int(multihost_utils.broadcast_one_to_all(seed)))


class DeviceMesh:
    """A grid of devices with named axes (`jax.sharding.Mesh`).

    Args:
        shape: the mesh shape, e.g. `(8,)` for data parallelism or `(2, 4)` for data and
            model parallelism. Its product must be the number of devices.
        axis_names: one name per mesh axis, e.g. `("batch", "model")`; `TensorLayout`s refer
            to them.
        devices: the devices (`"gpu:0"` strings or `jax.Device`s); defaults to
            `list_devices()`.

    Example:
        >>> mesh = DeviceMesh((2, 4), ("batch", "model"))
        >>> mesh.backend_mesh   # the jax.sharding.Mesh
    """

    def __init__(self, shape, axis_names, devices=None):
        if not shape or not axis_names:
            raise ValueError(
                f"Shape and axis_names cannot be empty. Received: shape={shape}, "
                f"axis_names={axis_names}"
            )
        if len(shape) != len(axis_names):
            raise ValueError(
                "Shape and axis_names should have same size. "
                f"Received: shape={shape}, axis_names={axis_names}"
            )
        if devices is None:
            devices = list_devices()
        devices = np.array(devices)
        if math.prod(shape) != math.prod(devices.shape):
            raise ValueError(
                "Shape does not match the number of devices. "
                f"Received: shape={shape}; devices.shape={devices.shape}"
            )
        self._shape = shape
        self._axis_names = axis_names
        self._devices = np.reshape(devices, shape)
        self._backend_mesh = None

    @property
    def shape(self):
        return self._shape

    @property
    def axis_names(self):
        return self._axis_names

    @property
    def devices(self):
        return self._devices

    @property
    def backend_mesh(self):
        """The `jax.sharding.Mesh` over these devices."""
        if self._backend_mesh is None:
            devices = [_to_jax_device(d) for d in self._devices.flatten()]
            self._backend_mesh = jax.sharding.Mesh(
                np.array(devices).reshape(self._devices.shape), tuple(self._axis_names)
            )
        return self._backend_mesh

    def __repr__(self):
        return f"<{self.__class__.__name__} shape={self.shape}, axis_names={self.axis_names}>"


def _to_jax_device(device):
    if isinstance(device, jax.Device):
        return device
    name = str(device)
    platform, index = name.split(":") if ":" in name else (name, 0)
    for candidate in jax.devices(backend=platform):
        if candidate.platform == platform and candidate.id == int(index):
            return candidate
    raise ValueError(f"Device not found: {name}")


class TensorLayout:
    """How an array is laid out on a `DeviceMesh` (`jax.sharding.NamedSharding`).

    Args:
        axes: one entry per array dimension: the mesh axis name that dimension is split over,
            or None to keep it whole (replicated over the other devices).
        device_mesh: the `DeviceMesh`; may be set later, once (a `LayoutMap` sets it).

    Example:
        >>> layout = TensorLayout((None, "model"), mesh)   # columns split over "model"
    """

    def __init__(self, axes, device_mesh=None):
        self._axes = tuple(axes)
        self._device_mesh = device_mesh
        self._backend_layout = None
        self._validate_axes()

    @property
    def axes(self):
        return self._axes

    @property
    def device_mesh(self):
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh):
        if self._device_mesh is not None:
            raise ValueError(
                f"Cannot override device mesh value. Existing value is {self._device_mesh}"
            )
        self._device_mesh = device_mesh
        self._validate_axes()

    @property
    def backend_layout(self):
        """The `jax.sharding.NamedSharding` for this layout."""
        if self._device_mesh is None:
            raise ValueError(
                "Cannot create sharding when device mesh is not set for TensorLayout."
            )
        if self._backend_layout is None:
            self._backend_layout = jax.sharding.NamedSharding(
                self._device_mesh.backend_mesh, jax.sharding.PartitionSpec(*self._axes)
            )
        return self._backend_layout

    def _validate_axes(self):
        if self._device_mesh:
            valid_axis_names = set(self._device_mesh.axis_names)
            axis_names = set(self._axes) - {None}
            if axis_names - valid_axis_names:
                raise ValueError(
                    "Invalid axis names for Layout. Valid axis "
                    f"names: {valid_axis_names}, Got {axis_names}"
                )

    def __repr__(self):
        return f"<{self.__class__.__name__} axes={self.axes}, device_mesh={self.device_mesh}>"


class Distribution:
    """Base class: where variables, data batches and intermediate tensors are placed.

    Args:
        device_mesh: the `DeviceMesh`.
        batch_dim_name: the mesh axis the batch dimension of the data is split over.
        auto_shard_dataset: kept for Keras compatibility (Keras uses it to shard `tf.data`
            datasets between processes).

    `with distribution.scope():` makes it current for a block; `set_distribution` globally.
    """

    def __init__(self, device_mesh, batch_dim_name=None, auto_shard_dataset=True):
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = auto_shard_dataset
        self._num_processes = jax.process_count()
        self._process_id = jax.process_index()
        self._is_multi_process = self._num_processes > 1

    @property
    def num_processes(self):
        """Total number of processes in the cluster."""
        return self._num_processes

    @property
    def num_model_replicas(self):
        raise NotImplementedError()

    @property
    def data_shard_id(self):
        """The index of the data shard the current process feeds."""
        if self.num_model_replicas >= self.num_processes:
            return self._process_id
        return self._process_id // (self.num_processes // self.num_model_replicas)

    def get_data_layout(self, data_shape):
        """The `TensorLayout` of an input batch of shape `data_shape`."""
        raise NotImplementedError()

    def get_variable_layout(self, variable):
        """The `TensorLayout` of `variable` (it has `path` and `shape`)."""
        raise NotImplementedError()

    def get_tensor_layout(self, path):
        """The `TensorLayout` of the intermediate tensor at `path`, or None."""
        raise NotImplementedError()

    @contextlib.contextmanager
    def scope(self):
        """Make this distribution current inside the `with` block."""
        original = distribution()
        set_distribution(self)
        try:
            yield
        finally:
            set_distribution(original)

    @property
    def device_mesh(self):
        return self._device_mesh

    @property
    def batch_dim_name(self):
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self):
        return self._auto_shard_dataset

    @auto_shard_dataset.setter
    def auto_shard_dataset(self, auto_shard_dataset):
        self._auto_shard_dataset = auto_shard_dataset

    def distribute_dataset(self, dataset):
        """The dataset unchanged on one process (or with `auto_shard_dataset=False`); jkeras
        cannot shard other datasets between processes (each process must feed its own
        part)."""
        if not self._is_multi_process or not self.auto_shard_dataset:
            return dataset
        raise ValueError(
            f"The dataset type {type(dataset)} is not supported for auto-sharding in "
            "multi-process setting."
        )

    def __repr__(self):
        return f"<{self.__class__.__name__} device_mesh={self.device_mesh}>"


class DataParallel(Distribution):
    """Data parallelism: variables replicated on every device, each batch split between them.

    Give either `device_mesh` (1D; with more axes the first is the batch axis, with a
    warning) or `devices` (a 1D mesh over them); with neither, all of `list_devices()`.

    Args:
        device_mesh: optional `DeviceMesh`.
        devices: optional list of devices.
        auto_shard_dataset: see `Distribution`.

    Example:
        >>> jkeras.distribution.set_distribution(jkeras.distribution.DataParallel())
        >>> model = make_model(); model.compile(...); model.fit(x, y)
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh:
            if not isinstance(device_mesh, DeviceMesh):
                raise ValueError(
                    "Expect `mesh` to be an instance of `DeviceMesh`. "
                    f"Received: mesh={device_mesh} (of type {type(device_mesh)})"
                )
            super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)
            if device_mesh.devices.ndim != 1:
                warnings.warn(
                    "Expect the input mesh to be 1D, but received mesh.devices.ndim="
                    f"{device_mesh.devices.ndim}. The first axis will be used for "
                    "data-parallel sharding.", stacklevel=2,
                )
            return
        devices = np.array(devices if devices else list_devices())
        device_mesh = DeviceMesh(
            shape=devices.shape, axis_names=[DEFAULT_BATCH_DIM_NAME], devices=devices
        )
        super().__init__(device_mesh, DEFAULT_BATCH_DIM_NAME, auto_shard_dataset)

    @property
    def num_model_replicas(self):
        return self.device_mesh.devices.size

    def get_data_layout(self, data_shape):
        return _batch_layout(data_shape, self.batch_dim_name, self.device_mesh)

    def get_variable_layout(self, variable):
        if getattr(variable, "layout", None) is not None:
            return variable.layout
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

    def get_tensor_layout(self, path):
        return None


class ModelParallel(Distribution):
    """Model (and data) parallelism: variables sharded as a `LayoutMap` says.

    Variables whose path matches a key of the `LayoutMap` (a regex, `re.fullmatch` on
    `variable.path`, e.g. `"sequential/dense/kernel"`) take its layout; the others are
    replicated. Batches are split over `batch_dim_name`. Optimizer slots are created from
    their variable's value and keep its sharding when the optimizer passes its `layout`.

    Args:
        layout_map: the `LayoutMap` (its `device_mesh` is the distribution's).
        batch_dim_name: the mesh axis the batch is split over; defaults to the mesh's first.
        auto_shard_dataset: see `Distribution`.

    Example:
        >>> mesh = DeviceMesh((2, 4), ("batch", "model"))
        >>> layout_map = LayoutMap(mesh)
        >>> layout_map[".*dense.*kernel"] = (None, "model")
        >>> layout_map[".*dense.*bias"] = ("model",)
        >>> set_distribution(ModelParallel(layout_map=layout_map, batch_dim_name="batch"))
    """

    def __init__(self, *, layout_map=None, batch_dim_name=None, auto_shard_dataset=True,
                 **kwargs):
        kwargs.pop("device_mesh", None)  # accepted and ignored, as in Keras
        if layout_map is None:
            raise ValueError("You must specify a layout_map argument.")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                "Argument `layout_map` must be a `LayoutMap` instance. "
                f"Received: layout_map={layout_map}"
            )
        device_mesh = layout_map.device_mesh
        batch_dim_name = batch_dim_name or device_mesh.axis_names[0]
        super().__init__(device_mesh, batch_dim_name, auto_shard_dataset)
        self._layout_map = layout_map
        if (
            self._is_multi_process
            and self.num_processes > self.num_model_replicas
            and self.num_processes % self.num_model_replicas != 0
        ):
            raise ValueError(
                "If `num_processes` is greater than `num_model_replicas`, `num_processes` "
                "must be divisible by `num_model_replicas`. "
                f"Got num_processes={self.num_processes}, "
                f"num_model_replicas={self.num_model_replicas}."
            )

    @property
    def num_model_replicas(self):
        index = list(self.device_mesh.axis_names).index(self.batch_dim_name)
        return self.device_mesh.shape[index]

    def get_data_layout(self, data_shape):
        return _batch_layout(data_shape, self.batch_dim_name, self.device_mesh)

    def get_variable_layout(self, variable):
        if getattr(variable, "layout", None) is not None:
            return variable.layout
        layout = self._layout_map[variable.path]
        if layout is not None:
            return layout
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

    def get_tensor_layout(self, path):
        return self._layout_map[path]


def _batch_layout(data_shape, batch_dim_name, device_mesh):
    axes = [None] * len(data_shape)
    axes[0] = batch_dim_name
    return TensorLayout(axes, device_mesh)


class LayoutMap(collections.abc.MutableMapping):
    """A dict from variable-path regexes to `TensorLayout`s.

    Lookup: an exact key first, else the one key that `re.fullmatch`es the path (several
    matches raise a ValueError), else None. A tuple of axis names may be assigned instead of
    a `TensorLayout`; it gets this map's mesh.

    Args:
        device_mesh: the `DeviceMesh` of the layouts.

    Example:
        >>> layout_map = LayoutMap(mesh)
        >>> layout_map[".*dense.*kernel"] = (None, "model")
        >>> layout_map["sequential/dense/kernel"].axes
        (None, 'model')
    """

    def __init__(self, device_mesh):
        self._layout_map = collections.OrderedDict()
        self._device_mesh = device_mesh

    def __getitem__(self, key):
        return path_map.lookup(self._layout_map, key, "layout", "tensor/variable path",
                               "LayoutMap")

    def __setitem__(self, key, layout):
        if key in self._layout_map:
            raise ValueError(
                f"{key} already exist in the LayoutMap with value {self._layout_map[key]}. "
                "Please make sure to not use duplicated keys."
            )
        if isinstance(layout, tuple):
            layout = TensorLayout(axes=layout, device_mesh=None)
        if not isinstance(layout, TensorLayout):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                f"{layout} should be a TensorLayout type, got {type(layout)}"
            )
        if layout.device_mesh is None and self._device_mesh is not None:
            layout.device_mesh = self._device_mesh
        self._layout_map[key] = layout

    def __delitem__(self, key):
        return self._layout_map.pop(key)

    def __len__(self):
        return len(self._layout_map)

    def __iter__(self):
        return iter(self._layout_map)

    @property
    def device_mesh(self):
        return self._device_mesh


LayoutMap.get.__doc__ = LayoutMap.__getitem__.__doc__


def distribute_tensor(tensor, layout):
    """`tensor` laid out as `layout` (a `TensorLayout` or a `jax.sharding.Sharding`).

    Under `jax.jit` this is `jax.lax.with_sharding_constraint`; outside, `jax.device_put`
    (skipped when the array already has that sharding).
    """
    sharding = layout.backend_layout if isinstance(layout, TensorLayout) else layout
    if isinstance(tensor, jax.core.Tracer):
        return jax.lax.with_sharding_constraint(tensor, sharding)
    if isinstance(tensor, jax.Array) and tensor.sharding.is_equivalent_to(
        sharding, tensor.ndim
    ):
        return tensor
    return jax.device_put(tensor, sharding)


def distribution():
    """The current `Distribution`, or None."""
    return _state["distribution"]


def set_distribution(value):
    """Make `value` (a `Distribution`, or None to turn distribution off) the current one.

    It applies to what is created or run afterwards: create the model (its variables) and
    call `fit` under the same distribution.
    """
    if value is not None and not isinstance(value, Distribution):
        raise TypeError(
            f"Expected a `Distribution` instance (e.g. `DataParallel()`) or None. "
            f"Received: {value!r}"
        )
    _state["distribution"] = value
