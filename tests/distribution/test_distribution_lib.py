"""The distribution API objects against Keras 3's (JAX backend), on this process's devices.

Training on several devices is checked by `test_multi_device.py`.
"""

import jax
import keras
import numpy as np
import pytest
from jax.sharding import NamedSharding, PartitionSpec

import jkeras
from jkeras import distribution as dist
from jkeras import layers


def error_text(function, *args, **kwargs):
    with pytest.raises(ValueError) as info:
        function(*args, **kwargs)
    return str(info.value)


def same_error(name, *args, **kwargs):
    """Call `name` in jkeras.distribution and keras.distribution; both raise the same text."""
    ours = error_text(getattr(dist, name), *args, **kwargs)
    theirs = error_text(getattr(keras.distribution, name), *args, **kwargs)
    assert ours == theirs
    return ours


def test_devices_match_keras():
    assert dist.list_devices() == keras.distribution.list_devices()
    assert dist.list_devices("cpu") == keras.distribution.list_devices("CPU")
    assert dist.get_device_count() == keras.distribution.get_device_count() == jax.device_count()


def test_device_mesh_errors_match_keras():
    count = jax.device_count()
    assert "Shape does not match the number of devices" in same_error(
        "DeviceMesh", (count + 1,), ["batch"])
    assert "should have same size" in same_error("DeviceMesh", (count,), ["batch", "model"])
    assert "cannot be empty" in same_error("DeviceMesh", (), [])


def test_device_mesh_builds_the_jax_mesh():
    devices = dist.list_devices()
    mesh = dist.DeviceMesh((len(devices),), ["batch"], devices)
    reference = keras.distribution.DeviceMesh((len(devices),), ["batch"], devices)
    assert repr(mesh) == repr(reference)
    assert mesh.backend_mesh == reference.backend_mesh
    assert isinstance(mesh.backend_mesh, jax.sharding.Mesh)
    assert mesh.devices.tolist() == reference.devices.tolist()
    with pytest.raises(ValueError, match="Device not found: cpu:99"):
        _ = dist.DeviceMesh((1,), ["batch"], ["cpu:99"]).backend_mesh


def meshes():
    shape, names = (jax.device_count(),), ["batch"]
    return dist.DeviceMesh(shape, names), keras.distribution.DeviceMesh(shape, names)


def test_tensor_layout_matches_keras():
    ours, theirs = meshes()
    layout = dist.TensorLayout(("batch", None), ours)
    assert layout.backend_layout == dist.TensorLayout(("batch", None), ours).backend_layout
    assert layout.backend_layout == NamedSharding(ours.backend_mesh, PartitionSpec("batch", None))
    assert repr(layout) == repr(keras.distribution.TensorLayout(("batch", None), theirs))
    assert error_text(dist.TensorLayout, ("model",), ours) == error_text(
        keras.distribution.TensorLayout, ("model",), theirs)
    unset, unset_keras = dist.TensorLayout((None,)), keras.distribution.TensorLayout((None,))
    assert error_text(lambda: unset.backend_layout) == error_text(
        lambda: unset_keras.backend_layout)
    unset.device_mesh, unset_keras.device_mesh = ours, theirs
    assert error_text(setattr, unset, "device_mesh", ours) == error_text(
        setattr, unset_keras, "device_mesh", theirs)


def layout_maps():
    ours, theirs = meshes()
    maps = dist.LayoutMap(ours), keras.distribution.LayoutMap(theirs)
    for layout_map in maps:
        layout_map[".*dense.*kernel"] = (None, "batch")
        layout_map[".*dense.*bias"] = ("batch",)
        layout_map["exact/kernel"] = ("batch", None)
    return maps


def test_layout_map_lookup_matches_keras():
    ours, theirs = layout_maps()
    for path in ["model/dense_1/kernel", "dense/bias", "exact/kernel", "conv2d/kernel",
                 "model/dense/kernel_momentum"]:
        a, b = ours[path], theirs[path]
        assert (a is None and b is None) or (a.axes == b.axes and a.device_mesh is ours.device_mesh)
    assert len(ours) == 3 and list(ours) == list(theirs)
    del ours["exact/kernel"]
    assert len(ours) == 2 and ours.get("nothing") is None


def test_layout_map_errors_match_keras():
    ours, theirs = layout_maps()
    ours["other.*"] = theirs["other.*"] = (None,)
    assert error_text(lambda: ours["other/dense/kernel"]) == error_text(
        lambda: theirs["other/dense/kernel"])
    assert "matches multiple layout" in error_text(lambda: ours["other/dense/kernel"])
    assert error_text(ours.__setitem__, "exact/kernel", (None,)) == error_text(
        theirs.__setitem__, "exact/kernel", (None,))
    assert error_text(ours.__setitem__, "x", "batch") == error_text(
        theirs.__setitem__, "x", "batch")


