"""The README opens with the two set-up commands, and CI runs the test command unchanged."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def readme_commands():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```(?:bash|sh)\n(.+?)\n```", text, flags=re.DOTALL)[:2]


def test_readme_opens_with_two_commands_and_ci_runs_the_test_one():
    train, test = readme_commands()
    assert "examples/mnist_mlp.py" in train and "pytest" in test
    ci = (ROOT / ".ci" / "run").read_text()
    assert test.strip() in ci
