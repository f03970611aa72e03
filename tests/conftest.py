"""Shared test setup: Keras (the reference) runs on its JAX backend, and slow tests are marked."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
