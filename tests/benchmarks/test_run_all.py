"""benchmarks/run_all.py: its options, its table, and one tiny run end to end."""

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import run_all

MLP_WEIGHTS = 784 * 512 + 512 + 512 * 10 + 10


def test_samples_default_to_each_models_size_and_accept_one_or_per_model_counts():
    args = run_all.parse_args(["--models", "mlp,lstm", "--quick"])
    assert args.samples == {"mlp": 4096, "lstm": 512}
    assert (args.epochs, args.rounds, args.steps_per_execution) == (1, 1, 1)
    args = run_all.parse_args(["--models", "mlp,lstm", "--samples", "300"])
    assert args.samples == {"mlp": 300, "lstm": 300}
    assert (args.epochs, args.rounds) == (3, 2)
    args = run_all.parse_args(
        ["--models", "mlp,lstm", "--samples", "lstm=70,convnet=9", "--steps-per-execution", "4"]
    )
    assert args.samples == {"mlp": 60000, "lstm": 70}
    assert args.steps_per_execution == 4


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--models", "mlp,gru"], "--models: expected a comma-separated subset"),
        (["--frameworks", "torch"], "--frameworks: expected a comma-separated subset"),
        (["--samples", "mlp=-3"], "--samples: expected a positive integer for mlp"),
        (["--samples", "rnn=3"], "--samples: unknown model"),
        (["--epochs", "0"], "--epochs must be at least 1"),
    ],
)
def test_bad_options_are_rejected_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit):
        run_all.parse_args(argv)
    assert message in capsys.readouterr().err


def test_table_has_ratios_vs_keras_and_marks_failures():
    def entry(fit, predict):
        return {
            "best": {
                "fit_samples_per_s": fit,
                "first_epoch_s": 1.5,
                "predict_samples_per_s": predict,
                "peak_rss_mb": 300.0,
                "device_peak_mb": None,
                "parameters": 7,
            }
        }

    results = {
        "mlp": {
            "jkeras": entry(300.0, 50.0),
            "keras3": entry(200.0, 100.0),
            "jax+optax": {"best": {"error": "NotImplementedError: no"}},
        }
    }
    lines = run_all.table(results).splitlines()
    assert lines[0] == "| " + " | ".join(run_all.COLUMNS) + " |"
    assert lines[2] == "| mlp | jkeras | 300 | 1.50× | 1.50 | 50 | 0.50× | 300 | – |"
    assert lines[3] == "| mlp | Keras 3 (JAX) | 200 | 1.00× | 1.50 | 100 | 1.00× | 300 | – |"
    assert lines[4].startswith("| mlp | hand-written jax+optax | failed: NotImplementedError")
    assert run_all.checks(results) == ["- mlp: 7 weights in every framework"]


def _cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@pytest.mark.slow
def test_quick_run_prints_a_table_of_positive_numbers_and_writes_json(tmp_path):
    output = tmp_path / "results.json"
    process = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run_all.py"),
            "--quick",
            "--models",
            "mlp",
            "--samples",
            "256",
            "--output",
            str(output),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "JAX_PLATFORMS": "cpu"},
    )
    assert process.returncode == 0, process.stderr[-3000:]
    lines = [line for line in process.stdout.splitlines() if line.startswith("|")]
    assert _cells(lines[0]) == list(run_all.COLUMNS)
    rows = [_cells(line) for line in lines[2:]]
    assert [row[:2] for row in rows] == [
        ["mlp", "jkeras"],
        ["mlp", 'jkeras, steps_per_execution="auto"'],
        ["mlp", "Keras 3 (JAX)"],
        ["mlp", "hand-written jax+optax"],
    ]
    for row in rows:
        numbers = [float(cell.replace(",", "").rstrip("×")) for cell in row[2:8]]
        assert all(number > 0 for number in numbers), row
        assert row[8] == "–"  # no device peak memory on the CPU
    assert rows[2][3] == rows[2][6] == "1.00×"
    assert f"mlp: {MLP_WEIGHTS:,} weights in every framework" in process.stdout
    assert re.search(r"^Device: cpu \(cpu, ", process.stdout, flags=re.MULTILINE)

    saved = json.loads(output.read_text())
    assert saved["settings"]["samples"] == {"mlp": 256}
    assert saved["settings"]["steps_per_execution"] == 1
    for framework in ("jkeras", "jkeras-auto", "keras3", "jax+optax"):
        best = saved["results"]["mlp"][framework]["best"]
        assert best["parameters"] == MLP_WEIGHTS
        assert best["fit_samples_per_s"] > 0 and best["peak_rss_mb"] > 0
        assert best["platform"] == "cpu"
    assert saved["results"]["mlp"]["jkeras"]["best"]["train_traces"] == 1
    # 256 samples are 2 batches of 128: "auto" fuses both into one loop, compiled once.
    assert saved["results"]["mlp"]["jkeras-auto"]["best"]["train_traces"] == 1
