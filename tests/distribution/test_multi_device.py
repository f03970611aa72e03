"""Data and model parallel training on 8 CPU devices matches single-device training.

The checks run in one subprocess (`multi_device_checks.py`): the device count is fixed when
JAX starts, and this test process has one device.
"""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

SCRIPT = pathlib.Path(__file__).with_name("multi_device_checks.py")


@pytest.fixture(scope="module")
def results():
    env = dict(os.environ, JAX_PLATFORMS="cpu",
               # Optimization level 0 compiles ~25% faster; both runs compared use it.
               XLA_FLAGS="--xla_force_host_platform_device_count=8 "
                         "--xla_backend_optimization_level=0")
    done = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


pytestmark = pytest.mark.slow  # one subprocess, ~30 s of CPU (8-device compilations)


def test_data_parallel_fit_matches_single_device(results):
    assert results["device_count"] == 8
    run = results["data_parallel"]
    np.testing.assert_allclose(*run["loss"], rtol=1e-5)
    np.testing.assert_allclose(*run["accuracy"], rtol=1e-6)
    assert run["max_weight_difference"] < 1e-5
    # Batches of 32 are split 8 ways; the last batch of 4 cannot be, and is replicated.
    assert run["batch_shards"] == [[4, [4, 8]], [32, [4, 8]]]
    assert run["all_replicated"]
    assert run["trace_counts"] == [2, 2]  # no extra compilation


def test_model_parallel_shards_kernels_and_matches_single_device(results):
    run = results["model_parallel"]
    expected = {"dense_6/kernel": ["None", "model"], "dense_6/bias": ["model"],
                "dense_7/kernel": ["None", "model"], "dense_7/bias": ["model"]}
    for key in ("created_specs", "trained_specs"):
        assert {path.split("/", 1)[1]: spec for path, spec in run[key].items()} == expected
    slots = run["slot_specs"]
    assert slots["adam_3/iteration"] == [] and slots["adam_3/learning_rate"] == []
    assert all(spec == (["None", "model"] if "kernel" in path else ["model"])
               for path, spec in slots.items() if "dense" in path)
    assert run["after_assign"] == ["None", "model"]
    np.testing.assert_allclose(*run["loss"], rtol=1e-5)
    assert run["max_weight_difference"] < 1e-5
    np.testing.assert_allclose(*run["evaluate"], rtol=1e-5)
    assert run["max_prediction_difference"] < 1e-5
    assert run["batch_shards"] == [[32, [16, 8]]]  # split over "batch" (2), not "model"


def test_layout_that_does_not_divide_the_variable_is_rejected(results):
    assert results["indivisible_error"] == (
        "Variable 'dense_8/kernel' of shape (8, 6) cannot take the layout (None, 'model'): "
        "each sharded dimension must be divisible by its mesh axis size [None, 4]."
    )


def test_data_hooks_place_batches_on_the_batch_axis(results):
    hooks = results["hooks"]
    assert hooks["dataset_replicated"] == [True, True]
    assert hooks["gather_16"] == "P('batch',)" and hooks["slice_16"] == "P('batch',)"
    assert hooks["gather_5"] == "P()"  # 5 rows cannot be split 8 ways: replicated
    assert hooks["prefetch"] == ["P('batch', None)", "P()"]
    assert hooks["gathered_rows_equal"] and hooks["prefetch_rows_equal"]


def test_constrain_state_keeps_the_variables_layouts(results):
    free, constrained = results["constrain_state"]
    assert free == "P('model',)" and constrained == "P()"
