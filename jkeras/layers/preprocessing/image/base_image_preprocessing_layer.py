"""`BaseImagePreprocessingLayer`: the call protocol every image preprocessing layer shares.

A layer takes images (rank 3 for one image, rank 4 for a batch) or a dict with `"images"` and
optionally `"labels"`, `"bounding_boxes"` (`{"boxes", "labels"}`) and `"segmentation_masks"`.
`call` draws one random transformation for the batch (`get_random_transformation`) and applies
it to each entry (`transform_images`, `transform_labels`, `transform_bounding_boxes`,
`transform_segmentation_masks`). Subclasses see batches only: a single image is given a batch
axis before and loses it after.

Randomness: a layer draws one key per call from its `SeedGenerator` (`self.generator`, part of
its non-trainable state, so the compiled train step carries it) and splits it for its draws.
`get_random_transformation(data, seed=...)` takes another source of keys (an int, a JAX key or
a `SeedGenerator`), which composite layers such as `AugMix` pass to their sublayers.
"""

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.keras_tensor import KerasTensor
from jkeras.core.stateless_scope import current_scope
from jkeras.core.tracing import tracing
from jkeras.layers.layer import Layer
from jkeras.layers.preprocessing.image.arguments import factor_range
from jkeras.layers.preprocessing.image.bounding_boxes.converters import (
    clip_to_image_size,
    convert_format,
)
from jkeras.layers.preprocessing.image.bounding_boxes.validation import densify_bounding_boxes
from jkeras.layers.preprocessing.image.value_ranges import transform_value_range
from jkeras.layers.reshaping._arguments import standardize_data_format
from jkeras.random.seed_generator import SeedGenerator, draw_key


