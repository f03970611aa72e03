"""`serialize_keras_object` / `deserialize_keras_object` (jkeras.saving, jkeras.utils) and the
legacy Keras 2 format (jkeras.legacy.saving) against Keras 3's, both ways."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras
import numpy as np
import pytest

import jkeras
from jkeras import saving

VALUES = [None, 3, 1.5, "a", (1, 2), [1, (2,)], {"a": (1,), "b": [None]}, b"xy",
          np.array([1.0, 2.0], "float32")]


def _objects(library):
    return [library.activations.relu, library.losses.mean_squared_error,
            library.optimizers.SGD(0.5, momentum=0.5, name="sgd"),
            library.initializers.GlorotUniform(seed=1), library.regularizers.L2(0.5),
            library.DTypePolicy("mixed_float16"), library.layers.Dense(2, name="dense")]


def test_plain_values_match_keras_and_round_trip():
    for value in VALUES:
        ours = saving.serialize_keras_object(value)
        assert str(ours) == str(keras.saving.serialize_keras_object(value))
        back = saving.deserialize_keras_object(ours)
        np.testing.assert_equal(back, value)
        np.testing.assert_equal(keras.saving.deserialize_keras_object(ours), value)


def test_objects_match_keras_both_ways():
    for ours, theirs in zip(_objects(jkeras), _objects(keras)):
        config = saving.serialize_keras_object(ours)
        keras_config = keras.saving.serialize_keras_object(theirs)
        if hasattr(ours, "get_config"):
            assert config["module"] == keras_config["module"]
            assert config["class_name"] == keras_config["class_name"]
        else:
            assert config == keras_config
        ours_back = saving.deserialize_keras_object(keras_config)
        theirs_back = keras.saving.deserialize_keras_object(config)
        assert type(ours_back).__name__ == type(theirs).__name__ or ours_back is ours
        assert type(theirs_back).__name__ == type(ours).__name__ or callable(theirs_back)
        if hasattr(ours, "get_config") and not isinstance(ours, jkeras.layers.Layer):
            assert ours_back.get_config() == ours.get_config()


def test_custom_objects_and_errors():
    @jkeras.saving.register_keras_serializable(package="serialization_test")
    class Scale:
        def __init__(self, factor):
            self.factor = factor

        def get_config(self):
            return {"factor": self.factor}

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    config = saving.serialize_keras_object(Scale(2.0))
    assert config["registered_name"] == "serialization_test>Scale"
    assert saving.deserialize_keras_object(config).factor == 2.0
    unknown = {"module": "keras.layers", "class_name": "NoSuchLayer", "config": {}}
    custom = {"module": "no_such_package", "class_name": "Custom", "config": {},
              "registered_name": "pkg>Custom"}
    for library in (jkeras, keras):
        with pytest.raises(ValueError, match="NoSuchLayer"):
            library.saving.deserialize_keras_object(unknown)
        with pytest.raises(TypeError, match="Custom"):
            library.saving.deserialize_keras_object(custom)
    with pytest.raises(TypeError, match="get_config"):
        saving.serialize_keras_object(object())


def test_utils_and_models_export_the_saving_names():
    for name in ("serialize_keras_object", "deserialize_keras_object", "custom_object_scope",
                 "get_custom_objects", "get_registered_name", "get_registered_object",
                 "register_keras_serializable", "CustomObjectScope"):
        assert getattr(jkeras.utils, name) is getattr(jkeras.saving, name)
    assert jkeras.models.save_model is jkeras.saving.save_model


def test_custom_object_scope_is_a_class_whose_nested_scopes_add_up():
    class Inner:
        pass

    for library in (jkeras, keras):
        scope_class = library.utils.CustomObjectScope
        assert isinstance(scope_class, type) and library.utils.custom_object_scope is scope_class
        with scope_class({"Outer": int}) as outer:
            assert isinstance(outer, scope_class)
            with library.saving.custom_object_scope({"Inner": Inner}):
                assert library.saving.get_custom_objects().get("Inner") is None  # global only
                assert library.saving.get_registered_object("Inner") is Inner
                # The deliberate difference (docs/differences.md): Keras's inner scope hides
                # the outer one, jkeras's nested scopes add up.
                outer_seen = library.saving.get_registered_object("Outer")
                assert outer_seen is (int if library is jkeras else None)
            assert library.saving.get_registered_object("Inner") is None
            assert library.saving.get_registered_object("Outer") is int
        assert library.saving.get_registered_object("Outer") is None


def test_legacy_format_matches_keras_both_ways():
    from keras.legacy import saving as keras_legacy

    from jkeras.legacy import saving as legacy

    ours, theirs = jkeras.regularizers.L1L2(0.5, 0.25), keras.regularizers.L1L2(0.5, 0.25)
    config = legacy.serialize_keras_object(ours)
    assert config == keras_legacy.serialize_keras_object(theirs)
    assert keras_legacy.deserialize_keras_object(
        config, module_objects=vars(keras.regularizers)).get_config() == ours.get_config()
    assert legacy.deserialize_keras_object(config).get_config() == ours.get_config()
    assert legacy.deserialize_keras_object("relu") is jkeras.activations.relu
    for library, module in ((legacy, jkeras), (keras_legacy, keras)):
        with pytest.raises(ValueError, match="get_config"):
            library.serialize_keras_object((1, 2))
    assert legacy.serialize_keras_object(jkeras.activations.relu) == "relu"
