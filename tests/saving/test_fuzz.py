"""Random damage to saved files: every load either succeeds or raises a ValueError (most
often `CorruptFileError`), never another exception, a crash or a hang."""

import io
import json
import time
import zipfile

import numpy as np
import pytest

import jkeras
from jkeras.saving import CorruptFileError

ALLOWED = (ValueError, NotImplementedError)
BUDGET_SECONDS = 6.0


def _model():
    return jkeras.Sequential([jkeras.Input((3,)), jkeras.layers.Dense(4),
                              jkeras.layers.Dense(2)])


def _mutations(data, rng):
    """Random bytes, truncations and byte flips of `data`."""
    yield rng.bytes(int(rng.integers(0, 2 * len(data))))
    yield data[: int(rng.integers(0, len(data)))]
    flipped = bytearray(data)
    for position in rng.integers(0, len(data), size=int(rng.integers(1, 8))):
        flipped[position] = int(rng.integers(0, 256))
    yield bytes(flipped)


def _zip_variants(data, rng):
    """Valid zips whose entries are damaged, removed or replaced."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(entries["config.json"])
    pool = [None, "x", -1, 0, [], {}, True, [None], {"class_name": "Nope"}]

    def mutate(value, depth=0):
        if isinstance(value, dict) and value and depth < 8:
            key = list(value)[int(rng.integers(0, len(value)))]
            return {**value, key: mutate(value[key], depth + 1)}
        if isinstance(value, list) and value and depth < 8:
            index = int(rng.integers(0, len(value)))
            return value[:index] + [mutate(value[index], depth + 1)] + value[index + 1:]
        return pool[int(rng.integers(0, len(pool)))]

    name = list(entries)[int(rng.integers(0, len(entries)))]
    for replacement in (
        {"config.json": json.dumps(mutate(config)).encode()},
        {name: next(_mutations(entries[name], rng))},
        {name: entries[name][: len(entries[name]) // 2]},
        {name: None},
    ):
        changed = {**entries, **replacement}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for entry, content in changed.items():
                if content is not None:
                    archive.writestr(entry, content)
        yield buffer.getvalue()


def _try(load):
    try:
        load()
    except ALLOWED as error:
        return type(error)
    return None


def test_damaged_files_raise_clear_errors(tmp_path):
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    keras_path, weights_path = tmp_path / "m.keras", tmp_path / "w.weights.h5"
    model.save(keras_path)
    model.save_weights(weights_path)
    keras_bytes, weights_bytes = keras_path.read_bytes(), weights_path.read_bytes()
    target = _model()
    before = [np.array(w) for w in target.get_weights()]

    rng = np.random.default_rng(1234)
    damaged = tmp_path / "damaged.keras"
    damaged_weights = tmp_path / "damaged.weights.h5"
    outcomes, start = [], time.monotonic()
    while time.monotonic() - start < BUDGET_SECONDS:
        cases = list(_mutations(keras_bytes, rng)) + list(_zip_variants(keras_bytes, rng))
        for data in cases:
            damaged.write_bytes(data)
            outcomes.append(_try(lambda: jkeras.models.load_model(damaged)))
            outcomes.append(_try(lambda: target.load_weights(damaged)))
        for data in _mutations(weights_bytes, rng):
            damaged_weights.write_bytes(data)
            outcomes.append(_try(lambda: target.load_weights(damaged_weights)))
    assert len(outcomes) > 30
    assert CorruptFileError in outcomes
    # A load that failed changed nothing; the ones that succeeded loaded a valid file's
    # weights, so restore and check a failing load once more.
    target.set_weights(before)
    damaged.write_bytes(keras_bytes[:100])
    with pytest.raises(CorruptFileError):
        target.load_weights(damaged)
    for got, want in zip(target.get_weights(), before):
        np.testing.assert_array_equal(got, want)