class BaseImagePreprocessingLayer(Layer):
    """Base class of the image preprocessing layers (see the module docstring).

    Args:
        factor: the layer's strength, for layers that take one (`_USE_BASE_FACTOR`): a number
            `f` meaning `[-f, f]` clipped to `_FACTOR_BOUNDS`, or a `(low, high)` pair.
        bounding_box_format: the format of `"bounding_boxes"` inputs (e.g. `"xyxy"`).
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.
    """

    # The jitted eager calls, one per `training` value (`_compiled_call`).
    untracked_attributes = ("_compiled_calls",)
    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS = (-1, 1)
    interpolation = "bilinear"

    def __init__(self, factor=None, bounding_box_format=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.bounding_box_format = bounding_box_format
        self.data_format = standardize_data_format(data_format, self.name)
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(
                f"Layer {type(self).__name__} does not take a `factor` argument. "
                f"Received: factor={factor}"
            )

    def _set_factor(self, factor):
        self.factor = factor_range(self, factor, self._FACTOR_BOUNDS)

    def _set_seed(self, seed):
        """`seed` as given (for the config) and the `SeedGenerator` the layer draws from."""
        self.seed = seed
        self.generator = SeedGenerator(seed)

    # ------------------------------------------------------------------ layout and randomness

    @property
    def _height_axis(self):
        return -3 if self.data_format == "channels_last" else -2

    @property
    def _width_axis(self):
        return -2 if self.data_format == "channels_last" else -1

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else -3

    def _image_size(self, images):
        """`(height, width)` of `images` (static ints)."""
        return images.shape[self._height_axis], images.shape[self._width_axis]

    def _keys(self, seed, count):
        """`count` independent JAX keys from one draw of `seed` (default: the layer's own
        generator)."""
        key = draw_key(self.generator if seed is None else seed)
        return list(jax.random.split(key, count))

    @staticmethod
    def _images_of(data):
        return data["images"] if isinstance(data, dict) else data

    def _factor_draws(self, key, shape, dtype="float32"):
        """Uniform draws from the layer's `factor` range."""
        return jax.random.uniform(key, shape, dtype, minval=self.factor[0], maxval=self.factor[1])

    def _applied(self, key, batch):
        """`(batch,)` booleans: whether each image is transformed, with a probability drawn
        from `factor` (Keras's rule: a uniform threshold below the drawn probability)."""
        probability_key, threshold_key = jax.random.split(key)
        probability = self._factor_draws(probability_key, (batch,))
        return jax.random.uniform(threshold_key, (batch,)) < probability

    def _move_boxes(self, bounding_boxes, size, move, working_format="xyxy", output_size=None,
                    dtype="float32"):
        """Boxes of an image of `size` converted to `working_format` (`"xyxy"` or
        `"rel_xyxy"`), moved by `move(boxes) -> boxes` into the output image (of
        `output_size`, default `size`), clipped to it (labels of emptied boxes become -1) and
        converted back to the layer's `bounding_box_format`."""
        output_size = output_size or size
        bounding_boxes = convert_format(bounding_boxes, self.bounding_box_format,
                                        working_format, *size, dtype=dtype)
        bounding_boxes["boxes"] = move(bounding_boxes["boxes"])
        bounding_boxes = clip_to_image_size(bounding_boxes, *output_size,
                                            bounding_box_format=working_format)
        return convert_format(bounding_boxes, working_format, self.bounding_box_format,
                              *output_size, dtype=dtype)

    # ------------------------------------------------------------------------ eager calls

    def __call__(self, *args, **kwargs):
        if _tensorflow_call(args):
            return self._tensorflow_call(*args, **kwargs)
        if _eager_array_call(args, kwargs):
            return self._compiled_call(*args, **kwargs)
        return super().__call__(*args, **kwargs)

    def _tensorflow_call(self, data, training=None):
        """A call on TensorFlow tensors (e.g. in `tf.data.Dataset.map`): eager ones are read
        as numpy; graph ones run the layer on the host through `tf.numpy_function`, with the
        output shapes and dtypes of the layer's symbolic call."""
        import tensorflow as tf  # only reached with TensorFlow tensors

        leaves, treedef = jax.tree_util.tree_flatten(data)
        if all(hasattr(leaf, "numpy") and tf.executing_eagerly() for leaf in leaves):
            return self(treedef.unflatten([leaf.numpy() for leaf in leaves]), training=training)
        specs = treedef.unflatten([
            KerasTensor(tuple(leaf.shape.as_list()), leaf.dtype.name) for leaf in leaves])
        outputs_spec = self.compute_output_spec(specs, training=training)
        out_leaves, out_treedef = jax.tree_util.tree_flatten(outputs_spec)

        def host(*arrays):
            outputs = self(treedef.unflatten(list(arrays)), training=training)
            return [np.asarray(x) for x in jax.tree_util.tree_leaves(outputs)]

        results = tf.numpy_function(host, leaves, [tf.as_dtype(s.dtype) for s in out_leaves],
                                    stateful=True)
        for result, spec in zip(results, out_leaves):
            result.set_shape(spec.shape)
        return out_treedef.unflatten(results)

    def _compiled_call(self, data, training=None):
        """An eager call on arrays, run as one jitted `stateless_call` (compiled once per input
        structure, shape and `training`) instead of op by op; the seed state advances as in
        an eager call."""
        trainable, non_trainable = self.trainable_variables, self.non_trainable_variables
        compiled = self.__dict__.setdefault("_compiled_calls", {})
        if training not in compiled:
            def call(trainable_values, non_trainable_values, data):
                return self.stateless_call(trainable_values, non_trainable_values, data,
                                           training=training)

            compiled[training] = jax.jit(call)
        outputs, new_state = compiled[training](
            [v.value for v in trainable], [v.value for v in non_trainable], data)
        for variable, value in zip(non_trainable, new_state):
            variable.assign(value)
        return outputs

    # --------------------------------------------------------------------------- protocol

    def get_random_transformation(self, data, training=True, seed=None):
        """The random parameters of one call on the batch `data` (None: nothing random)."""

    def _transform_images(self, images, transformation, interpolation):
        raise NotImplementedError(
            f"{type(self).__name__} must implement `_transform_images` or `transform_images`."
        )

    def transform_images(self, images, transformation, training=True):
        """A batch of images transformed; in the compute dtype."""
        images = images.astype(self.compute_dtype)
        if training:
            images = self._transform_images(images, transformation, self.interpolation)
        return images

    def transform_labels(self, labels, transformation, training=True):
        raise NotImplementedError(f"{type(self).__name__} does not transform labels.")

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        raise NotImplementedError(f"{type(self).__name__} does not support bounding boxes.")

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        """Segmentation masks moved like the images, read with "nearest" interpolation."""
        if training:
            segmentation_masks = self._transform_images(
                segmentation_masks, transformation, "nearest"
            )
        return segmentation_masks

    def _is_batched(self, images):
        if images.ndim not in (3, 4):
            raise ValueError(
                f"Layer {type(self).__name__} expected an image tensor of rank 3 (single image) "
                f"or 4 (batch of images). Received: data.shape={tuple(images.shape)}"
            )
        return images.ndim == 4

    def call(self, data, training=True):
        if not isinstance(data, dict):
            images = jnp.asarray(data)
            if self._is_batched(images):
                transformation = self.get_random_transformation(images, training=training)
                return self.transform_images(images, transformation, training=training)
            transformation = self.get_random_transformation(images[None], training=training)
            return self.transform_images(images[None], transformation, training=training)[0]
        data = self._batch_inputs(data)
        batched = data.pop("_batched")
        transformation = self.get_random_transformation(data, training=training)
        outputs = dict(data)
        outputs["images"] = self.transform_images(data["images"], transformation, training)
        if "bounding_boxes" in data:
            outputs["bounding_boxes"] = self.transform_bounding_boxes(
                dict(data["bounding_boxes"]), transformation, training
            )
        if "labels" in data:
            outputs["labels"] = self.transform_labels(data["labels"], transformation, training)
        if "segmentation_masks" in data:
            outputs["segmentation_masks"] = self.transform_segmentation_masks(
                data["segmentation_masks"], transformation, training
            )
        return outputs if batched else _unbatch(outputs)

    def _batch_inputs(self, data):
        """The dict's entries as arrays with a batch axis; `"_batched"` says whether they had
        one."""
        data = dict(data)
        images = jnp.asarray(data["images"])
        batched = self._is_batched(images)
        add_axis = (lambda x: x) if batched else (lambda x: jnp.expand_dims(x, 0))
        data["images"] = add_axis(images)
        if "bounding_boxes" in data:
            if not self.bounding_box_format:
                raise ValueError(
                    "You passed an input with a 'bounding_boxes' key, but you didn't specify a "
                    f"bounding box format. Pass a `bounding_box_format` argument to your "
                    f"{type(self).__name__} layer, e.g. `bounding_box_format='xyxy'`."
                )
            boxes = densify_bounding_boxes(
                data["bounding_boxes"], is_batched=batched, name=type(self).__name__
            )
            boxes["boxes"], boxes["labels"] = add_axis(boxes["boxes"]), add_axis(boxes["labels"])
            data["bounding_boxes"] = boxes
        for key in ("labels", "segmentation_masks"):
            if key in data:
                data[key] = add_axis(jnp.asarray(data[key]))
        data["_batched"] = batched
        return data

    # ------------------------------------------------------------------------------ misc

    def _transform_value_range(self, images, original_range, target_range, dtype="float32"):
        return transform_value_range(images, original_range, target_range, dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config


def _tensorflow_call(args):
    """Whether the call's argument holds TensorFlow tensors (checked without importing it)."""
    return len(args) == 1 and any(
        type(leaf).__module__.startswith("tensorflow")
        for leaf in jax.tree_util.tree_leaves(args[0]))


def _eager_array_call(args, kwargs):
    """Whether a call is eager (no trace, no stateless scope) on a single argument whose leaves
    are all arrays (nested Python lists, e.g. ragged boxes, take the op-by-op path)."""
    if len(args) != 1 or set(kwargs) - {"training"} or current_scope() is not None:
        return False
    leaves = jax.tree_util.tree_leaves(args[0])
    if not leaves or not all(isinstance(x, (np.ndarray, jax.Array)) for x in leaves):
        return False
    return not any(isinstance(x, jax.core.Tracer) for x in leaves) and not tracing()


def _unbatch(outputs):
    """The batch axis of a single example's outputs removed again."""
    outputs = dict(outputs)
    for key in ("images", "labels", "segmentation_masks"):
        if key in outputs:
            outputs[key] = outputs[key][0]
    if "bounding_boxes" in outputs:
        boxes = dict(outputs["bounding_boxes"])
        boxes["boxes"], boxes["labels"] = boxes["boxes"][0], boxes["labels"][0]
        outputs["bounding_boxes"] = boxes
    return outputs
