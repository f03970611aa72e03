"""The README: it opens with the two set-up commands (CI runs the test command unchanged), stays
a front page, and its Python examples run in order."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def readme_commands():
    text = README.read_text()
    return re.findall(r"```(?:bash|sh)\n(.+?)\n```", text, flags=re.DOTALL)[:2]


def test_readme_opens_with_two_commands_and_ci_runs_the_test_one():
    train, test = readme_commands()
    assert "examples/mnist_mlp.py" in train and "pytest" in test
    ci = (ROOT / ".ci" / "run").read_text()
    assert test.strip() in ci


def test_readme_is_a_front_page_without_measurement_logs():
    text = README.read_text()
    assert len(text.splitlines()) <= 200
    assert "UTC" not in text
    commit_hashes = [word for word in re.findall(r"\b[0-9a-f]{7,40}\b", text)
                     if re.search(r"[a-f]", word) and re.search(r"[0-9]", word)]
    assert commit_hashes == []
    assert "(benchmarks/RESULTS.md)" in text and "(docs/differences.md)" in text


@pytest.mark.slow
def test_python_examples_run_in_order(monkeypatch):
    """Trains the first example's MNIST MLP (5 epochs), then runs the JAX-way block on it."""
    monkeypatch.chdir(ROOT)
    blocks = re.findall(
        r"^```python\n(.*?)^```$", README.read_text(), flags=re.MULTILINE | re.DOTALL
    )
    assert len(blocks) == 2
    namespace = {"__name__": "readme"}
    for source in blocks:
        exec(compile(source, str(README), "exec"), namespace)  # noqa: S102 (the doc is the test)
    assert namespace["test_acc"] > 0.9
    assert namespace["predictions"].shape == (10, 10)
    grads, params = namespace["grads"], namespace["params"]
    assert {k: v.shape for k, v in grads.items()} == {k: v.shape for k, v in params.items()}
    assert namespace["probs"].shape == (32, 10)
