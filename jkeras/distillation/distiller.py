"""Distiller: a model that trains a student from labels and a frozen teacher's outputs."""

import jax.numpy as jnp

from jkeras import metrics, ops, tree
from jkeras.core.stateless_scope import StatelessScope
from jkeras.distillation.distillation_loss import loss_function
from jkeras.models import Model, Sequential
from jkeras.saving import serialization_lib

FINAL_OUTPUT = "final_output"


class Distiller(Model):
    """Knowledge distillation: `fit` trains `student`, the frozen `teacher` guiding it.

    The loss is `student_loss_weight * student_loss + (1 - student_loss_weight) *
    sum(weight * distillation_loss)`; the student loss compares the student's outputs with the
    labels (`compile(loss=...)`), each distillation loss its outputs or features with the
    teacher's. Calling the distiller calls the student.

    Args:
        teacher: the trained `Model` (frozen here).
        student: the `Model` to train (its inputs and outputs compatible with the teacher's).
        distillation_losses: a `DistillationLoss` or a list of them.
        distillation_loss_weights: one weight per distillation loss (default 1.0 each).
        student_loss_weight: in [0, 1]. Defaults to 0.5.

    Example:
    ```python
    distiller = Distiller(teacher, student, LogitsDistillation(temperature=3.0))
    distiller.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    distiller.fit(x, y, epochs=3)
    trained = distiller.student
    ```
    """

    def __init__(self, teacher, student, distillation_losses, distillation_loss_weights=None,
                 student_loss_weight=0.5, name="distiller", **kwargs):
        super().__init__(name=name, **kwargs)
        _validate_models(teacher, student)
        self.teacher, self.student = teacher, student
        if not isinstance(student_loss_weight, (int, float)):
            raise ValueError(  # noqa: TRY004 (Keras's type)
                f"student_loss_weight must be a number, got {type(student_loss_weight)}")
        if not 0.0 <= student_loss_weight <= 1.0:
            raise ValueError(
                f"student_loss_weight must be between 0.0 and 1.0, got {student_loss_weight}")
        self.student_loss_weight = student_loss_weight
        self.distillation_losses, self.distillation_loss_weights = _losses_and_weights(
            distillation_losses, distillation_loss_weights)
        for distillation_loss in self.distillation_losses:
            distillation_loss.validate_model_compatibility(teacher, student)
        self._teacher_features = _feature_extractor(teacher, [
            loss.teacher_layer_name for loss in self.distillation_losses
            if getattr(loss, "teacher_layer_name", None)])
        self._student_features = _feature_extractor(student, [
            loss.student_layer_name for loss in self.distillation_losses
            if getattr(loss, "student_layer_name", None)])
        self.teacher.trainable = False
        self.student_loss_tracker = metrics.Mean(name="student_loss")
        self.distillation_loss_tracker = metrics.Mean(name="distillation_loss")
        self.total_loss_tracker = metrics.Mean(name="total_loss")

    @property
    def metrics(self):
        return super().metrics + [self.student_loss_tracker, self.distillation_loss_tracker,
                                  self.total_loss_tracker]

    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs):
        """Compile for distillation: `loss` is the student's supervised loss (required)."""
        if loss is None:
            raise ValueError("'loss' cannot be `None`.")
        self._student_loss = tree.map_structure(loss_function, loss)
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(f"metrics must be a list or tuple, got {type(metrics)}")
        super().compile(optimizer=optimizer, loss=None, metrics=metrics, **kwargs)

    def call(self, inputs, training=None, **kwargs):
        return self.student(inputs, training=training, **kwargs)

    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables,
                                 metrics_variables, x, y, sample_weight, training=False,
                                 optimizer_variables=None):
        # The teacher's weights are non-trainable state: the loss reads the step's values.
        with StatelessScope(zip(self.non_trainable_variables, non_trainable_variables)):
            return super().compute_loss_and_updates(
                trainable_variables, non_trainable_variables, metrics_variables, x, y,
                sample_weight, training=training, optimizer_variables=optimizer_variables)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The weighted student and distillation losses (each tracked by its metric)."""
        if y_pred is None:
            y_pred = self(x, training=training)
        student_loss = jnp.zeros(())
        if self.student_loss_weight > 0.0 and y is not None:
            values = tree.flatten(tree.map_structure(
                lambda fn, target, prediction: fn(target, prediction),
                self._student_loss, y, y_pred))
            student_loss = ops.sum(ops.stack(values)) if len(values) > 1 else values[0]
            if jnp.ndim(student_loss) > 0:
                student_loss = ops.mean(student_loss)
        distillation_loss = jnp.zeros(())
        if self.student_loss_weight < 1.0:
            distillation_loss = self._distillation_loss(x, y_pred)
        total = (self.student_loss_weight * student_loss
                 + (1.0 - self.student_loss_weight) * distillation_loss)
        self.student_loss_tracker.update_state(student_loss)
        self.distillation_loss_tracker.update_state(distillation_loss)
        self.total_loss_tracker.update_state(total)
        return total

    def _distillation_loss(self, x, y_pred):
        teacher = (self._teacher_features(x, training=False) if self._teacher_features
                   else {FINAL_OUTPUT: self.teacher(x, training=False)})
        student = (self._student_features(x, training=True) if self._student_features
                   else {FINAL_OUTPUT: y_pred})
        total = jnp.zeros(())
        for loss, weight in zip(self.distillation_losses, self.distillation_loss_weights):
            if getattr(loss, "teacher_layer_name", None) is not None:
                target = teacher[loss.teacher_layer_name]
                output = student[loss.student_layer_name or FINAL_OUTPUT]
            else:
                target, output = teacher[FINAL_OUTPUT], y_pred
            loss.validate_outputs(target, output)
            value = loss.compute_loss(target, output)
            if jnp.ndim(value) > 0:
                raise ValueError(
                    f"Distillation loss {type(loss).__name__} returned a non-scalar loss with "
                    f"shape {jnp.shape(value)}. The compute_loss method must return a scalar "
                    "tensor.")
            total = total + weight * value
        return total

    def get_config(self):
        config = super().get_config()
        config.update({
            "teacher": serialization_lib.serialize_keras_object(self.teacher),
            "student": serialization_lib.serialize_keras_object(self.student),
            "distillation_losses": [serialization_lib.serialize_keras_object(loss)
                                    for loss in self.distillation_losses],
            "distillation_loss_weights": self.distillation_loss_weights,
            "student_loss_weight": self.student_loss_weight,
        })
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("teacher", "student", "distillation_losses"):
            config[key] = serialization_lib.deserialize_keras_object(config[key], custom_objects)
        return cls(**config)


def _losses_and_weights(distillation_losses, weights):
    if distillation_losses is None:
        raise ValueError(
            "'distillation_losses' cannot be `None`. Provide a distillation loss (e.g., "
            "LogitsDistillation or FeatureDistillation) or a list of distillation losses.")
    if not isinstance(distillation_losses, (list, tuple)):
        return [distillation_losses], [1.0]
    if weights is None:
        return list(distillation_losses), [1.0] * len(distillation_losses)
    if len(weights) != len(distillation_losses):
        raise ValueError(
            f"Number of distillation_loss_weights ({len(weights)}) must match number of "
            f"distillation_losses ({len(distillation_losses)})")
    return list(distillation_losses), list(weights)


def _validate_models(teacher, student):
    for role, model in (("Teacher", teacher), ("Student", student)):
        if not isinstance(model, Model):
            raise ValueError(f"{role} must be a keras.Model, got {type(model)}")  # noqa: TRY004
    for kind in ("inputs", "outputs"):
        ours, theirs = getattr(teacher, kind, None), getattr(student, kind, None)
        if ours is None or theirs is None:
            continue
        context = kind[:-1]
        for t, s in zip(tree.flatten(ours), tree.flatten(theirs)):
            _check_shapes(tuple(t.shape), tuple(s.shape), context)
            if t.dtype != s.dtype:
                raise ValueError(
                    f"Teacher and student {context} dtypes must match. Teacher: {t.dtype}, "
                    f"Student: {s.dtype}.")


def _check_shapes(teacher, student, context):
    if len(teacher) != len(student):
        raise ValueError(
            f"Teacher and student {context} shapes have different dimensions. Teacher: "
            f"{teacher}, Student: {student}.")
    if any(a is not None and b is not None and a != b for a, b in zip(teacher, student)):
        raise ValueError(
            f"Teacher and student {context} shapes are incompatible. Teacher: {teacher}, "
            f"Student: {student}. All dimensions must match.")


def _feature_extractor(model, layer_names):
    """A model from `model`'s inputs to its final output and the named layers' outputs."""
    if not layer_names:
        return None
    if getattr(model, "inputs", None) is None:
        raise ValueError(
            f"Cannot create feature extractor for {model.name}. The model has no symbolic "
            "inputs attribute.")
    final = model.layers[-1].output if isinstance(model, Sequential) else model.output
    outputs = {FINAL_OUTPUT: final}
    for name in dict.fromkeys(layer_names):
        outputs[name] = model.get_layer(name=name).output
    return Model(inputs=model.inputs, outputs=outputs,
                 name=f"{model.name}_multi_feature_extractor")
