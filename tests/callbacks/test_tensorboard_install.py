"""`callbacks.TensorBoard` works on a default install: tensorboardX is a core dependency and
writing Keras's event layout loads no TensorFlow."""

import pathlib
import subprocess
import sys

import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]

PROGRAM = """
import sys
import numpy as np
import jkeras
model = jkeras.Sequential([jkeras.Input((2,)), jkeras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0, validation_split=0.5,
          callbacks=[jkeras.callbacks.TensorBoard(log_dir=sys.argv[1])])
assert "tensorflow" not in sys.modules, "TensorBoard loaded TensorFlow"
"""


def test_tensorboardx_is_a_core_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [requirement.split(">")[0].split(";")[0].strip()
             for requirement in project["dependencies"]]
    assert "tensorboardX" in names
    assert not any(name.startswith("tensorflow") for name in names)


def test_tensorboard_writes_keras_layout_without_tensorflow(tmp_path):
    subprocess.run([sys.executable, "-c", PROGRAM, str(tmp_path)], check=True, cwd=ROOT,
                   timeout=300)
    for folder in ("train", "validation"):
        assert any(p.name.startswith("events.out.tfevents") for p in (tmp_path / folder).iterdir())
