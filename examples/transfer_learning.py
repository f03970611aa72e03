"""Transfer learning with a `keras.applications` model on MNIST, offline.

Keras's transfer-learning recipe (keras.io/guides/transfer_learning), with a base the example
pretrains itself (no download: the "pretrained weights" are a file this script writes):

1. pretrain MobileNetV2 (alpha 0.35, images padded to 32x32) on a source task with plenty of
   labels: the digits 0 to 4;
2. a target task with few labels (`--per-class` images of each): the digits 5 to 9;
3. transfer: the pretrained base (`weights=<file>`) frozen (`base.trainable = False`, which
   also keeps its BatchNormalization layers in inference mode) and called as
   `base(x, training=False)`, under a new classifier trained on the few target images;
4. fine-tuning: the base's top blocks unfrozen but for their BatchNormalization layers (frozen,
   so in inference mode), recompiled with a low learning rate;
5. saving the fine-tuned model as a `.keras` file and loading it back, in jkeras and Keras 3.

Two from-scratch models learn the target task from the same few images, as baselines: the same
MobileNetV2 and head from random weights (what the pretrained weights add), and the book's
small convnet (chapter 8). Both accuracies are printed beside the transferred model's.

What to expect: the transferred model does better than the same network trained from scratch
(by a margin that varies from run to run) and fine-tuning keeps that, but the small convnet,
sized for 28x28 digits, does better than both: a few labelled MNIST digits go a long way
without transfer, and the features MobileNetV2 learns from five digits serve those five
better than new ones (its top blocks see the image at 1x1 resolution by then).

Frameworks: jkeras (default) or Keras 3 on JAX (`--framework keras3`), the same code. MNIST
comes from jkeras's dataset lookup in both (JKERAS_DATA_DIR, the cache, else a download;
Keras 3's own `load_data` would download it).

Usage: python examples/transfer_learning.py [--framework jkeras|keras3] [--source-samples
    10000] [--source-epochs 2] [--per-class 20] [--epochs 30] [--seed 0]
"""

import argparse
import os
import tempfile

import numpy as np

import jkeras
import jkeras as keras
from jkeras import layers
from jkeras.datasets import mnist

SIZE = 32
SOURCE_CLASSES = (0, 1, 2, 3, 4)
TARGET_CLASSES = (5, 6, 7, 8, 9)
# Fine-tuning unfreezes the base from this layer on: its last two blocks and last convolution.
FIRST_FINE_TUNED = "block_15_expand"


def use_keras3():
    """Runs the example on Keras 3 (JAX backend): `keras` and `layers` become Keras 3's."""
    global keras, layers
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras as keras3

    keras, layers = keras3, keras3.layers


def padded(images):
    """Images `(n, 28, 28)` to `(n, SIZE, SIZE, 1)` float32 in [0, 255], zero-padded (MobileNetV2
    takes 32x32 at least)."""
    margin = (SIZE - images.shape[1]) // 2
    images = np.pad(images, ((0, 0), (margin, margin), (margin, margin)))
    return images[..., None].astype("float32")


def select(images, labels, classes, limit=None, per_class=None, seed=0):
    """The images of `classes` (labels renumbered 0..len(classes)-1), shuffled; at most `limit`
    of them, or exactly `per_class` of each class."""
    order = np.random.default_rng(seed).permutation(len(labels))
    chosen = [order[labels[order] == c][:per_class] for c in classes]
    index = np.random.default_rng(seed + 1).permutation(np.concatenate(chosen))[:limit]
    renumbered = np.searchsorted(classes, labels[index])
    return padded(images[index]), renumbered


def load_tasks(source_samples=10000, per_class=20, test_samples=None):
    """`(source_train, source_test, target_train, target_test)`, each `(images, labels)`."""
    (x, y), (x_test, y_test) = mnist.load_data()
    return (
        select(x, y, SOURCE_CLASSES, limit=source_samples),
        select(x_test, y_test, SOURCE_CLASSES, limit=test_samples),
        select(x, y, TARGET_CLASSES, per_class=per_class),
        select(x_test, y_test, TARGET_CLASSES, limit=test_samples),
    )


def base_model(weights=None):
    """MobileNetV2 without its classifier; `weights`: None or a weights file."""
    return keras.applications.MobileNetV2(
        input_shape=(SIZE, SIZE, 1), alpha=0.35, include_top=False, weights=weights
    )


def trained_from_scratch(base):
    """`base` with BatchNormalization moving statistics that follow a short training run.

    Keras's applications keep 99.9% of MobileNetV2's moving statistics per step, made for long
    ImageNet runs: after a few hundred steps they would still lag behind the weights (inference
    accuracy near chance). The public `momentum` attribute lets them follow.
    """
    for layer in base.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = 0.9
    return base


