"""The Keras 3 side of the application tests, run as its own process next to the tests.

    python keras_reference.py FOLDER CASES_JSON

For each case (see `parity.py`), in order: Keras builds the architecture with random weights
(`parity.keras_model`) and writes `FOLDER/<id>/keras.weights.h5` (and, for `legacy`
cases, the legacy `keras_legacy.h5`), its predictions on the case's images (`outputs.npy`) and
`reference.json` (summary rows, parameter count, legacy weight layout, variable paths); the
file `done` (or `error`, with the traceback) is written last. Running beside the tests, it
uses the machine's second core while the test process builds and compiles jkeras's models.
It stays at most one case ahead of the tests: it starts a case once the tests have removed the
folder of the case two before it (the larger models' files are gigabytes), and it exits when
the test process that started it is gone.
"""

import json
import os
import pathlib
import sys
import time
import traceback

os.environ["KERAS_BACKEND"] = "jax"

import h5py
import numpy as np
import parity
from keras.src.legacy.saving import legacy_h5_format


def reference(case, folder):
    model = parity.keras_model(case)
    model.save_weights(folder / "keras.weights.h5")
    if case.get("legacy"):
        with h5py.File(folder / "keras_legacy.h5", "w") as file:
            legacy_h5_format.save_weights_to_hdf5_group(file, model)
    np.save(folder / "outputs.npy", parity.compile_forward(model, parity.images_of(case))())
    result = parity.keras_structure(model)
    (folder / "reference.json").write_text(json.dumps(result))


def wait_for_removal(folder, parent):
    """Returns once `folder` does not exist; exits when the process `parent` is gone."""
    while folder.exists():
        if os.getppid() != parent:
            sys.exit(0)
        time.sleep(0.05)


def main(root, cases_file):
    root = pathlib.Path(root)
    parent = os.getppid()
    cases = json.loads(pathlib.Path(cases_file).read_text())
    for index, case in enumerate(cases):
        if index >= 2:
            wait_for_removal(root / cases[index - 2]["id"], parent)
        folder = root / case["id"]
        folder.mkdir(parents=True, exist_ok=True)
        try:
            reference(case, folder)
            (folder / "done").touch()
        except Exception:  # noqa: BLE001 - reported to the test that waits for this case
            (folder / "error").write_text(traceback.format_exc())


if __name__ == "__main__":
    main(*sys.argv[1:3])
