"""`RemoteMonitor`: post each epoch's logs to an HTTP server."""

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from jkeras.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Posts `{"epoch": epoch, **logs}` to `root + path` at the end of each epoch.

    By default the body is form-encoded, `field=<the JSON text>`; with `send_as_json` it is
    the JSON itself (`Content-Type: application/json`). An unreachable server gives a warning,
    not an error. Uses the standard library's `urllib` (Keras uses `requests`).

    Args:
        root: the server's root URL. Defaults to `"http://localhost:9000"`.
        path: the path appended to `root`. Defaults to `"/publish/epoch/end/"`.
        field: the form field holding the JSON. Defaults to `"data"`.
        headers: optional dict of extra HTTP headers.
        send_as_json: whether to send the logs as a JSON body. Defaults to `False`.
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data",
                 headers=None, send_as_json=False):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None):
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            # Arrays (numpy or jax scalars) become Python numbers for JSON.
            send[key] = np.asarray(value).item() if hasattr(value, "shape") else value
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10):
                pass
        except (urllib.error.URLError, OSError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}",
                          stacklevel=2)
