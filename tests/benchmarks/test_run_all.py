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

import results_page
import run_all

MLP_WEIGHTS = 784 * 512 + 512 + 512 * 10 + 10


def test_samples_default_to_each_models_size_and_accept_one_or_per_model_counts():
    args = run_all.parse_args(["--models", "mlp,lstm", "--quick"])
    assert args.samples == {"mlp": 4096, "lstm": 512}
    # No --steps-per-execution: compile's own default for jkeras and Keras 3.
    assert (args.epochs, args.rounds, args.steps_per_execution) == (1, 1, None)
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


def test_checks_report_build_times_and_applications_skip_the_handwritten_loop():
    results = {"resnet50": {
        "jkeras": {"best": {"parameters": 9, "build_s": 0.5}},
        "keras3": {"best": {"parameters": 9, "build_s": 2.0}},
    }}
    assert run_all.checks(results) == [
        "- resnet50: 9 weights in every framework; built in jkeras 0.50 s, Keras 3 (JAX) 2.00 s"
    ]
    frameworks = ["jkeras", "keras3", "jax+optax"]
    assert run_all.frameworks_of("resnet50", frameworks) == ["jkeras", "keras3"]
    assert run_all.frameworks_of("mobilenet_v2", frameworks) == ["jkeras", "keras3"]
    assert run_all.frameworks_of("mlp", frameworks) == frameworks


def test_results_page_replaces_only_its_own_devices_section():
    cpu = results_page.section("2-core CPU (x)", "2026-01-02", {"jax": "1"}, "run", "| t |")
    gpu = results_page.section("1 × H100 (16 CPU cores)", "2026-01-01", {"jax": "2"}, "run", "| g |")
    page = results_page.update(results_page.update("", "2-core CPU (x)", cpu),
                               "1 × H100 (16 CPU cores)", gpu)
    assert list(results_page.sections(page)) == ["2-core CPU (x)", "1 × H100 (16 CPU cores)"]
    newer = results_page.section("2-core CPU (x)", "2026-02-03", {"jax": "3"}, "run", "| u |",
                                 notes=["- a note"])
    updated = results_page.update(page, "2-core CPU (x)", newer)
    assert results_page.sections(updated) == {"2-core CPU (x)": newer, "1 × H100 (16 CPU cores)": gpu}
    assert updated.startswith(results_page.PREAMBLE) and "| t |" not in updated
    assert results_page.update(updated, "2-core CPU (x)", newer) == updated
    assert "## 2-core CPU (x)\n\nMeasured 2026-02-03; jax 3.\n" in newer


def test_results_page_names_cpus_by_cores_and_accelerators_by_count_and_kind():
    gpu = {"platform": "gpu", "device_kind": "NVIDIA H100", "device_count": 8, "cpus": 16}
    assert results_page.hardware(gpu) == "8 × NVIDIA H100 (16 CPU cores)"
    cpu = {"platform": "cpu", "device_kind": "cpu", "device_count": 1, "cpus": 2}
    assert results_page.hardware(cpu) == f"2-core CPU ({results_page.cpu_model()})"


def test_markdown_option_defaults_to_the_results_page():
    assert run_all.parse_args([]).markdown is None
    assert run_all.parse_args(["--markdown"]).markdown == str(results_page.PATH)
    assert results_page.PATH == BENCHMARKS / "RESULTS.md"
    args = run_all.parse_args(["--models", "mlp", "--quick", "--markdown", "out.md"])
    assert args.markdown == "out.md"
    assert run_all.command(args) == (
        "python benchmarks/run_all.py --models mlp --frameworks jkeras,keras3,keras3-spe32,"
        "jax+optax --samples mlp=4096 --epochs 1 --rounds 1"
    )
    args = run_all.parse_args(["--models", "mlp", "--quick", "--steps-per-execution", "8"])
    assert run_all.command(args).endswith("--rounds 1 --steps-per-execution 8")


def test_results_page_in_the_repository_has_a_table_per_device():
    page = results_page.PATH.read_text()
    found = results_page.sections(page)
    assert found and page.startswith(results_page.PREAMBLE)
    for key, text in found.items():
        assert re.search(r"^Measured \d{4}-\d{2}-\d{2}; jax .*jaxlib .*keras .*jkeras ", text,
                         flags=re.MULTILINE), key
        # Device sections hold run_all.py's table; "DEVICE: name" sections another script's.
        if ": " not in key:
            assert "| " + " | ".join(run_all.COLUMNS) + " |" in text, key
        else:
            assert key.split(": ")[0] in found, key


def _cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@pytest.mark.slow
def test_quick_run_prints_a_table_of_positive_numbers_and_writes_json_and_markdown(tmp_path):
    output = tmp_path / "results.json"
    markdown = tmp_path / "RESULTS.md"
    other = results_page.section("1 × TPU v9 (4 CPU cores)", "2026-01-01", {}, "run", "| t |")
    markdown.write_text(results_page.update("", "1 × TPU v9 (4 CPU cores)", other))
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
            "--markdown",
            str(markdown),
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
        ["mlp", "Keras 3 (JAX)"],
        ["mlp", "Keras 3 (JAX), steps_per_execution=32"],
        ["mlp", "hand-written jax+optax"],
    ]
    for row in rows:
        numbers = [float(cell.replace(",", "").rstrip("×")) for cell in row[2:8]]
        assert all(number > 0 for number in numbers), row
        assert row[8] == "–"  # no device peak memory on the CPU
    assert rows[1][3] == rows[1][6] == "1.00×"
    assert f"mlp: {MLP_WEIGHTS:,} weights in every framework" in process.stdout
    assert re.search(r"^Device: cpu \(cpu, ", process.stdout, flags=re.MULTILINE)

    saved = json.loads(output.read_text())
    assert saved["settings"]["samples"] == {"mlp": 256}
    assert saved["settings"]["steps_per_execution"] is None
    for framework in ("jkeras", "keras3", "keras3-spe32", "jax+optax"):
        best = saved["results"]["mlp"][framework]["best"]
        assert best["parameters"] == MLP_WEIGHTS
        assert best["fit_samples_per_s"] > 0 and best["peak_rss_mb"] > 0
        assert best["platform"] == "cpu"
    # 256 samples are 2 batches of 128, one step per call by default (a twentieth of an
    # epoch is less than a step), compiled once.
    assert saved["results"]["mlp"]["jkeras"]["best"]["train_traces"] == 1

    sections = results_page.sections(markdown.read_text())
    here = f"{os.cpu_count()}-core CPU ({results_page.cpu_model()})"
    assert list(sections) == ["1 × TPU v9 (4 CPU cores)", here]
    assert sections["1 × TPU v9 (4 CPU cores)"] == other
    written = [line for line in sections[here].splitlines() if line.startswith("|")]
    assert written == lines
    assert "--samples mlp=256 --epochs 1 --rounds 1" in sections[here]
    for package in ("jax", "jaxlib", "keras", "jkeras"):
        assert f"{package} {saved['versions'][package]}" in sections[here]
