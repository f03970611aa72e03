"""examples/transformer_lm.py: its text needs context to predict, the model (tiny sizes) computes
what the same code computes with Keras 3, attends causally and learns; the full run (slow)
reaches its accuracy."""

import os
import pathlib
import re
import subprocess
import sys

import keras  # the reference; installed by the test extra
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from harness import load_example

TINY = {"sequence_length": 12, "embed_dim": 8, "num_layers": 1, "ff_dim": 16}


@pytest.fixture(scope="module")
def examples():
    return load_example("transformer_lm.py", jkeras), load_example("transformer_lm.py", keras)


def test_text_repeats_the_first_clauses_names_swapped(examples):
    example, _ = examples
    text = example.make_text(50, seed=3)
    pairs = re.findall(r"(\w+) \w+ the \w+ to (\w+)\. (\w+) \w+ (\w+)\.", text)
    assert len(pairs) == 50
    assert all(a == d and b == c and a != b for a, b, c, d in pairs)
    assert example.decode(example.encode(text)) == text
    x, y = example.make_data(20, seed=1, sequence_length=16)
    assert x.shape == y.shape == (20, 16) and x.dtype == np.int32
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])  # y is x one character ahead
    assert x.min() >= 1 and x.max() < example.VOCAB_SIZE


def test_tiny_model_matches_keras_is_causal_and_learns(examples):
    ours, theirs = (module.build_model(**TINY) for module in examples)
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.3, w.shape).astype("float32") for w in ours.get_weights()]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    example = examples[0]
    x, y = example.make_data(64, seed=2, sequence_length=TINY["sequence_length"])
    logits = np.asarray(ours.predict(x, verbose=0))
    assert logits.shape == (64, TINY["sequence_length"], example.VOCAB_SIZE)
    assert_close(logits, theirs.predict(x, verbose=0), rtol=1e-4, atol=1e-4)
    changed = x.copy()
    changed[:, -1] = 1 + changed[:, -1] % (example.VOCAB_SIZE - 1)  # only the last character
    after = np.asarray(ours.predict(changed, verbose=0))
    assert_close(after[:, :-1], logits[:, :-1])  # no earlier position sees it
    assert not np.allclose(after[:, -1], logits[:, -1])

    ours.compile(**example.compile_arguments(learning_rate=1e-2))
    history = ours.fit(x, y, batch_size=16, epochs=3, verbose=0).history
    assert history["loss"][-1] < history["loss"][0]
    text = example.generate(ours, "ada gives", 2)
    assert text.startswith("ada gives") and len(text) == len("ada gives") + 2


@pytest.mark.slow
def test_transformer_lm_learns_the_text():
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "transformer_lm.py")],
        check=False, capture_output=True, text=True, timeout=900,
        env={**os.environ, "JAX_PLATFORMS": "cpu"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    test_acc = float(re.search(r"^test_acc: ([0-9.]+)$", result.stdout, re.MULTILINE).group(1))
    # A run here reached 0.86; predicting characters from the current word alone stays far
    # below (names after "to" and in the reply are random without the context).
    assert test_acc >= 0.8, result.stdout[-2000:]
