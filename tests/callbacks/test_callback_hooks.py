"""Every callback hook receives what Keras 3 passes it: a dict of logs (empty when there is
nothing to report), positionally for run and epoch hooks, as `logs=` for batch hooks."""

import keras
import numpy as np

import jkeras
from tests.helpers import mlp, regression_data


def _record(library):
    calls = []

    class Recorder(library.callbacks.Callback):
        pass

    def recording(name):
        def hook(self, *args, **kwargs):
            logs = kwargs.get("logs", args[-1] if args else None)
            keys = sorted(logs) if isinstance(logs, dict) else type(logs).__name__
            calls.append((name, [type(a).__name__ for a in args], sorted(kwargs), keys))
        return hook

    for name in [n for n in dir(library.callbacks.Callback) if n.startswith("on_")]:
        setattr(Recorder, name, recording(name))
    model = mlp(library, inputs=4, hidden=(), outputs=1)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = regression_data(8)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, validation_data=(x, y),
              callbacks=[Recorder()])
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[Recorder()])
    model.predict(x, batch_size=4, verbose=0, callbacks=[Recorder()])
    return calls


def test_hooks_get_the_arguments_and_log_keys_keras_passes():
    calls = _record(jkeras)
    assert calls == _record(keras)
    assert all(keys != "NoneType" for *_, keys in calls)


def test_batch_logs_are_numbers_a_callback_can_format():
    seen = []

    class Printer(jkeras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(f"{batch}: {logs['loss']:.4f}")

    model = mlp(jkeras, inputs=4, hidden=(), outputs=1)
    model.compile(optimizer="sgd", loss="mse")
    x, y = regression_data(8)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[Printer()])
    assert len(seen) == 2 and all(np.isfinite(float(s.split(": ")[1])) for s in seen)
