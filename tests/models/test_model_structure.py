"""What models and layers tell other packages about themselves: build and compile configs
(Keras 3's public methods, against Keras 3), sublayers in Keras's order, declared untracked
attributes, and the public accessors that replaced reach-ins into private attributes."""

import keras
import numpy as np
import pytest

import jkeras


def _branching(lib):
    inputs = lib.Input((4,), name="x")
    left = lib.layers.Dense(3, name="left")(inputs)
    right = lib.layers.Dense(3, name="right")(lib.layers.Dense(5, name="inner")(inputs))
    merged = lib.layers.Concatenate(name="merge")([left, right])
    return lib.Model(inputs, lib.layers.Dense(1, name="out")(merged))


def test_build_config_as_keras():
    for make in (
        lambda lib: lib.layers.Dense(2),
        lambda lib: lib.Sequential([lib.layers.Dense(2)]),
        _branching,
    ):
        ours, theirs = make(jkeras), make(keras)
        assert ours.get_build_config() == theirs.get_build_config()
    dense, keras_dense = jkeras.layers.Dense(2), keras.layers.Dense(2)
    dense(np.ones((5, 3), "float32"))
    keras_dense(np.ones((5, 3), "float32"))
    assert dense.get_build_config() == keras_dense.get_build_config() == {"input_shape": (5, 3)}
    sequential = jkeras.Sequential([jkeras.layers.Dense(2)])
    sequential.build((None, 3))
    assert sequential.get_build_config() == {"input_shape": (None, 3)}
    rebuilt = jkeras.layers.Dense(2)
    rebuilt.build_from_config(dense.get_build_config())
    assert rebuilt.built and rebuilt.kernel.shape == (3, 2)


def test_compile_config_as_keras_and_back():
    configs = []
    for lib in (jkeras, keras):
        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(2)])
        assert model.get_compile_config() == {}
        model.compile(optimizer="adam", loss="mse", metrics=["mae", lib.metrics.AUC(name="auc")],
                      weighted_metrics=[lib.metrics.MeanAbsoluteError(name="w_mae")])
        configs.append(model.get_compile_config())
    ours, theirs = configs
    assert sorted(ours) == sorted(theirs)
    for key in ("loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly"):
        assert ours[key] == theirs[key], key
    assert ours["optimizer"]["class_name"] == theirs["optimizer"]["class_name"]
    clone = jkeras.Sequential([jkeras.Input((3,)), jkeras.layers.Dense(2)])
    clone.compile_from_config(theirs)
    assert type(clone.optimizer).__name__ == "Adam"
    assert clone.get_compile_config()["metrics"] == ours["metrics"]


def test_functional_sublayers_in_keras_graph_order():
    ours, theirs = _branching(jkeras), _branching(keras)
    assert [layer.name for layer in ours.sublayers] == [op.name for op in theirs.operations]
    assert [op.name for op in ours.operations] == [op.name for op in theirs.operations]
    sequential = jkeras.Sequential([jkeras.Input((3,)), jkeras.layers.Dense(2)])
    assert sequential.sublayers == sequential.layers  # the InputLayer is not among them


def test_untracked_attributes_are_not_searched():
    class Holder(jkeras.layers.Layer):
        untracked_attributes = ("cache",)

        def __init__(self):
            super().__init__()
            self.dense = jkeras.layers.Dense(2)
            self.cache = [jkeras.layers.Dense(3)]

    class Child(Holder):
        pass

    holder = Child()  # a base class's declaration applies to subclasses
    assert holder.sublayers == [holder.dense]
    assert "cache" not in dict(holder.tracked_attributes())
    assert "dense" in dict(holder.tracked_attributes())


def test_variable_set_value_stores_an_array_as_it_is():
    variable = jkeras.Variable(np.zeros((2,), "float32"))
    value = jkeras.ops.ones((2,))
    variable.set_value(value)
    assert variable.value is value
    assert variable.layout is None


@pytest.mark.parametrize("name", ["Accuracy", "AUC", "MeanSquaredError", "Precision", "Mean"])
def test_metric_direction_as_keras(name):
    ours = getattr(jkeras.metrics, name)()
    theirs = getattr(keras.metrics, name)()
    assert ours.direction == getattr(theirs, "_direction", None)
