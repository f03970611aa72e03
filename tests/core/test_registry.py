"""The one `Registry` behind every family: layer and model configs written as Keras 3 writes
them, the custom-object lookups, and the `jkeras.dtype_policies` namespace, against Keras 3."""

import keras
import pytest

import jkeras
from jkeras.core import registry
from jkeras.core.registry import Registry


def _models(lib):
    inputs = lib.Input((3,))
    return {
        "dense": lib.layers.Dense(2),
        "layer": lib.layers.Layer(),
        "model": lib.Model(),
        "sequential": lib.Sequential([lib.Input((3,)), lib.layers.Dense(2)]),
        "functional": lib.Model(inputs, lib.layers.Dense(2)(inputs)),
    }


@pytest.mark.parametrize("kind", ["dense", "layer", "model", "sequential", "functional"])
def test_layers_serialize_names_classes_as_keras(kind):
    ours = jkeras.layers.serialize(_models(jkeras)[kind])
    theirs = keras.layers.serialize(_models(keras)[kind])
    for key in ("module", "class_name", "registered_name"):
        assert ours[key] == theirs[key], key
    assert type(jkeras.layers.deserialize(ours)).__name__ == type(_models(jkeras)[kind]).__name__


def test_layers_deserialize_finds_custom_classes_by_registered_name_and_scope():
    @jkeras.saving.register_keras_serializable(package="registry_tests")
    class Scaled(jkeras.layers.Dense):
        pass

    class Unregistered(jkeras.layers.Dense):
        pass

    config = jkeras.layers.serialize(Scaled(3))
    assert (config["module"], config["registered_name"]) == (__name__, "registry_tests>Scaled")
    assert type(jkeras.layers.deserialize(config)) is Scaled
    config = jkeras.layers.serialize(Unregistered(3))
    with pytest.raises(ValueError, match="Unknown layer: 'Unregistered'"):
        jkeras.layers.deserialize(config)
    with jkeras.saving.custom_object_scope({"Unregistered": Unregistered}):
        assert type(jkeras.layers.deserialize(config)) is Unregistered
    assert type(jkeras.layers.deserialize(config, {"Unregistered": Unregistered})) is Unregistered


def test_get_registered_object_as_keras():
    for lib in (jkeras, keras):
        @lib.saving.register_keras_serializable(package="registry_lookup")
        def twice(x):
            return 2 * x

        assert lib.saving.get_registered_object("registry_lookup>twice") is twice
        assert lib.saving.get_registered_name(twice) == "registry_lookup>twice"
        assert lib.saving.get_registered_object("nothing") is None
        assert lib.saving.get_registered_object("x", custom_objects={"x": twice}) is twice
        assert lib.saving.get_registered_object("y", module_objects={"y": len}) is len


def test_families_consult_registered_objects_only_where_keras_3_layers_do():
    """Layers and models see registered objects; the other families see `custom_objects`
    (`registered_objects=False`): one switch per family."""
    assert registry.family("layer").registered_objects
    for kind in ("activation", "initializer", "regularizer", "constraint", "loss", "metric",
                 "optimizer", "learning rate schedule", "dtype policy"):
        assert isinstance(registry.family(kind), Registry)
        assert not registry.family(kind).registered_objects


def test_registry_messages_and_config_only_names():
    class Base:
        def get_config(self):
            return {}

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    class Thing(Base):
        def __init__(self, size=1):
            self.size = size

        def get_config(self):
            return {"size": self.size}

    things = Registry("thing", "keras.things", (Thing,), snake_case=True, config_only=("Base",),
                      registered_objects=False)
    things.register(Base, module="keras")
    assert things.names() == ["Thing", "thing"]
    assert isinstance(things.get("thing"), Thing)
    assert things.serialize(Thing(3)) == {"module": "keras.things", "class_name": "Thing",
                                          "config": {"size": 3}, "registered_name": None}
    assert things.serialize(Base())["module"] == "keras"
    assert things.deserialize(things.serialize(Thing(3))).size == 3
    assert type(things.deserialize({"class_name": "Base", "config": {}})) is Base
    with pytest.raises(ValueError, match=r"Could not interpret thing identifier: 'Base'"):
        things.get("Base")
    with pytest.raises(ValueError, match="expected a dict with keys 'class_name' and 'config'"):
        things.deserialize(3)


def test_dtype_policies_namespace_matches_keras():
    for name in ("float32", "mixed_float16", "mixed_bfloat16"):
        ours, theirs = jkeras.dtype_policies.get(name), keras.dtype_policies.get(name)
        assert (ours.compute_dtype, ours.variable_dtype) == (
            theirs.compute_dtype, theirs.variable_dtype)
        ours_config = jkeras.dtype_policies.serialize(ours)
        theirs_config = keras.dtype_policies.serialize(theirs)
        assert ours_config["class_name"] == theirs_config["class_name"]
        assert ours_config["config"]["name"] == theirs_config["config"]["name"]
        assert jkeras.dtype_policies.deserialize(theirs_config) == ours
    assert jkeras.mixed_precision.DTypePolicy is jkeras.dtype_policies.DTypePolicy
    assert jkeras.config.dtype_policy() == jkeras.mixed_precision.global_policy()
