"""Distillation losses: how a student's outputs (or features) are pulled toward a teacher's."""

import jax.numpy as jnp

from jkeras import losses, ops, tree
from jkeras.saving import serialization_lib


def loss_function(loss):
    """A loss given by name (through `jkeras.losses.get`), a loss object or None."""
    if isinstance(loss, str):
        found = losses.get(loss)
        if found is None:
            raise ValueError(f"Unknown loss function: '{loss}'.")
        return found
    return loss


def _loss_structure(loss, owner):
    structure = tree.map_structure(loss_function, loss)
    if all(item is None for item in tree.flatten(structure)):
        raise ValueError(owner)
    return structure


def deserialize_losses(config):
    """The loss structure a config holds (a loss's config, a list or dict of them, None)."""
    if config is None:
        return None
    if isinstance(config, (list, tuple)):
        return [deserialize_losses(item) for item in config]
    if isinstance(config, dict) and "class_name" not in config:
        return {key: deserialize_losses(item) for key, item in config.items()}
    return losses.deserialize(config)


def _sum_of(loss_values):
    return jnp.sum(jnp.stack([jnp.asarray(v, "float32") for v in tree.flatten(loss_values)]))


class DistillationLoss:
    """Base class of distillation losses: subclass it and implement `compute_loss`."""

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The scalar loss between the teacher's and the student's outputs."""
        raise NotImplementedError("Subclasses must implement compute_loss")

    def validate_outputs(self, teacher_outputs, student_outputs):
        """Raise a ValueError when the two outputs' structures differ."""
        tree.assert_same_structure(teacher_outputs, student_outputs)

    def validate_model_compatibility(self, teacher, student):
        """Raise a ValueError when the models cannot be distilled with this loss."""


class FeatureDistillation(DistillationLoss):
    """Match a student layer's output (or the final output) to a teacher layer's.

    Args:
        loss: a loss name, a loss, a structure of them matching the outputs, or None for
            outputs not to distill (at least one must be a loss). Defaults to "mse".
        teacher_layer_name: the teacher layer whose output is the target; None: the final
            output.
        student_layer_name: the student layer whose output is pulled toward it; None: the
            final output.
    """

    def __init__(self, loss="mse", teacher_layer_name=None, student_layer_name=None):
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name
        self.loss = _loss_structure(
            loss, "The `loss` argument in `FeatureDistillation` must contain at least one "
                  "non-`None` value.")

    def validate_model_compatibility(self, teacher, student):
        if self.teacher_layer_name is None and self.student_layer_name is None:
            return
        subclassed = [role for role, model in (("teacher", teacher), ("student", student))
                      if getattr(model, "inputs", None) is None]
        if subclassed:
            raise ValueError(
                "FeatureDistillation with specific layer names requires Functional or "
                f"Sequential models. The {' and '.join(subclassed)} model(s) appear to be "
                "subclassed (no symbolic inputs/outputs). Either use Functional/Sequential "
                "models, or use FeatureDistillation without layer names (to distill final "
                "outputs only), or use LogitsDistillation instead."
            )
        for role, model, name in (("teacher", teacher, self.teacher_layer_name),
                                  ("student", student, self.student_layer_name)):
            if name is not None:
                try:
                    model.get_layer(name=name)
                except ValueError as error:
                    raise ValueError(f"In {role} model: {error}") from error

    def validate_outputs(self, teacher_outputs, student_outputs):
        super().validate_outputs(teacher_outputs, student_outputs)
        try:
            tree.assert_same_structure(self.loss, teacher_outputs)
        except ValueError as error:
            raise ValueError(
                f"Loss structure mismatch. Loss structure: {tree.structure(self.loss)}, "
                f"Output structure: {tree.structure(teacher_outputs)}. Error: {error}"
            ) from error

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The sum over outputs of the mean loss between teacher and student features."""
        return _sum_of(tree.map_structure(
            lambda fn, t, s: 0.0 if fn is None else ops.mean(fn(t, s)),
            self.loss, teacher_outputs, student_outputs))

    def get_config(self):
        return {"loss": losses.serialize(self.loss),
                "teacher_layer_name": self.teacher_layer_name,
                "student_layer_name": self.student_layer_name}

    @classmethod
    def from_config(cls, config):
        return cls(**{**config, "loss": deserialize_losses(config["loss"])})


class LogitsDistillation(DistillationLoss):
    """Match the student's temperature-scaled logits to the teacher's.

    Both outputs are divided by `temperature`; a `KLDivergence` loss object compares their
    softmax probabilities (scaled by `temperature**2`), any other loss the scaled logits.

    Args:
        temperature: a positive number (larger: softer targets). Defaults to 3.0.
        loss: a loss name, a loss, a structure of them matching the outputs, or None for
            outputs not to distill. Defaults to "kl_divergence".
    """

    def __init__(self, temperature=3.0, loss="kl_divergence"):
        self.temperature = temperature
        self.loss = _loss_structure(loss, "At least one loss must be non-`None`.")
        if not isinstance(temperature, (int, float)):
            raise ValueError(f"temperature must be a number, got {type(temperature)}")  # noqa: TRY004
        if temperature <= 0.0:
            raise ValueError("temperature must be positive.")

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The sum over outputs of the loss between the scaled teacher and student logits."""
        scale = self.temperature

        def one(fn, teacher, student):
            if fn is None:
                return 0.0
            teacher, student = teacher / scale, student / scale
            if isinstance(fn, losses.KLDivergence):
                probabilities = ops.softmax(teacher, axis=-1), ops.softmax(student, axis=-1)
                return ops.mean(fn(*probabilities)) * scale**2
            return ops.mean(fn(teacher, student))

        return _sum_of(tree.map_structure(one, self.loss, teacher_outputs, student_outputs))

    def get_config(self):
        return {"temperature": self.temperature,
                "loss": serialization_lib.serialize_keras_object(self.loss)}

    @classmethod
    def from_config(cls, config):
        return cls(**{**config, "loss": deserialize_losses(config["loss"])})