def test_distributions_match_keras():
    (ours, theirs), (our_map, their_map) = meshes(), layout_maps()
    for a, b in [(dist.DataParallel(), keras.distribution.DataParallel()),
                 (dist.DataParallel(devices=dist.list_devices()),
                  keras.distribution.DataParallel(devices=keras.distribution.list_devices())),
                 (dist.DataParallel(device_mesh=ours),
                  keras.distribution.DataParallel(device_mesh=theirs)),
                 (dist.ModelParallel(layout_map=our_map),
                  keras.distribution.ModelParallel(layout_map=their_map))]:
        assert repr(a) == repr(b)
        assert a.batch_dim_name == b.batch_dim_name
        assert a.num_model_replicas == b.num_model_replicas
        assert a.num_processes == b.num_processes == 1 and a.data_shard_id == b.data_shard_id
        assert a.get_data_layout((32, 4)).axes == b.get_data_layout((32, 4)).axes
        assert a.get_tensor_layout("dense/bias") is None or a.get_tensor_layout(
            "dense/bias").axes == b.get_tensor_layout("dense/bias").axes
        assert a.distribute_dataset("data") == "data"


def test_distribution_errors_match_keras():
    assert "You must specify a layout_map" in same_error("ModelParallel")
    assert "must be a `LayoutMap`" in same_error("ModelParallel", layout_map={"a": (None,)})
    assert "Expect `mesh` to be an instance of `DeviceMesh`" in same_error(
        "DataParallel", device_mesh="mesh")
    with pytest.raises(TypeError, match="Expected a `Distribution`"):
        dist.set_distribution("data_parallel")


def test_initialize_checks_addresses_like_keras():
    assert same_error("initialize", "10.0.0.1:1234,10.0.0.2:2345", num_processes=3) == (
        "The provided job_addresses ['10.0.0.1:1234', '10.0.0.2:2345'] has 2 jobs, but "
        "num_processes is 3")


def test_scope_and_set_distribution():
    assert dist.distribution() is None
    data_parallel = dist.DataParallel()
    with data_parallel.scope():
        assert dist.distribution() is data_parallel
        inner = dist.DataParallel()
        with inner.scope():
            assert dist.distribution() is inner
        assert dist.distribution() is data_parallel
    assert dist.distribution() is None
    dist.set_distribution(data_parallel)
    try:
        assert jkeras.distribution.distribution() is data_parallel
    finally:
        dist.set_distribution(None)


def test_variables_are_placed_with_their_layout():
    # (On one device an array already on it is not moved: its sharding is equivalent.)
    mesh, _ = meshes()
    replicated = NamedSharding(mesh.backend_mesh, PartitionSpec())
    layout = dist.TensorLayout(("batch", None), mesh)
    explicit = jkeras.Variable(np.zeros((2, 3)), layout=layout)
    assert explicit._layout is layout
    assert explicit.value.sharding.is_equivalent_to(layout.backend_layout, 2)
    assert jkeras.Variable(np.zeros(3))._layout is None
    with dist.DataParallel(device_mesh=mesh).scope():
        variable = jkeras.Variable(np.arange(3.0))
        assert variable._layout.axes == (None,)
        assert variable.value.sharding.is_equivalent_to(replicated, 1)
        variable.assign(np.ones(3))  # an assignment keeps the layout
        assert variable.value.sharding.is_equivalent_to(replicated, 1)
        np.testing.assert_array_equal(variable.numpy(), np.ones(3))
    with pytest.raises(ValueError, match="cannot take the layout"):
        jkeras.Variable(np.zeros(3), layout=dist.TensorLayout(("batch", None), mesh))


def test_training_under_a_one_device_distribution_matches_no_distribution():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 4)).astype("float32"), rng.normal(size=(40, 2)).astype("float32")

    def train():
        jkeras.utils.set_random_seed(3)
        model = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(8, activation="relu"),
                                   layers.Dense(2)])
        model.compile(optimizer="sgd", loss="mse")
        history = model.fit(x, y, batch_size=16, epochs=2, verbose=0).history["loss"]
        return model, history, model.predict(x, verbose=0)

    _, reference_history, reference_predictions = train()
    with dist.DataParallel().scope():
        model, history, predictions = train()
        assert all(v._layout is not None for v in model.variables)
    np.testing.assert_allclose(history, reference_history, rtol=1e-6)
    np.testing.assert_allclose(predictions, reference_predictions, rtol=1e-6, atol=1e-7)
