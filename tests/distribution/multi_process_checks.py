"""One of two processes (2 CPU devices each) training with `DataParallel` after
`jkeras.distribution.initialize`. Run by `test_multi_process.py`:
`python multi_process_checks.py PROCESS_ID PORT`; prints one JSON object on its last line.
"""

import json
import sys

import jax
import numpy as np

import jkeras
from jkeras import distribution as dist

process_id, port = int(sys.argv[1]), sys.argv[2]
dist.initialize(f"localhost:{port},localhost:0", num_processes=2, process_id=process_id)
results = {"devices": dist.list_devices(), "local_devices": jax.local_device_count(),
           "global_seed": jkeras.random.seed_generator.make_default_seed()}

rng = np.random.default_rng(0)
x = rng.normal(size=(64, 4)).astype("float32")
y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32")
rows = slice(32 * process_id, 32 * process_id + 32)  # this process's half, for host batches


def train():
    jkeras.utils.set_random_seed(5)
    model = jkeras.Sequential([jkeras.Input((4,)), jkeras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False).history
    return model, history["loss"]


with dist.DataParallel().scope():
    model, results["loss"] = train()
    results["kernel"] = np.asarray(model.layers[0].kernel.value).ravel().tolist()
    # Each process feeds its own rows; the metric is over all 64.
    results["evaluate_halves"] = model.evaluate(x[rows], y[rows], batch_size=16, verbose=0)
reference, results["reference_loss"] = train()  # no distribution: this process's device 0
results["reference_kernel"] = np.asarray(reference.layers[0].kernel.value).ravel().tolist()
results["reference_evaluate"] = reference.evaluate(x, y, batch_size=32, verbose=0)
print(json.dumps(results))
