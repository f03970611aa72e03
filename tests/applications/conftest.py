"""The Keras 3 side of the architecture tests: a `keras_reference.py` process per test module."""

import json
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
WAIT_SECONDS = 900


@pytest.fixture(scope="module")
def keras_reference(request, tmp_path_factory):
    """`wait(case) -> (folder, reference)`: Keras's files and results for a case, computed by a
    `keras_reference.py` process started for the module's selected cases, in their order.
    Waiting for a case removes the folders of the cases waited for before it (which lets the
    process go on to the next case)."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if item.module is request.module and "keras_reference" in item.fixturenames
    ]
    root = tmp_path_factory.mktemp("keras_reference")
    (root / "cases.json").write_text(json.dumps(selected))
    with open(root / "log.txt", "w") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [sys.executable, str(HERE / "keras_reference.py"), str(root),
             str(root / "cases.json")],
            stdout=log, stderr=subprocess.STDOUT, cwd=HERE,
        )
    finished = []

    def wait(case):
        for folder in finished:
            shutil.rmtree(folder, ignore_errors=True)
        folder = root / case["id"]
        finished.append(folder)
        deadline = time.monotonic() + WAIT_SECONDS
        while not (folder / "done").exists():
            if (folder / "error").exists():
                pytest.fail(f"Keras failed on {case['id']}:\n{(folder / 'error').read_text()}")
            if process.poll() is not None and not (folder / "done").exists():
                pytest.fail(f"The Keras reference process exited: {(root / 'log.txt').read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"No Keras reference for {case['id']} after {WAIT_SECONDS} s.")
            time.sleep(0.05)
        return folder, json.loads((folder / "reference.json").read_text())

    yield wait
    process.kill()
    process.wait()
    shutil.rmtree(root, ignore_errors=True)
