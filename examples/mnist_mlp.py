"""Deep Learning with Python, chapter 2: a two-layer MLP on MNIST — with `import jkeras as keras`.

Data: found offline through jkeras's dataset lookup (set JKERAS_DATA_DIR to a folder holding
`mnist/` with the IDX files), else downloaded.
"""

import jkeras as keras
from jkeras import layers

(train_images, train_labels), (test_images, test_labels) = keras.datasets.mnist.load_data()
train_images = train_images.reshape((60000, 28 * 28)).astype("float32") / 255
test_images = test_images.reshape((10000, 28 * 28)).astype("float32") / 255

model = keras.Sequential([
    layers.Dense(512, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(train_images, train_labels, epochs=5, batch_size=128)

test_loss, test_acc = model.evaluate(test_images, test_labels)
predictions = model.predict(test_images, batch_size=128)
print(f"test_acc: {test_acc:.4f}")
print(f"first test digit: predicted {predictions[0].argmax()}, true {test_labels[0]}")
