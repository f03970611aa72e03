"""Callbacks: decisions compared with Keras 3's on the same logs, and behaviour inside fit."""

import contextlib
import csv
import io
import types

import keras  # the reference
import numpy as np
import pytest

import jkeras
from jkeras import callbacks
from tests.helpers import mlp, regression_data


class FakeOptimizer:
    def __init__(self, learning_rate):
        self.learning_rate = learning_rate


def fake_model(lr=0.1):
    weights = {"epoch": -1}
    model = types.SimpleNamespace(stop_training=False, metrics=[], optimizer=FakeOptimizer(lr))
    model.get_weights = lambda: [np.array(weights["epoch"])]
    model.set_weights = lambda w: weights.update(epoch=int(w[0]))
    return model, weights


def drive(callback, values, key="val_loss", lr=0.1):
    """Feed per-epoch values to a callback; return (stop epoch, restored epoch, lrs)."""
    model, weights = fake_model(lr)
    callback.set_model(model)
    callback.on_train_begin()
    stopped, lrs = None, []
    for epoch, value in enumerate(values):
        weights["epoch"] = epoch
        callback.on_epoch_begin(epoch, {})
        callback.on_epoch_end(epoch, {key: value})
        lrs.append(float(model.optimizer.learning_rate))
        if model.stop_training:
            stopped = epoch
            break
    callback.on_train_end()
    return stopped, weights["epoch"], lrs


SEQUENCES = [
    [1.0, 0.9, 0.95, 0.96, 0.97, 0.5],
    [1.0, 0.99, 0.985, 0.98, 0.97, 0.96],
    [0.5, 0.6, 0.4, 0.41, 0.42, 0.43, 0.44],
    [2.0, 2.0, 2.0, 2.0, 2.0],
]


@pytest.mark.parametrize("values", SEQUENCES)
@pytest.mark.parametrize(
    "kwargs",
    [
        {"patience": 0},
        {"patience": 2},
        {"patience": 1, "min_delta": 0.02},
        {"patience": 2, "baseline": 0.45},
        {"patience": 1, "start_from_epoch": 2},
        {"patience": 2, "restore_best_weights": True},
        {"patience": 1, "mode": "max"},
    ],
)
def test_early_stopping_decides_like_keras(values, kwargs):
    ours = drive(callbacks.EarlyStopping(**kwargs), values)
    theirs = drive(keras.callbacks.EarlyStopping(**kwargs), values)
    assert ours == theirs


@pytest.mark.parametrize("values", SEQUENCES)
@pytest.mark.parametrize(
    "kwargs",
    [{"patience": 1}, {"patience": 0, "factor": 0.5, "cooldown": 1},
     {"patience": 1, "min_lr": 0.05, "min_delta": 0.05}],
)
def test_reduce_lr_on_plateau_like_keras(values, kwargs):
    assert drive(callbacks.ReduceLROnPlateau(**kwargs), values) == drive(
        keras.callbacks.ReduceLROnPlateau(**kwargs), values)


def test_unknown_monitor_warns_with_available_keys_and_bad_mode_raises():
    callback = callbacks.EarlyStopping(monitor="val_acuracy", mode="max")
    callback.set_model(fake_model()[0])
    callback.on_train_begin()
    with pytest.warns(UserWarning, match="val_acuracy.*Available metrics are: loss,val_loss"):
        callback.on_epoch_end(0, {"loss": 1.0, "val_loss": 1.0})
    auto = callbacks.EarlyStopping(monitor="mystery")
    auto.set_model(fake_model()[0])
    with pytest.raises(ValueError, match="mode='max'"):
        auto.on_epoch_end(0, {"mystery": 1.0})


def regression_model(lr=0.05):
    model = mlp(hidden=(), outputs=1)
    model.compile(optimizer=jkeras.optimizers.SGD(lr), loss="mse")
    return model


def test_early_stopping_in_fit_stops_and_restores_best_weights():
    x, y = regression_data()
    model = regression_model()
    snapshots = []
    record = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    # From epoch 3 on the learning rate is huge: the loss explodes, so epoch 2 is the best.
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: 0.05 if epoch < 3 else 5.0)
    stopper = callbacks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=20, batch_size=16, shuffle=False, verbose=0,
                        callbacks=[schedule, record, stopper])
    losses = history.history["loss"]
    assert len(losses) == 5 and stopper.stopped_epoch == 4 and stopper.best_epoch == 2
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.05, 0.05, 5.0, 5.0])
    for restored, best in zip(model.get_weights(), snapshots[2]):
        np.testing.assert_array_equal(restored, best)


def test_learning_rate_scheduler_takes_effect_without_recompiling():
    x, y = regression_data()
    model = regression_model()
    model.fit(x, y, epochs=1, verbose=0)
    traces = model._trace_counts["train"]
    frozen = callbacks.LearningRateScheduler(lambda epoch: 0.0)
    before = model.get_weights()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[frozen])
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert model._trace_counts["train"] == traces
    with pytest.raises(ValueError, match="should be a float"):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[callbacks.LearningRateScheduler(lambda e: "fast")])


