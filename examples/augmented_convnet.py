"""A convnet with a data-augmentation front end on Fashion-MNIST, in the style of "Deep
Learning with Python" (2nd ed., chapter 8): RandomFlip("horizontal") → RandomRotation(0.1) →
RandomZoom(0.2), then Rescaling → Conv2D 32 → MaxPooling → Conv2D 64 → MaxPooling → Flatten →
Dropout 0.5 → Dense 10 softmax; adam, batch 128, sparse categorical crossentropy. The first
5,000 training images are held out to validate.

The augmentation layers are active only in training, and run inside the compiled train step:
their random state is part of the model's state, so each step draws new transformations
without a host round-trip; `predict` and `evaluate` see the images unchanged.

Data: Debian's `dataset-fashion-mnist` package (/usr/share/datasets/fashion-mnist/), or any
place jkeras's dataset lookup finds it (JKERAS_DATA_DIR, the cache), else a download.

Usage:  python examples/augmented_convnet.py [--epochs 10] [--samples 55000]
"""

import argparse

import numpy as np

import jkeras as keras
from jkeras import layers


def build_model(input_shape=(28, 28, 1), num_classes=10):
    """The augmentation front end and the convnet, on images with values in [0, 255]."""
    data_augmentation = keras.Sequential(
        [
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(0.1),
            layers.RandomZoom(0.2),
        ],
        name="data_augmentation",
    )
    inputs = keras.Input(shape=input_shape)
    x = data_augmentation(inputs)
    x = layers.Rescaling(1.0 / 255)(x)
    x = layers.Conv2D(32, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(64, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--samples", type=int, default=55000, help="training images used")
    args = parser.parse_args()

    (images, labels), (test_images, test_labels) = keras.datasets.fashion_mnist.load_data()
    images = np.expand_dims(images, -1).astype("float32")
    test_images = np.expand_dims(test_images, -1).astype("float32")
    x_val, y_val = images[:5000], labels[:5000]
    x_train, y_train = images[5000 : 5000 + args.samples], labels[5000 : 5000 + args.samples]

    model = build_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=128, epochs=args.epochs,
                        validation_data=(x_val, y_val), verbose=2)
    test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=0)
    print(f"val_accuracy: {history.history['val_accuracy'][-1]:.4f}")
    print(f"test_loss: {test_loss:.4f}")
    print(f"test_acc: {test_acc:.4f}")


if __name__ == "__main__":
    main()
