"""Image layers (and a `Pipeline` of them) inside `tf.data.Dataset.map`, as Keras 3's: they run
on the host through `tf.numpy_function`, with static output shapes and dtypes."""

import numpy as np
import tensorflow as tf

import jkeras

IMAGES = np.random.default_rng(0).uniform(0, 255, (6, 9, 8, 3)).astype("float32")


def test_layers_map_over_a_dataset():
    augment = jkeras.layers.Pipeline([jkeras.layers.RandomFlip("horizontal", seed=1),
                                      jkeras.layers.Resizing(4, 5)])
    labels = np.eye(3, dtype="float32")[np.arange(6) % 3]
    dataset = tf.data.Dataset.from_tensor_slices((IMAGES, labels)).batch(3)
    augmented = dataset.map(lambda x, y: (augment(x), y))
    assert augmented.element_spec[0] == tf.TensorSpec((None, 4, 5, 3), tf.float32)
    batches = np.concatenate([x.numpy() for x, _ in augmented])
    resized = np.asarray(jkeras.layers.Resizing(4, 5)(IMAGES))
    assert not np.allclose(batches, resized)  # flipped
    np.testing.assert_allclose(np.sort(batches, axis=2), np.sort(resized, axis=2), rtol=1e-5)
    mixed = dataset.map(lambda x, y: jkeras.layers.MixUp(seed=1)({"images": x, "labels": y}))
    assert mixed.element_spec["labels"] == tf.TensorSpec((None, 3), tf.float32)
    for batch in mixed:
        np.testing.assert_allclose(batch["labels"].numpy().sum(axis=1), 1, rtol=1e-5)
    eager = augment(tf.constant(IMAGES), training=False)  # eager tensors are read as numpy
    np.testing.assert_allclose(np.asarray(eager), resized, rtol=1e-6)
