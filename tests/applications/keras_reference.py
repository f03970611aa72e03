"""The Keras 3 side of the application tests, run as its own process next to the tests.

    python keras_reference.py FOLDER CASES_JSON

For each case (see `parity.py`), in order: Keras builds the architecture with random weights
(`parity.keras_model`) and writes `FOLDER/<id>/keras.weights.h5` (and, for `legacy`
cases, the legacy `keras_legacy.h5`), its predictions on the case's images (`outputs.npy`) and
`reference.json` (summary rows, parameter count, legacy weight layout, variable paths); the
file `done` (or `error`, with the traceback) is written last. Running beside the tests, it
uses the machine's second core while the test process builds and compiles jkeras's models.
"""

import json
import os
import pathlib
import sys
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


def main(root, cases_file):
    root = pathlib.Path(root)
    for case in json.loads(pathlib.Path(cases_file).read_text()):
        folder = root / case["id"]
        folder.mkdir(parents=True, exist_ok=True)
        try:
            reference(case, folder)
            (folder / "done").touch()
        except Exception:  # noqa: BLE001 - reported to the test that waits for this case
            (folder / "error").write_text(traceback.format_exc())


if __name__ == "__main__":
    main(*sys.argv[1:3])
