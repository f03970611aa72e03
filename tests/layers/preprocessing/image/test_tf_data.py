"""Image layers (and a `Pipeline` of them) inside `tf.data.Dataset.map`, as Keras 3's: they run
on the host through `tf.numpy_function`, with static output shapes and dtypes."""

import numpy as np
import tensorflow as tf

import jkeras

IMAGES = np.random.default_rng(0).uniform(0, 255, (6, 9, 8, 3)).astype("float32")


def test_layers_map_over_a_dataset():
    augment = jkeras.layers.Pipeline([jkeras.layers.RandomFlip("horizontal", seed=1),
                                      jkeras.layers.RandomRotation(0.1, seed=2)])
    dataset = tf.data.Dataset.from_tensor_slices((IMAGES, np.arange(6))).batch(2)
    augmented = dataset.map(lambda x, y: (augment(x), y))
    assert augmented.element_spec[0] == tf.TensorSpec((None, 9, 8, 3), tf.float32)
    batches = [x.numpy() for x, _ in augmented]
    assert not np.allclose(np.concatenate(batches), IMAGES)
    resize = jkeras.layers.Resizing(4, 5)
    resized = tf.data.Dataset.from_tensor_slices(IMAGES).map(lambda x: resize(x))
    assert resized.element_spec == tf.TensorSpec((4, 5, 3), tf.float32)
    np.testing.assert_allclose(next(iter(resized)).numpy(), np.asarray(resize(IMAGES[0])))


def test_dicts_and_eager_tensors():
    mix = jkeras.layers.MixUp(seed=1)
    data = {"images": IMAGES, "labels": np.eye(3, dtype="float32")[np.arange(6) % 3]}
    mixed = tf.data.Dataset.from_tensor_slices(data).batch(3).map(mix)
    assert mixed.element_spec["labels"] == tf.TensorSpec((None, 3), tf.float32)
    for batch in mixed:
        np.testing.assert_allclose(batch["labels"].numpy().sum(axis=1), 1, rtol=1e-5)
    flip = jkeras.layers.RandomFlip(seed=1)
    assert flip(tf.constant(IMAGES), training=False).shape == IMAGES.shape
