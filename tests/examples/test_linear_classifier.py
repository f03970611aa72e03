"""examples/linear_classifier.py end to end: it learns, draws its picture, and runs without matplotlib."""

import itertools
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "linear_classifier.py"
ENV = {**os.environ, "JAX_PLATFORMS": "cpu"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Runs the example with every `import matplotlib...` failing, as if it were not installed.
WITHOUT_MATPLOTLIB = textwrap.dedent("""
    import runpy, sys

    class BlockMatplotlib:
        def find_spec(self, name, path=None, target=None):
            if name == "matplotlib" or name.startswith("matplotlib."):
                raise ImportError(f"No module named {name!r} (blocked by the test)")
            return None

    sys.meta_path.insert(0, BlockMatplotlib())
    example, *argv = sys.argv[1:]
    sys.argv = [example, *argv]
    runpy.run_path(example, run_name="__main__")
""")


def run(args, cwd):
    result = subprocess.run(
        [sys.executable, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def losses(output):
    found = re.findall(r"^Loss at step (\d+): ([0-9.]+)$", output, flags=re.MULTILINE)
    assert [int(step) for step, _ in found] == list(range(1, 41)), output[-2000:]
    return [float(loss) for _, loss in found]


@pytest.fixture(scope="module")
def jitted_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("linear_classifier")
    output = run([str(EXAMPLE), "--output", str(tmp_path / "x.png")], cwd=tmp_path)
    return output, tmp_path


def test_training_converges(jitted_run):
    output, _ = jitted_run
    values = losses(output)
    assert values[-1] < 0.03  # the seed run reached 0.0287; this seed gives 0.0273
    assert all(later <= earlier for earlier, later in itertools.pairwise(values)), values
    assert values[-1] < values[0] / 5
    assert float(re.search(r"^Accuracy: ([0-9.]+)$", output, flags=re.MULTILINE).group(1)) > 0.97


def test_picture_is_a_png(jitted_run):
    from matplotlib import image  # the test extra installs jkeras[plot]
    output, tmp_path = jitted_run
    picture = tmp_path / "x.png"
    data = picture.read_bytes()
    assert len(data) > 0 and data.startswith(PNG_MAGIC)
    height, width = image.imread(picture).shape[:2]
    assert width > 100 and height > 100
    assert f"Saved the picture to {picture}" in output
    assert not (tmp_path / "linear_classifier.png").exists()  # --output replaced the default


def test_eager_idiom_matches_the_jitted_step(jitted_run, tmp_path):
    output, _ = jitted_run
    eager = run([str(EXAMPLE), "--eager", "--output", str(tmp_path / "eager.png")], cwd=tmp_path)
    assert losses(eager) == pytest.approx(losses(output), abs=2e-4)


def test_trains_and_explains_without_matplotlib(tmp_path):
    output = run(
        ["-c", WITHOUT_MATPLOTLIB, str(EXAMPLE), "--output", str(tmp_path / "x.png")],
        cwd=tmp_path,
    )
    assert "Loss at step 40: " in output
    assert losses(output)[-1] < 0.03
    assert "matplotlib is not installed: skipping the picture" in output
    assert "pip install jkeras[plot]" in output
    assert list(tmp_path.iterdir()) == []
