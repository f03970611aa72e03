"""The convnet of `examples/augmented_convnet.py`: RandomFlip("horizontal") → RandomRotation(0.1)
→ RandomZoom(0.2) inside the model, then Keras's MNIST convnet (Rescaling, Conv2D 32 →
MaxPooling → Conv2D 64 → MaxPooling → Flatten → Dropout 0.5 → Dense 10 softmax); adam, batch
128, on Fashion-MNIST-shaped synthetic images in [0, 255].

The Keras-like frameworks build the model by running the example's own `build_model` (see
`harness.load_example`); the hand-written model applies the same augmentation in plain JAX
(one flip draw, one rotation and one zoom draw per image, composed into a single bilinear
`map_coordinates` with reflected borders, as the layers sample) before the same convnet.
Comparing this row with `convnet`'s gives what the augmentation costs each framework.

A model benchmark for `harness.py`; run it through `run_all.py --models augmented_convnet`.
"""

import math

import numpy as np

TITLE = "Augmented convnet (examples/augmented_convnet.py), adam"
BATCH_SIZE = 128
DEFAULT_SAMPLES = 60000
QUICK_SAMPLES = 1024
COMPILE = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}
EXAMPLE = "augmented_convnet.py"


def make_data(samples, seed=0):
    """x: float32 `(samples, 28, 28, 1)` in [0, 255); y: int32 labels `(samples,)`."""
    rng = np.random.default_rng(seed)
    x = rng.random((samples, 28, 28, 1), dtype=np.float32) * 255
    return x, rng.integers(0, 10, samples).astype("int32")


def build_model(keras):
    from harness import load_example

    return load_example(EXAMPLE, keras).build_model()


def augment(key, images):
    """Each image flipped left-right with probability 1/2, rotated by up to ±0.1 turn and
    zoomed by a factor in [0.8, 1.2] about its center (bilinear, reflected borders)."""
    import jax
    import jax.numpy as jnp

    batch, height, width, _ = images.shape
    flip_key, angle_key, zoom_key = jax.random.split(key, 3)
    flip = jax.random.uniform(flip_key, (batch,)) <= 0.5
    images = jnp.where(flip[:, None, None, None], images[:, :, ::-1], images)
    angle = jax.random.uniform(angle_key, (batch,), minval=-0.1, maxval=0.1) * 2 * math.pi
    zoom = jax.random.uniform(zoom_key, (batch,), minval=0.8, maxval=1.2)
    rows, columns = jnp.meshgrid(jnp.arange(height, dtype="float32"),
                                 jnp.arange(width, dtype="float32"), indexing="ij")
    cy, cx = (height - 1) / 2, (width - 1) / 2

    def sample(image, angle, zoom):
        # Output pixel (x, y) reads the input at the rotated, then zoomed, offset from the center.
        cos, sin = jnp.cos(angle), jnp.sin(angle)
        dx, dy = (columns - cx) * zoom, (rows - cy) * zoom
        source_x = cos * dx - sin * dy + cx
        source_y = sin * dx + cos * dy + cy
        return jax.scipy.ndimage.map_coordinates(image[..., 0], [source_y, source_x], 1,
                                                 mode="reflect")[..., None]

    return jax.vmap(sample)(images, angle, zoom)


def handwritten():
    import jax
    import optax
    from harness import PureModel
    from mnist_convnet import init_params, logits

    def apply(params, x, key, training):
        if training:
            augment_key, key = jax.random.split(key)
            x = augment(augment_key, x)
        return jax.nn.softmax(logits(params, x / 255.0, key, training))

    return PureModel(init_params, apply, optax.adam(1e-3, eps=1e-7))