def test_terminate_on_nan_stops_at_the_bad_batch():
    x, y = regression_data()
    x[40] = np.nan  # batch 2 of 16-sample batches
    model = regression_model()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        history = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0,
                            callbacks=[callbacks.TerminateOnNaN()])
    assert "Batch 2: Invalid loss, terminating training" in out.getvalue()
    assert len(history.history["loss"]) == 1
    with pytest.raises(RuntimeError, match="at batch 2"):
        regression_model().fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0,
                               callbacks=[callbacks.TerminateOnNaN(raise_error=True)])


def test_csv_logger_writes_the_history(tmp_path):
    x, y = regression_data()
    model = regression_model()
    path = tmp_path / "log.csv"
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0,
                        callbacks=[callbacks.CSVLogger(path)])
    rows = list(csv.DictReader(path.open()))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    np.testing.assert_allclose([float(r["val_loss"]) for r in rows],
                               history.history["val_loss"], rtol=1e-6)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path, append=True)])
    assert len(list(csv.DictReader(path.open()))) == 4


def test_lambda_callback_and_batch_hooks_see_running_logs():
    x, y = regression_data()
    model = regression_model()
    seen = []
    hook = callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append((batch, float(logs["loss"]))),
        on_train_begin=lambda logs: seen.append("begin"))
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0, callbacks=[hook])
    assert seen[0] == "begin" and [b for b, _ in seen[1:]] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="unknown hook"):
        callbacks.LambdaCallback(on_epoch_middle=print)


def test_tensorboard_event_files_read_back_with_tensorboard(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    x, y = regression_data()
    model = regression_model()
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0,
                        callbacks=[callbacks.TensorBoard(tmp_path, histogram_freq=1,
                                                         update_freq="batch")])
    train = EventAccumulator(str(tmp_path / "train"),
                             size_guidance={"scalars": 0, "histograms": 0}).Reload()
    validation = EventAccumulator(str(tmp_path / "validation")).Reload()
    epoch_loss = [event.value for event in train.Scalars("epoch_loss")]
    np.testing.assert_allclose(epoch_loss, history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose([e.value for e in validation.Scalars("epoch_loss")],
                               history.history["val_loss"], rtol=1e-6)
    assert [e.value for e in train.Scalars("epoch_learning_rate")] == pytest.approx([0.05] * 3)
    assert len(train.Scalars("batch_loss")) == 9  # 3 batches of 16 per epoch, 3 epochs
    assert set(train.Tags()["histograms"]) == {v.path for v in model.weights}


def test_model_checkpoint_templates_best_only_and_weights(tmp_path):
    x, y = regression_data()
    model = regression_model()
    template = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.keras")
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0,
                        callbacks=[callbacks.ModelCheckpoint(template)])
    names = sorted(p.name for p in tmp_path.iterdir())
    expected = [f"ckpt-{e + 1:02d}-{v:.2f}.keras"
                for e, v in enumerate(history.history["val_loss"])]
    assert names == sorted(expected)
    restored = jkeras.models.load_model(tmp_path / expected[-1])
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))

    best = tmp_path / "best.weights.h5"
    saved = []
    model.compile(jkeras.optimizers.SGD(5.0), "mse")  # diverges: only the first epoch is best
    check = callbacks.ModelCheckpoint(best, monitor="loss", save_best_only=True,
                                      save_weights_only=True)
    record = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: saved.append(
        best.stat().st_mtime_ns))
    model.fit(x, y, epochs=3, batch_size=64, verbose=0, callbacks=[check, record])
    assert saved[0] == saved[1] == saved[2]
    with pytest.raises(ValueError, match=r"must end in `.weights.h5`"):
        callbacks.ModelCheckpoint(tmp_path / "w.h5", save_weights_only=True)
    with pytest.raises(ValueError, match=r"must end in `.keras`"):
        callbacks.ModelCheckpoint(tmp_path / "m.h5")


@pytest.mark.parametrize("delete_checkpoint", [True, False])
def test_backup_folder_after_a_normal_end_is_keras3s(tmp_path, delete_checkpoint):
    x, y = regression_data(16)
    left = {}
    for library in (keras, jkeras):
        backup_dir = tmp_path / library.__name__ / "backup"
        model = library.Sequential([library.Input((x.shape[1],)), library.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, epochs=2, verbose=0, callbacks=[library.callbacks.BackupAndRestore(
            backup_dir, delete_checkpoint=delete_checkpoint)])
        left[library.__name__] = backup_dir.exists()
    assert left["jkeras"] == left["keras"] == (not delete_checkpoint)


def test_backup_and_restore_resumes_bit_identically(tmp_path):
    x, y = regression_data(128)

    def run(extra):
        jkeras.utils.set_random_seed(11)
        model = regression_model()
        model.fit(x, y, epochs=6, batch_size=16, verbose=0, callbacks=extra)
        return model

    uninterrupted = run([])

    class Crash(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("simulated crash")

    backup = callbacks.BackupAndRestore(tmp_path / "backup")
    with pytest.raises(RuntimeError, match="simulated crash"):
        run([backup, Crash()])
    assert (tmp_path / "backup" / "training_metadata.json").exists()
    epochs_run = []
    resumed = run([backup, callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: epochs_run.append(epoch))])
    assert epochs_run == [3, 4, 5]
    for a, b in zip(resumed.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not (tmp_path / "backup" / "training_metadata.json").exists()
