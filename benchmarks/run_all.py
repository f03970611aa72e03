"""Benchmark suite: jkeras vs Keras 3 (JAX backend) vs hand-written jax+optax, per model.

Models (`--models`, comma-separated; all by default):
  mlp          MNIST MLP 784-512-10, rmsprop, batch 128            (mnist_mlp.py)
  convnet      Keras's MNIST convnet, adam, batch 128              (mnist_convnet.py)
  lstm         Embedding(20000,128) → LSTM(64) → Dense(1), len 100 (imdb_lstm.py)
  transformer  examples/transformer_classifier.py, adam, batch 64  (transformer_classifier.py)
  augmented_convnet  examples/augmented_convnet.py: RandomFlip/RandomRotation/RandomZoom
               in the model before the convnet, adam, batch 128 (augmented_convnet.py)
  transformer_lm  examples/transformer_lm.py: decoder-only LM (GroupQueryAttention,
               EinsumDense, RMSNormalization, ReversibleEmbedding), adam, batch 32; no
               hand-written model, so no jax+optax row (transformer_lm.py)
  resnet50     keras.applications.ResNet50, 10 classes, adam, batch 32 (resnet50.py)
  mobilenet_v2 keras.applications.MobileNetV2, 10 classes, adam, batch 32 (mobilenet_v2.py)
               (both on random images: 32x32 on the CPU, 224x224 on a GPU; no jax+optax)

Every (model, framework) pair runs in its own process on the same data (see harness.py);
rounds alternate between frameworks so machine noise hits them alike, and the best round
counts (highest throughput, lowest first-epoch time; peak memory: the highest seen). Prints
a markdown table with ratios vs Keras 3; `--markdown` also writes it to benchmarks/RESULTS.md as
the current table of this device (results_page.py), and `--output` writes the raw numbers as JSON.
Runs unchanged on a GPU (the table names the device; device peak memory comes from
`memory_stats()` where the device reports it).

Usage:
  python benchmarks/run_all.py [--models mlp,convnet,lstm,transformer] [--quick]
      [--samples N | --samples mlp=N,lstm=M] [--epochs 3] [--rounds 2]
      [--steps-per-execution K] [--frameworks jkeras,keras3,keras3-spe32,jax+optax]
      [--output results.json]
      [--markdown [RESULTS.md]]

`--quick` (small sample counts, 1 timed epoch, 1 round) finishes in a few minutes on 2 CPU
cores; the numbers it gives are only a smoke test. By default jkeras and Keras 3 are compiled
with `compile`'s default arguments, as users write it; `--steps-per-execution K` passes K to
both (the hand-written loop always runs one step per call, and `keras3-spe32` always
compiles Keras 3 with `steps_per_execution=32`).
"""

import argparse
import datetime
import importlib
import importlib.metadata
import json
import pathlib
import platform
import sys
import tempfile
import time

import harness
import numpy as np
import results_page

MODELS = {
    "mlp": "mnist_mlp",
    "convnet": "mnist_convnet",
    "lstm": "imdb_lstm",
    "transformer": "transformer_classifier",
    "augmented_convnet": "augmented_convnet",
    "transformer_lm": "transformer_lm",
    "resnet50": "resnet50",
    "mobilenet_v2": "mobilenet_v2",
}
FRAMEWORK_LABELS = {
    "jkeras": "jkeras",
    "keras3": "Keras 3 (JAX)",
    "keras3-spe32": "Keras 3 (JAX), steps_per_execution=32",
    "jax+optax": "hand-written jax+optax",
}
COLUMNS = (
    "model",
    "framework",
    "fit samples/s",
    "fit vs Keras 3",
    "first epoch (s)",
    "predict samples/s",
    "predict vs Keras 3",
    "peak RSS (MiB)",
    "device peak (MiB)",
)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", default=",".join(MODELS), help=f"comma-separated subset of {','.join(MODELS)}"
    )
    parser.add_argument(
        "--frameworks",
        default=",".join(harness.FRAMEWORKS),
        help=f"comma-separated subset of {','.join(harness.FRAMEWORKS)}",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sample counts, 1 timed epoch, 1 round (a smoke test)",
    )
    parser.add_argument(
        "--samples",
        help="training samples: N for every model, or "
        "model=N,... (default: each model's full size, or its quick size)",
    )
    parser.add_argument(
        "--epochs", type=int, help="timed epochs after the first (default 3; 1 with --quick)"
    )
    parser.add_argument(
        "--rounds", type=int, help="rounds per framework (default 2; 1 with --quick)"
    )
    parser.add_argument(
        "--steps-per-execution", type=int,
        help="passed to compile of jkeras and Keras 3 (default: compile's own default)"
    )
    parser.add_argument("--output", help="write the raw numbers to this JSON file")
    parser.add_argument(
        "--markdown",
        nargs="?",
        const=str(results_page.PATH),
        metavar="PATH",
        help="write the table as this device's section of benchmarks/RESULTS.md (or PATH), "
        "keeping the other devices' sections",
    )
    args = parser.parse_args(argv)
    try:
        args.models = _choices(args.models, MODELS, "--models")
        args.frameworks = _choices(args.frameworks, harness.FRAMEWORKS, "--frameworks")
        args.samples = _samples(args.samples, args.models, args.quick)
    except ValueError as error:
        parser.error(str(error))
    args.epochs = args.epochs if args.epochs is not None else 1 if args.quick else 3
    args.rounds = args.rounds if args.rounds is not None else 1 if args.quick else 2
    for name in ("epochs", "rounds", "steps_per_execution"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(
                f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}."
            )
    return args


