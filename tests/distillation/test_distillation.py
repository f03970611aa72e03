"""keras.distillation against Keras 3: losses' values and configs, Distiller training (same
weights, SGD: the same student afterwards and the same logged losses), errors."""

import json
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

import jkeras

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 4)).astype("float32")
Y = RNG.integers(0, 3, size=(16,))
T, S = RNG.normal(size=(8, 3)).astype("float32"), RNG.normal(size=(8, 3)).astype("float32")


def _losses(lib):
    d = lib.distillation
    return [d.LogitsDistillation(), d.LogitsDistillation(2.0, lib.losses.KLDivergence()),
            d.LogitsDistillation(4.0, ["mse", None]), d.FeatureDistillation(),
            d.FeatureDistillation("cosine_similarity", "hidden", "hidden")]


def test_loss_values_and_configs_match_keras():
    for ours, theirs in zip(_losses(jkeras), _losses(keras)):
        assert ours.get_config() == theirs.get_config()
        assert type(ours).from_config(theirs.get_config()).get_config() == ours.get_config()
        structure = [T, S] if isinstance(ours.loss, list) else T
        other = [S, T] if isinstance(ours.loss, list) else S
        np.testing.assert_allclose(ours.compute_loss(structure, other),
                                   theirs.compute_loss(structure, other), rtol=1e-5)


def _model(lib, name, width):
    inputs = lib.Input((4,))
    hidden = lib.layers.Dense(width, activation="relu", name="hidden")(inputs)
    return lib.Model(inputs, lib.layers.Dense(3, name="logits")(hidden), name=name)


def _fitted(lib, losses_fn, weights):
    teacher, student = _model(lib, "teacher", 8), _model(lib, "student", 8)
    teacher.set_weights(weights[0])
    student.set_weights(weights[1])
    distiller = lib.distillation.Distiller(teacher, student, losses_fn(lib),
                                           student_loss_weight=0.3)
    distiller.compile(optimizer=lib.optimizers.SGD(0.1),
                      loss=lib.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = distiller.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return distiller, history.history


@pytest.mark.parametrize("losses_fn", [
    lambda lib: lib.distillation.LogitsDistillation(temperature=2.0),
    lambda lib: [lib.distillation.LogitsDistillation(),
                 lib.distillation.FeatureDistillation("mse", "hidden", "hidden")],
])
def test_distiller_trains_the_student_as_keras(losses_fn):
    weights = [_model(keras, "t", 8).get_weights(), _model(keras, "s", 8).get_weights()]
    ours, our_logs = _fitted(jkeras, losses_fn, weights)
    theirs, their_logs = _fitted(keras, losses_fn, weights)
    for key in ("student_loss", "distillation_loss", "total_loss"):
        np.testing.assert_allclose(our_logs[key], their_logs[key], rtol=1e-4)
    for a, b in zip(ours.student.get_weights(), theirs.student.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    for a, b in zip(ours.teacher.get_weights(), weights[0]):  # frozen
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(ours.predict(X, verbose=0), ours.student.predict(X, verbose=0))


def test_errors_as_keras():
    for lib in (jkeras, keras):
        d = lib.distillation
        teacher, student = _model(lib, "t", 8), _model(lib, "s", 5)
        with pytest.raises(ValueError, match="temperature must be positive"):
            d.LogitsDistillation(temperature=0)
        with pytest.raises(ValueError, match="non-`None`"):
            d.FeatureDistillation(loss=None)
        with pytest.raises(ValueError, match="between 0.0 and 1.0"):
            d.Distiller(teacher, student, d.LogitsDistillation(), student_loss_weight=2)
        with pytest.raises(ValueError, match="cannot be `None`"):
            d.Distiller(teacher, student, None)
        with pytest.raises(ValueError, match="must match number"):
            d.Distiller(teacher, student, [d.LogitsDistillation()], [1.0, 2.0])
        with pytest.raises(ValueError, match="In teacher model"):
            d.Distiller(teacher, student, d.FeatureDistillation(teacher_layer_name="nope"))
        with pytest.raises(ValueError, match="Teacher must be a keras.Model"):
            d.Distiller(lib.layers.Dense(3), student, d.LogitsDistillation())
        distiller = d.Distiller(teacher, student, d.LogitsDistillation())
        with pytest.raises(ValueError, match="'loss' cannot be `None`"):
            distiller.compile(optimizer="sgd")


def _distiller(lib):
    return lib.distillation.Distiller(
        _model(lib, "teacher", 8), _model(lib, "student", 4),
        [lib.distillation.LogitsDistillation(2.0),
         lib.distillation.FeatureDistillation("mse", "hidden", "hidden")],
        distillation_loss_weights=[0.7, 0.3], student_loss_weight=0.4)


def _summary(distiller):
    return (type(distiller).__name__, distiller.student_loss_weight,
            list(distiller.distillation_loss_weights),
            [loss.get_config() for loss in distiller.distillation_losses],
            distiller.teacher.count_params(), distiller.student.count_params())


def test_distiller_configs_load_both_ways():
    """As a `.keras` file carries them: through JSON."""
    ours, theirs = _distiller(jkeras), _distiller(keras)
    ours_config = json.loads(json.dumps(jkeras.saving.serialize_keras_object(ours)))
    theirs_config = json.loads(json.dumps(keras.saving.serialize_keras_object(theirs)))
    assert ours_config["module"] == theirs_config["module"] == "keras.distillation"
    assert ours_config["config"]["distillation_losses"] == \
        theirs_config["config"]["distillation_losses"]
    from_keras = jkeras.saving.deserialize_keras_object(theirs_config)
    from_jkeras = keras.saving.deserialize_keras_object(ours_config)
    assert _summary(from_keras) == _summary(ours)
    assert _summary(from_jkeras) == _summary(theirs)
