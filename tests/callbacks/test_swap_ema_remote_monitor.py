"""SwapEMAWeights (against Keras 3 on the same model and data) and RemoteMonitor (posting to
a local HTTP server in a thread)."""

import http.server
import json
import os
import threading
import urllib.parse

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close, mlp, regression_data


def _fit_with_swap(library, swap_on_epoch, initial_weights=None):
    x, y = regression_data(n=16)
    model = mlp(library, hidden=(3,), outputs=1)
    model.compile(loss="mse", optimizer=library.optimizers.SGD(0.05, use_ema=True,
                                                               ema_momentum=0.5))
    if initial_weights is not None:
        model.set_weights(initial_weights)
    initial_weights = model.get_weights()
    swap = library.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_data=(x, y),
                        shuffle=False, callbacks=[swap])
    evaluated = model.evaluate(x, y, verbose=0, callbacks=[swap])
    # Keras 3 (JAX) aliases a weight and its average at the end of `fit` with
    # `swap_on_epoch=True`, and a later step deletes the array: its weights are read only
    # without it (training is the same either way: the swaps happen outside the steps).
    weights = model.get_weights() if library is jkeras or not swap_on_epoch else None
    return initial_weights, weights, history.history["val_loss"], evaluated


@pytest.fixture(scope="module")
def keras_runs():
    without = _fit_with_swap(keras, False)
    return {False: without, True: _fit_with_swap(keras, True, initial_weights=without[0])}


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_swap_ema_weights_matches_keras(swap_on_epoch, keras_runs):
    theirs = keras_runs[swap_on_epoch]
    ours = _fit_with_swap(jkeras, swap_on_epoch, initial_weights=theirs[0])
    assert_close(ours[1], keras_runs[False][1], rtol=1e-5, atol=1e-6)
    # Validation and evaluation ran on the moving averages, as in Keras.
    assert_close(ours[2], theirs[2], rtol=1e-5, atol=1e-6)
    assert_close(ours[3], theirs[3], rtol=1e-5, atol=1e-6)


def test_swap_ema_weights_requires_use_ema():
    x, y = regression_data(n=8)
    model = mlp(hidden=(2,), outputs=1)
    model.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ValueError, match="use_ema=True"):
        model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y),
                  callbacks=[jkeras.callbacks.SwapEMAWeights()])


@pytest.fixture
def server():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append((self.path, self.headers.get("Content-Type"),
                             self.headers.get("X-Run"), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    httpd.shutdown()
    thread.join()


def test_remote_monitor_posts_each_epoch(server):
    root, received = server
    x, y = regression_data(n=8)
    model = mlp(hidden=(2,), outputs=1)
    model.compile(loss="mse", optimizer="sgd")
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[
        jkeras.callbacks.RemoteMonitor(root=root, path="/form/", headers={"X-Run": "a"}),
        jkeras.callbacks.RemoteMonitor(root=root, path="/json/", send_as_json=True),
    ])
    forms = [r for r in received if r[0] == "/form/"]
    jsons = [r for r in received if r[0] == "/json/"]
    assert len(forms) == len(jsons) == 2
    for epoch, (form, body) in enumerate(zip(forms, jsons)):
        assert form[2] == "a" and body[1] == "application/json"
        sent = json.loads(urllib.parse.parse_qs(form[3])["data"][0])
        assert sent == json.loads(body[3])
        assert sent["epoch"] == epoch
        assert sent["loss"] == pytest.approx(history.history["loss"][epoch])


def test_remote_monitor_warns_when_unreachable():
    monitor = jkeras.callbacks.RemoteMonitor(root="http://127.0.0.1:9")
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        monitor.on_epoch_end(0, {"loss": np.float32(1.0)})