def _choices(text, allowed, option):
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in allowed]
    if unknown or not chosen:
        raise ValueError(
            f"{option}: expected a comma-separated subset of {', '.join(allowed)}; got {text!r}."
        )
    return chosen


def _samples(text, models, quick):
    """Samples per model: `None` → defaults, `"N"` → N for all, `"mlp=N,..."` → per model."""
    attribute = "QUICK_SAMPLES" if quick else "DEFAULT_SAMPLES"
    counts = {model: getattr(importlib.import_module(MODELS[model]), attribute) for model in models}
    if text is None:
        return counts
    if "=" not in text:
        pairs = {model: text for model in models}
    else:
        pairs = dict(item.split("=", 1) for item in text.split(","))
        unknown = set(pairs) - set(MODELS)
        if unknown:
            raise ValueError(
                f"--samples: unknown model(s) {sorted(unknown)}; expected names "
                f"from {', '.join(MODELS)}."
            )
    for model, value in pairs.items():
        if model not in counts:
            continue
        if not value.strip().isdigit() or int(value) < 1:
            raise ValueError(f"--samples: expected a positive integer for {model}, got {value!r}.")
        counts[model] = int(value)
    return counts


def run(args):
    """All measurements: `{model: {framework: {"rounds": [...], "best": {...}}}}`."""
    raw = {model: {framework: [] for framework in frameworks_of(model, args.frameworks)}
           for model in args.models}
    with tempfile.TemporaryDirectory() as folder:
        data = {}
        for model in args.models:
            x, y = importlib.import_module(MODELS[model]).make_data(args.samples[model])
            data[model] = pathlib.Path(folder) / f"{model}.npz"
            np.savez(data[model], x=x, y=y)
        for round_index in range(args.rounds):
            for model in args.models:
                for framework in raw[model]:
                    start = time.perf_counter()
                    result = harness.run_child(
                        MODELS[model], framework, data[model], args.epochs, args.steps_per_execution
                    )
                    raw[model][framework].append(result)
                    print(
                        f"[round {round_index + 1}/{args.rounds}] {model} {framework}: "
                        f"{time.perf_counter() - start:.0f} s"
                        + (f" FAILED: {result['error']}" if "error" in result else ""),
                        file=sys.stderr,
                        flush=True,
                    )
    return {
        model: {
            framework: {"rounds": runs, "best": best_of(runs)}
            for framework, runs in frameworks.items()
        }
        for model, frameworks in raw.items()
    }


def frameworks_of(model, frameworks):
    """`frameworks` that `model`'s benchmark can run: `jax+optax` needs its `handwritten`."""
    bench = importlib.import_module(MODELS[model])
    return [f for f in frameworks if f != "jax+optax" or hasattr(bench, "handwritten")]


def best_of(runs):
    """The best round (or the first error when every round failed)."""
    good = [run for run in runs if "error" not in run]
    if not good:
        return runs[0]
    peak = lambda key: max((r[key] for r in good if r[key] is not None), default=None)
    return {
        **good[-1],
        "first_epoch_s": min(r["first_epoch_s"] for r in good),
        "build_s": min((r["build_s"] for r in good if r.get("build_s") is not None),
                       default=None),
        "fit_samples_per_s": max(r["fit_samples_per_s"] for r in good),
        "predict_samples_per_s": max(r["predict_samples_per_s"] for r in good),
        "peak_rss_mb": peak("peak_rss_mb"),
        "device_peak_mb": peak("device_peak_mb"),
    }


def _number(value, digits=0):
    return "–" if value is None else f"{value:,.{digits}f}"


def _ratio(value, reference):
    return "–" if value is None or not reference else f"{value / reference:.2f}×"


