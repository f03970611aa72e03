"""Keras example style (image classification from scratch): PNG files in one folder per class,
read by `utils.image_dataset_from_directory` into a training and a validation dataset
(`validation_split`, `subset="both"`), a model that augments (`RandomFlip`, `RandomContrast`),
rescales and classifies, trained on the datasets, evaluated, and asked about a new image.

Every image has one colour, which flips and contrast changes (around each image's mean) leave
as it is: training is the same for any augmentation draw. What augmentation (and
`RandomRotation`, which Keras cannot compile into the model's step) does to a patterned image
is returned as checks that hold for any draw."""

import os
import tempfile

import numpy as np
from PIL import Image

from tests.programs.harness import check, history_of, seeded_weights

CLASSES = {"dark": (40, 60, 50), "light": (200, 180, 210)}  # each class's mean colour


def write_images(directory, per_class=8):
    """`per_class` single-colour PNGs of varied sizes in `directory/<class>/`."""
    rng = np.random.default_rng(3)
    for name, colour in CLASSES.items():
        os.makedirs(os.path.join(directory, name))
        for index in range(per_class):
            size = (int(rng.integers(9, 15)), int(rng.integers(9, 15)))
            pixel = np.clip(np.asarray(colour) + rng.integers(-30, 31, size=3), 0, 255)
            image = np.broadcast_to(pixel.astype("uint8"), size + (3,))
            Image.fromarray(np.ascontiguousarray(image)).save(
                os.path.join(directory, name, f"{name}_{index}.png"))


def augmentation_checks(augment, keras):
    """What augmentation layers do in training to a patterned batch, for any draw."""
    rng = np.random.default_rng(5)
    images = rng.uniform(0, 255, size=(4, 8, 8, 3)).astype("float32")
    flipped = np.asarray(augment.layers[0](images, training=True))
    contrasted = np.asarray(augment.layers[1](images, training=True))
    rotated = np.asarray(keras.layers.RandomRotation(0.1)(images, training=True))
    # Per image and channel, the contrast change is increasing in the pixel value.
    channels = images.transpose(0, 3, 1, 2).reshape(12, 64)
    ordered = np.take_along_axis(contrasted.transpose(0, 3, 1, 2).reshape(12, 64),
                                 np.argsort(channels, axis=1), axis=1)
    return {
        "flip_permutes_rows": bool(np.allclose(np.sort(flipped, axis=2), np.sort(images, axis=2))),
        "contrast_keeps_order": bool(np.all(np.diff(ordered, axis=1) >= -1e-3)),
        "contrast_in_range": bool(contrasted.min() >= 0 and contrasted.max() <= 255),
        "rotated_shape": list(rotated.shape),
        "rotation_in_range": bool(rotated.min() >= -1e-3 and rotated.max() <= 255 + 1e-3),
        "inference_is_identity": bool(np.allclose(augment(images, training=False), images)),
    }


def program(keras):
    with tempfile.TemporaryDirectory() as directory:
        write_images(directory)
        train, val = keras.utils.image_dataset_from_directory(
            directory, validation_split=0.25, subset="both", seed=1337, image_size=(8, 8),
            batch_size=16, verbose=False)
        augment = keras.Sequential([keras.layers.RandomFlip("horizontal"),
                                    keras.layers.RandomContrast(0.3)])
        inputs = keras.Input(shape=(8, 8, 3))
        x = augment(inputs)
        x = keras.layers.Rescaling(1.0 / 255)(x)
        x = keras.layers.Conv2D(8, 3, activation="relu")(x)
        x = keras.layers.GlobalAveragePooling2D()(x)
        outputs = keras.layers.Dense(len(train.class_names), activation="softmax")(x)
        model = keras.Model(inputs, outputs)
        seeded_weights(model)
        model.compile(optimizer=keras.optimizers.Adam(0.03),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        # One training batch per epoch: the loss does not depend on the order of the files.
        history = model.fit(train, validation_data=val, epochs=6, verbose=0)
        val_images, val_labels = next(iter(val))
        files = {os.path.basename(path): int(label) for path, label in zip(
            val.file_paths, np.asarray(val_labels))}
        new_image = np.full((1, 8, 8, 3), CLASSES["light"], "float32")
        return {
            "class_names": train.class_names,
            "train_files": sorted(os.path.basename(path) for path in train.file_paths),
            "val_files": files,
            "val_colours": np.asarray(val_images).mean(axis=(1, 2)),
            "history": history_of(history),
            "evaluate": model.evaluate(val, verbose=0, return_dict=True),
            "predict_val": model.predict(val, verbose=0),
            "predict_new": model.predict(new_image, verbose=0),
            "augmentation": augmentation_checks(augment, keras),
        }


def test_image_classification_from_directory(keras):
    results = check(program, keras)
    # What the program is about: a light image is classified as "light".
    assert int(np.argmax(results["predict_new"])) == results["class_names"].index("light")
    assert all(results["augmentation"].values())
