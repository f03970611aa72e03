"""Keras example style (text classification from scratch): review files in `pos/` and `neg/`
folders read by `utils.text_dataset_from_directory` (`validation_split`, `subset="both"`), a
`TextVectorization` layer adapted on `raw_train.map(lambda x, y: x)`, the datasets vectorized
with `.map(...)`, cached and prefetched, and an `Embedding` + `Bidirectional(LSTM)` classifier
trained on them.

Keras's loaders yield `tf.string` tensors and jkeras's numpy arrays of `str`; where the program
reads the texts itself, it converts batches with `np.asarray`, as a backend-agnostic program does."""

import os
import tempfile

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights

REVIEWS = {
    "pos": ["a great film", "great acting and a great plot", "I loved it", "loved the music",
            "a fine and moving story", "the plot was great fun", "wonderful acting"],
    "neg": ["a terrible film", "the plot was dull", "I hated it", "hated the music",
            "a boring and silly story", "terrible acting", "dull and slow"],
}
LENGTH = 6


def write_reviews(directory):
    for label, texts in REVIEWS.items():
        os.makedirs(os.path.join(directory, label))
        for index, text in enumerate(texts):
            with open(os.path.join(directory, label, f"{index}.txt"), "w") as stream:
                stream.write(text)


def collect(dataset):
    """All texts and labels of a dataset of `(texts, labels)` batches, as numpy arrays."""
    texts, labels = zip(*((np.asarray(x), np.asarray(y)) for x, y in dataset))
    return np.concatenate(texts), np.concatenate(labels)


def as_str(texts):
    return [t.decode("utf-8") if isinstance(t, bytes) else t for t in texts]


def program(keras):
    with tempfile.TemporaryDirectory() as directory:
        write_reviews(directory)
        raw_train, raw_val = keras.utils.text_dataset_from_directory(
            directory, batch_size=16, validation_split=0.3, subset="both", seed=42,
            verbose=False)
        # The datasets read their files lazily: everything runs while the folder exists.
        return classify(keras, raw_train, raw_val)


def classify(keras, raw_train, raw_val):
    """Adapts, vectorizes with `.map`, trains and evaluates on the loader's datasets."""
    train_texts, _ = collect(raw_train)
    val_texts, val_labels = collect(raw_val)
    vectorize = keras.layers.TextVectorization(max_tokens=30, output_mode="int",
                                               output_sequence_length=LENGTH)
    vectorize.adapt(raw_train.map(lambda x, y: x))
    # The guides' idiom: vectorize inside the dataset, cache and prefetch. The training split
    # fits in one batch (16), so each library's shuffled order within it does not matter.
    train_ds = raw_train.map(lambda x, y: (vectorize(x), y)).cache().prefetch(buffer_size=10)
    val_ds = raw_val.map(lambda x, y: (vectorize(x), y)).cache().prefetch(buffer_size=10)
    x_val = np.asarray(vectorize(val_texts))

    inputs = keras.Input(shape=(LENGTH,), dtype="int32")
    x = keras.layers.Embedding(vectorize.vocabulary_size(), 8, mask_zero=True)(inputs)
    x = keras.layers.Bidirectional(keras.layers.LSTM(4))(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    seeded_weights(model)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(train_ds, validation_data=val_ds, epochs=12, verbose=0)
    new = ["great music and a great story", "a dull and terrible plot"]
    return {
        "class_names": raw_train.class_names,
        "train_texts": sorted(as_str(train_texts)),
        "val": dict(zip(as_str(val_texts), val_labels.tolist())),
        "vocabulary": vectorize.get_vocabulary(),
        "x_val": x_val,
        "history": history_of(history),
        "evaluate": model.evaluate(val_ds, verbose=0),
        "predictions": model.predict(np.asarray(vectorize(new)), verbose=0),
    }


def test_text_classification_from_directory(keras):
    results = check(program, keras)
    # What the program is about: it learns, and a new positive review outscores a negative one.
    assert results["history"]["loss"][-1] < results["history"]["loss"][0]
    assert results["predictions"][0, 0] > results["predictions"][1, 0]
