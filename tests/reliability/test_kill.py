"""kill -9 at random moments of `model.save`, `save_weights`, `ModelCheckpoint`,
`OrbaxCheckpoint` and `BackupAndRestore` (kill_worker.py forks the writers and kills them):
the previous file always loads whole, no temporary file is left after the next successful
save, and a `BackupAndRestore` run killed several times ends bit-identical to an
uninterrupted one, with dropout and shuffling."""

import json
import os
import pathlib
import random
import subprocess
import sys

import pytest

KILLS = 3
APIS = ["model.save", "save_weights", "ModelCheckpoint", "OrbaxCheckpoint", "BackupAndRestore"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """One worker process (jkeras imported once) for every kill; its report per API."""
    seed = random.randrange(2**32)
    folder = tmp_path_factory.mktemp("kills")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(pathlib.Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")])}
    worker = pathlib.Path(__file__).with_name("kill_worker.py")
    finished = subprocess.run([sys.executable, str(worker), str(folder), str(KILLS), str(seed)],
                              capture_output=True, text=True, timeout=500, env=environment,
                              check=False)
    reports = {}
    for line in finished.stdout.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
            reports[report["api"]] = report
    return seed, finished, reports


@pytest.mark.parametrize("api", APIS)
def test_kill_minus_nine(results, api):
    seed, finished, reports = results
    assert api in reports, f"seed {seed}; worker stderr:\n{finished.stderr[-3000:]}"
    report = reports[api]
    assert report["error"] is None, (
        f"seed {seed}: {report['error']}\nworker stderr:\n{finished.stderr[-3000:]}")
    assert report["kills"] == KILLS