def classifier(base, classes, frozen):
    """`base` under a new pooling, dropout and softmax head; a `frozen` base is called with
    `training=False`, as Keras's recipe does."""
    inputs = keras.Input((SIZE, SIZE, 1))
    # MobileNetV2's preprocessing (`mobilenet_v2.preprocess_input`: pixels to [-1, 1]) as a layer.
    x = layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    x = base(x, training=False) if frozen else base(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def small_convnet(classes):
    """The book's small convnet (chapter 8), a from-scratch baseline."""
    inputs = keras.Input((SIZE, SIZE, 1))
    x = layers.Rescaling(1 / 255)(inputs)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def train(model, train_data, test_data, epochs, learning_rate, batch_size=20):
    """Compiles `model` with Adam at `learning_rate` and fits it; returns its accuracy on
    `test_data`."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(*train_data, epochs=epochs, batch_size=batch_size, verbose=0)
    return model.evaluate(*test_data, batch_size=256, verbose=0)[1]


def pretrain(source_train, source_test, epochs, path):
    """Trains a MobileNetV2 classifier on the source task, saves its base's weights to `path`;
    returns the source test accuracy."""
    base = trained_from_scratch(base_model())
    accuracy = train(classifier(base, len(SOURCE_CLASSES), frozen=False), source_train,
                     source_test, epochs, 3e-3, batch_size=32)
    base.save_weights(path)
    return accuracy


def scratch(target_train, target_test, epochs):
    """The target task learnt from scratch on the same images by the transferred model's
    architecture (MobileNetV2 and head from random weights); returns its accuracy."""
    model = classifier(trained_from_scratch(base_model()), len(TARGET_CLASSES), frozen=False)
    return train(model, target_train, target_test, epochs, 1e-3)


def transfer(weights, target_train, target_test, epochs):
    """The frozen pretrained base under a new head, then its top blocks fine-tuned; returns
    `(model, frozen_accuracy, fine_tuned_accuracy)` on the target task."""
    base = base_model(weights=weights)
    base.trainable = False
    model = classifier(base, len(TARGET_CLASSES), frozen=True)
    frozen_accuracy = train(model, target_train, target_test, epochs, 1e-3)
    # Fine-tuning unfreezes the base's top blocks but for their BatchNormalization layers,
    # which stay frozen to stay in inference mode: `fit` calls the model with training=True,
    # which reaches the base's layers despite `base(x, training=False)` (in Keras 3 as well,
    # keras-team/keras#20285; Keras's guide says to freeze those layers). `trainable` takes
    # effect at the next compile, which `train` does, with a learning rate a hundred times
    # lower (Keras's guide uses 1e-5).
    base.trainable = True
    first = [layer.name for layer in base.layers].index(FIRST_FINE_TUNED)
    for index, layer in enumerate(base.layers):
        layer.trainable = index >= first and not isinstance(layer, layers.BatchNormalization)
    fine_tuned_accuracy = train(model, target_train, target_test, epochs, 1e-5)
    return model, frozen_accuracy, fine_tuned_accuracy


def reload_differences(model, path, images):
    """Saves `model` to `path` (.keras); the largest prediction differences of the file loaded
    by jkeras and by Keras 3 (None if Keras 3 is not installed)."""
    model.save(path)
    expected = model.predict(images, verbose=0)
    ours = jkeras.saving.load_model(path).predict(images, verbose=0)
    os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        import keras as keras3
    except ImportError:
        return float(np.max(np.abs(ours - expected))), None
    theirs = keras3.saving.load_model(path).predict(images, verbose=0)
    return float(np.max(np.abs(ours - expected))), float(np.max(np.abs(theirs - expected)))


def main(args, folder):
    keras.utils.set_random_seed(args.seed)
    source_train, source_test, target_train, target_test = load_tasks(
        args.source_samples, args.per_class)
    print(f"source: {len(source_train[1])} images, target: {len(target_train[1])} images")
    weights = os.path.join(folder, "pretrained_base.weights.h5")
    print(f"source_accuracy: {pretrain(source_train, source_test, args.source_epochs, weights):.4f}")
    print(f"scratch_accuracy: {scratch(target_train, target_test, args.epochs):.4f}")
    convnet = train(small_convnet(len(TARGET_CLASSES)), target_train, target_test, args.epochs,
                    1e-3)
    print(f"small_convnet_accuracy: {convnet:.4f}")
    model, frozen, fine_tuned = transfer(weights, target_train, target_test, args.epochs)
    print(f"frozen_base_accuracy: {frozen:.4f}")
    print(f"fine_tuned_accuracy: {fine_tuned:.4f}")
    ours, theirs = reload_differences(model, os.path.join(folder, "fine_tuned.keras"),
                                      target_test[0][:32])
    print(f"jkeras_reload_max_difference: {ours:.2e}")
    if theirs is None:
        print("Keras 3 is not installed: skipping its reload.")
    else:
        print(f"keras3_reload_max_difference: {theirs:.2e}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=("jkeras", "keras3"), default="jkeras")
    parser.add_argument("--source-samples", type=int, default=10000)
    parser.add_argument("--source-epochs", type=int, default=2)
    parser.add_argument("--per-class", type=int, default=20, help="labelled target images")
    parser.add_argument("--epochs", type=int, default=30, help="epochs on the target task")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    if arguments.framework == "keras3":
        use_keras3()
    with tempfile.TemporaryDirectory() as temporary:
        main(arguments, temporary)