def table(results):
    """The markdown table: one row per (model, framework)."""
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in COLUMNS[2:]) + " |",
    ]
    for model, frameworks in results.items():
        keras = frameworks.get("keras3", {}).get("best", {})
        for framework, entry in frameworks.items():
            r = entry["best"]
            if "error" in r:
                cells = [f"failed: {r['error']}"] + ["–"] * (len(COLUMNS) - 3)
            else:
                cells = [
                    _number(r["fit_samples_per_s"]),
                    _ratio(r["fit_samples_per_s"], keras.get("fit_samples_per_s")),
                    _number(r["first_epoch_s"], 2),
                    _number(r["predict_samples_per_s"]),
                    _ratio(r["predict_samples_per_s"], keras.get("predict_samples_per_s")),
                    _number(r["peak_rss_mb"]),
                    _number(r["device_peak_mb"]),
                ]
            lines.append("| " + " | ".join([model, FRAMEWORK_LABELS[framework], *cells]) + " |")
    return "\n".join(lines)


def checks(results):
    """Lines on what every model's frameworks agree on (weight counts), jkeras's compilations
    and the models' build times."""
    lines = []
    for model, frameworks in results.items():
        good = {f: e["best"] for f, e in frameworks.items() if "error" not in e["best"]}
        counts = {f: r["parameters"] for f, r in good.items()}
        agree = len(set(counts.values())) <= 1
        text = (
            f"{model}: {next(iter(counts.values())):,} weights in every framework"
            if counts and agree
            else f"{model}: WEIGHT COUNTS DIFFER: {counts}"
            if counts
            else f"{model}: no results"
        )
        if "train_traces" in good.get("jkeras", {}):
            text += f"; jkeras train step compiled {good['jkeras']['train_traces']} time(s)"
        builds = [f"{FRAMEWORK_LABELS[f]} {r['build_s']:.2f} s" for f, r in good.items()
                  if r.get("build_s") is not None]
        if builds:
            text += f"; built in {', '.join(builds)}"
        with_tensorflow = [f for f, r in good.items() if r.get("tensorflow_loaded")]
        if with_tensorflow:
            text += f"; TensorFlow was loaded by {', '.join(with_tensorflow)}"
        lines.append(f"- {text}")
    return lines


def _version(package):
    """The installed version; for a package imported from a source tree, its `__version__`."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        try:
            return importlib.import_module(package).__version__
        except ImportError:
            return "not installed"


def command(args):
    """The run_all.py command line that repeats this run (without its output options)."""
    samples = ",".join(f"{model}={count}" for model, count in args.samples.items())
    return (
        f"python benchmarks/run_all.py --models {','.join(args.models)} "
        f"--frameworks {','.join(args.frameworks)} --samples {samples} --epochs {args.epochs} "
        f"--rounds {args.rounds}"
        + ("" if args.steps_per_execution is None
           else f" --steps-per-execution {args.steps_per_execution}")
    )


def write_markdown(path, results, device, versions, args):
    """Replace this device's section of the results page at `path` with this run's table."""
    key = results_page.hardware(device)
    date = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    text = results_page.section(
        key, date, versions, command(args), table(results), notes=checks(results)
    )
    results_page.write(key, text, path)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    results = run(args)
    device = next(
        (e["best"] for f in results.values() for e in f.values() if "error" not in e["best"]), {}
    )
    settings = {
        "models": args.models,
        "frameworks": args.frameworks,
        "samples": args.samples,
        "epochs": args.epochs,
        "rounds": args.rounds,
        "steps_per_execution": args.steps_per_execution,
        "quick": args.quick,
        "batch_size": {m: importlib.import_module(MODELS[m]).BATCH_SIZE for m in args.models},
        "predict_batch_size": harness.PREDICT_BATCH_SIZE,
    }
    versions = {
        package: _version(package)
        for package in ("jax", "jaxlib", "keras", "jkeras", "optax", "numpy")
    }
    versions["Python"] = platform.python_version()
    device_text = (
        f"{device.get('device_kind', '?')} ({device.get('platform', '?')}, "
        f"{device.get('device_count', '?')} device(s), {device.get('cpus', '?')} CPUs)"
    )
    print(f"Device: {device_text}; " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    for model in args.models:
        print(f"- {model}: {importlib.import_module(MODELS[model]).TITLE}")
    print(
        "Samples: "
        + ", ".join(
            f"{m} {args.samples[m]:,} (batch {settings['batch_size'][m]})" for m in args.models
        )
        + f"; {args.epochs} timed epoch(s) after a first one, best of {args.rounds} round(s), "
        f"steps_per_execution={args.steps_per_execution or 'compile default'}, predict batch "
        f"{harness.PREDICT_BATCH_SIZE}"
    )
    print()
    print(table(results))
    print()
    print("\n".join(checks(results)))
    if args.output:
        with open(args.output, "w") as file:
            json.dump(
                {
                    "settings": settings,
                    "versions": versions,
                    "device": device_text,
                    "results": results,
                },
                file,
                indent=2,
            )
    if args.markdown:
        write_markdown(args.markdown, results, device, versions, args)
    failed = any("error" in e["best"] for f in results.values() for e in f.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
