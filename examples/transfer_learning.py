"""Transfer learning with a `keras.applications` model, offline, on generated images.

The steps of Keras's transfer-learning guide, with a base the example pretrains itself (no
download: the images are generated, the pretrained weights are a file this script writes):

1. pretrain MobileNet (alpha 0.25) on a source task: disks, squares and triangles;
2. reuse its weights (`weights=<file>`) as a frozen base (`trainable = False`, called with
   `training=False` so that its BatchNormalization layers stay in inference mode) under a new
   classifier for a target task: rings, crosses and bars;
3. fine-tune the base's top blocks with a low learning rate (BatchNormalization still in
   inference mode);
4. save the fine-tuned model as a `.keras` file and load it back, in jkeras and in Keras 3.

Usage: python examples/transfer_learning.py [--samples 2000] [--epochs 5]
"""

import argparse
import os
import tempfile

import numpy as np

import jkeras as keras
from jkeras import layers

SIZE = 32
SOURCE_SHAPES = ("disk", "square", "triangle")
TARGET_SHAPES = ("ring", "cross", "bar")


def shape_masks(name, rows, cols, cy, cx, r):
    """Boolean masks `(n, SIZE, SIZE)` of shapes centred at `(cy, cx)` with radius `r`."""
    dy, dx = rows - cy, cols - cx
    distance = np.sqrt(dy**2 + dx**2)
    thin = r / 4
    if name == "disk":
        return distance < r
    if name == "square":
        return (np.abs(dy) < r * 0.8) & (np.abs(dx) < r * 0.8)
    if name == "triangle":
        return (dy < r * 0.8) & (np.abs(dx) < (dy + r) / 2)
    if name == "ring":
        return (distance < r) & (distance > r * 0.6)
    if name == "cross":
        return ((np.abs(dx) < thin) & (np.abs(dy) < r)) | ((np.abs(dy) < thin) & (np.abs(dx) < r))
    if name == "bar":
        return (np.abs(dy) < thin) & (np.abs(dx) < r)
    raise ValueError(f"Unknown shape {name!r}.")


def make_images(shapes, samples, rng):
    """Images `(samples, SIZE, SIZE, 3)` with pixels in [0, 255] of one random shape each, of
    random position, size and color on a noisy background; labels index `shapes`."""
    labels = rng.integers(0, len(shapes), samples)
    rows, cols = np.mgrid[:SIZE, :SIZE].astype(np.float32)
    r = rng.uniform(6, 12, (samples, 1, 1))
    cy, cx = (rng.uniform(r, SIZE - r) for _ in range(2))
    mask = np.zeros((samples, SIZE, SIZE), bool)
    for index, name in enumerate(shapes):
        chosen = labels == index
        mask[chosen] = shape_masks(name, rows, cols, cy[chosen], cx[chosen], r[chosen])
    background = rng.uniform(0, 120, (samples, 1, 1, 3)) + rng.normal(0, 20, (samples, SIZE,
                                                                              SIZE, 3))
    color = rng.uniform(130, 255, (samples, 1, 1, 3))
    images = np.where(mask[..., None], color, background)
    return np.clip(images, 0, 255).astype(np.float32), labels


def base_model(weights=None):
    """MobileNet without its classifier; `weights`: None or a weights file."""
    return keras.applications.MobileNet(
        input_shape=(SIZE, SIZE, 3), alpha=0.25, include_top=False, weights=weights
    )


def classifier(base, classes, frozen):
    """`base` under a new pooling, dropout and softmax head; a `frozen` base is called in
    inference mode (its BatchNormalization layers keep their statistics, even once
    unfrozen for fine-tuning)."""
    inputs = keras.Input((SIZE, SIZE, 3))
    # MobileNet's preprocessing (`mobilenet.preprocess_input`: pixels to [-1, 1]) as a layer.
    x = layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    x = base(x, training=False) if frozen else base(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def train(model, data, epochs, learning_rate):
    (x, y), validation = data
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=32, validation_data=validation, verbose=2)
    return model.evaluate(*validation, verbose=0)[1]


def main(samples, epochs, folder):
    rng = np.random.default_rng(0)
    source = (make_images(SOURCE_SHAPES, samples, rng), make_images(SOURCE_SHAPES, 300, rng))
    target = (make_images(TARGET_SHAPES, samples // 4, rng),
              make_images(TARGET_SHAPES, 300, rng))

    # 1. Pretraining on the source task; the base's weights go to a file.
    base = base_model()
    accuracy = train(classifier(base, len(SOURCE_SHAPES), frozen=False), source, epochs, 1e-3)
    print(f"source_accuracy: {accuracy:.4f}")
    pretrained = os.path.join(folder, "pretrained_base.weights.h5")
    base.save_weights(pretrained)

    # 2. A frozen pretrained base under a new head for the target task.
    base = base_model(weights=pretrained)
    base.trainable = False
    model = classifier(base, len(TARGET_SHAPES), frozen=True)
    accuracy = train(model, target, epochs, 1e-3)
    print(f"frozen_base_accuracy: {accuracy:.4f}")

    # 3. Fine-tuning the last two blocks (12 and 13); the rest of the base stays frozen and
    # BatchNormalization stays in inference mode (the base is called with training=False).
    base.trainable = True
    first = [layer.name for layer in base.layers].index("conv_pad_12")
    for layer in base.layers[:first]:
        layer.trainable = False
    accuracy = train(model, target, max(1, epochs // 2), 1e-4)
    print(f"fine_tuned_accuracy: {accuracy:.4f}")

    # 4. The fine-tuned model as a .keras file, loaded back by jkeras and by Keras 3.
    path = os.path.join(folder, "fine_tuned.keras")
    model.save(path)
    images = target[1][0][:16]
    expected = model.predict(images, verbose=0)
    reloaded = keras.saving.load_model(path)
    print(f"jkeras_reload_max_difference: {np.max(np.abs(reloaded.predict(images, verbose=0) - expected)):.2e}")
    os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        import keras as keras3
    except ImportError:
        print("Keras 3 is not installed: skipping its reload.")
        return
    in_keras = keras3.saving.load_model(path)
    print(f"keras3_reload_max_difference: {np.max(np.abs(in_keras.predict(images, verbose=0) - expected)):.2e}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000, help="source training images")
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        main(args.samples, args.epochs, folder)
