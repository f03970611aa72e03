"""`jkeras.distribution.initialize` and data parallel training across two processes on this
machine (2 CPU devices each, talking over localhost), compared with one device."""

import json
import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest

SCRIPT = pathlib.Path(__file__).with_name("multi_process_checks.py")


def free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # two subprocesses, ~15 s
def test_two_processes_train_like_one_device():
    env = dict(os.environ, JAX_PLATFORMS="cpu",
               XLA_FLAGS="--xla_force_host_platform_device_count=2")
    port = str(free_port())
    processes = [subprocess.Popen([sys.executable, str(SCRIPT), str(i), port], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(2)]
    outputs = []
    try:
        for process in processes:
            stdout, stderr = process.communicate(timeout=300)
            assert process.returncode == 0, stderr[-4000:]
            outputs.append(json.loads(stdout.strip().splitlines()[-1]))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    first, second = outputs
    assert first["devices"] == second["devices"] and len(first["devices"]) == 4
    assert first["local_devices"] == 2
    assert first["global_seed"] == second["global_seed"]  # process 0's seed, broadcast
    for result in outputs:
        np.testing.assert_allclose(result["loss"], result["reference_loss"], rtol=1e-5)
        np.testing.assert_allclose(result["kernel"], result["reference_kernel"], rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(result["evaluate_halves"], result["reference_evaluate"],
                                   rtol=1e-5)
    assert first["loss"] == second["loss"]
