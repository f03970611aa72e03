"""Fashion-MNIST with a small MLP; the first 5,000 training images are held out to validate.

Data: Debian's `dataset-fashion-mnist` package (/usr/share/datasets/fashion-mnist/), or any
place jkeras's dataset lookup finds it (JKERAS_DATA_DIR, the cache), else a download.
"""

import jkeras as keras
from jkeras import layers

(train_images, train_labels), (test_images, test_labels) = keras.datasets.fashion_mnist.load_data()
train_images = train_images.astype("float32") / 255
test_images = test_images.astype("float32") / 255
x_val, y_val = train_images[:5000], train_labels[:5000]
x_train, y_train = train_images[5000:], train_labels[5000:]

model = keras.Sequential([
    layers.Flatten(input_shape=(28, 28)),
    layers.Dense(128, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=5, validation_data=(x_val, y_val))

test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=0)
print(f"val_accuracy: {history.history['val_accuracy'][-1]:.4f}")
print(f"test_acc: {test_acc:.4f}")
