"""docs/from_tensorflow.md: every ```python block runs, in order, in one namespace.

The blocks carry their own `assert`s (d(x²)/dx = 6 at 3, the 9.8 acceleration, shapes and
dtypes, the TypeError for item assignment, the ValueError for a wrong-shape assign, ...).
"""

import pathlib
import re

import pytest

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "from_tensorflow.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", flags=re.MULTILINE | re.DOTALL)


def python_blocks(text):
    """`(line number, source)` of each ```python block, in document order."""
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in BLOCK.finditer(text)]


def test_every_python_block_runs():
    blocks = python_blocks(DOC.read_text())
    assert len(blocks) >= 10
    namespace = {"__name__": "from_tensorflow_doc"}
    for line, source in blocks:
        # Pad so that tracebacks give the block's line numbers in the Markdown file.
        code = compile("\n" * (line - 1) + source, str(DOC), "exec")
        try:
            exec(code, namespace)  # noqa: S102 (running the doc is the test)
        except Exception as error:  # noqa: BLE001 (name the failing block)
            pytest.fail(f"block at {DOC.name}:{line} raised {type(error).__name__}: {error}")


@pytest.mark.parametrize(
    "tf_call",
    [
        "tf.constant",
        "tf.ones",
        "tf.zeros",
        "tf.random.normal",
        "tf.random.uniform",
        "tf.Variable",
        "v.assign(",
        "v[0, 0].assign",
        "assign_add",
        "assign_sub",
        "tf.GradientTape",
        "tape.watch",
        "nested tapes",
        "tf.function",
        "tf.matmul",
        "tf.reduce_mean",
        "tf.square",
        "x[0, 0] = 0.",
        "model.trainable_weights",
    ],
)
def test_table_covers(tf_call):
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| ")]
    assert any(tf_call in row.split(" | ")[0] for row in rows), tf_call


def test_python_blocks_are_found():
    text = "a\n```python\nx = 1\n```\n```text\nno\n```\n```python\ny = 2\n```\n"
    assert python_blocks(text) == [(3, "x = 1\n"), (9, "y = 2\n")]
