"""Kills writers with SIGKILL at random moments and checks what they leave on disk.

Usage:  python kill_worker.py FOLDER KILLS SEED      (run by test_kill.py)

It imports jkeras once, before any JAX backend exists, and forks every writer and checker
from there (forking a process in which JAX runs is unsafe), so each kill costs a fork, not
an interpreter start. For each way of saving it kills writers `KILLS` times, each at a random
moment after its first complete save, then checks in a fresh fork that the file loads and
holds a complete save, and that one more successful save leaves no temporary file. It prints
one JSON line per way of saving: `{"api", "kills", "temporaries_after_kills", "error",
"seconds"}`.
"""

import json
import os
import random
import signal
import sys
import time
import traceback

import numpy as np

import jkeras

SIZE = 384  # weights of ~0.6 MB: a save takes a while, so kills land inside saves too


def forked(function, *args):
    """Run `function(*args)` in a forked child; its pid."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            function(*args)
            code = 0
        except BaseException:  # noqa: BLE001 - reported through the exit status and stderr
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


def finished(pid):
    """Wait for a child; raise if it failed."""
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError(f"child {pid} failed (status {status})")


def kill_when_saved(pid, log, rng):
    """SIGKILL `pid` at a random moment after it logged its first save."""
    while not (os.path.exists(log) and os.path.getsize(log)):
        if os.waitpid(pid, os.WNOHANG)[0]:
            raise RuntimeError("the writer ended before its first save")
        time.sleep(0.005)
    time.sleep(rng.uniform(0.0, 0.25))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def logged(log):
    """The numbers a writer logged (one per completed save), in order."""
    if not os.path.exists(log):
        return []
    with open(log) as file:
        return [int(line) for line in file.read().split()]


def append(log, number):
    with open(log, "a") as file:
        file.write(f"{number}\n")
        file.flush()
        os.fsync(file.fileno())


def temporaries(folder):
    """Temporary files and orbax's temporary step folders under `folder`."""
    return sorted(os.path.join(parent, name) for parent, folders, files in os.walk(folder)
                  for name in folders + files
                  if name.endswith(".tmp") or ".orbax-checkpoint-tmp" in name)


def model(dropout=0.0):
    net = jkeras.Sequential([jkeras.Input((SIZE,)), jkeras.layers.Dense(SIZE, activation="relu"),
                             jkeras.layers.Dropout(dropout), jkeras.layers.Dense(1)])
    net.compile(jkeras.optimizers.SGD(0.01), "mse")
    return net


def data(samples=64):
    rng = np.random.default_rng(0)
    return (rng.random((samples, SIZE), dtype=np.float32),
            rng.random((samples, 1), dtype=np.float32))


# ------------------------------------------------------------ model.save, save_weights

def versions_writer(save, path, log):
    """Save again and again, every weight of version v equal to v."""
    net = model()
    for version in range(1, 10**6):
        net.set_weights([np.full(w.shape, version, w.dtype) for w in net.get_weights()])
        save(net, path)
        append(log, version)


def versions_checker(load, save, path, log):
    done = logged(log)
    net = model()
    load(net, path)
    weights = net.get_weights()
    version = weights[0].flat[0]
    assert version in (done[-1], done[-1] + 1), (version, done[-1])  # the last save, whole
    assert all(np.all(w == version) for w in weights), "a mix of two saves"
    save(net, path)
    assert temporaries(os.path.dirname(path)) == [], temporaries(os.path.dirname(path))


SAVES = {
    "model.save": (lambda net, path: net.save(path),
                   lambda net, path: net.set_weights(
                       jkeras.saving.load_model(path).get_weights()), "model.keras"),
    "save_weights": (lambda net, path: net.save_weights(path),
                     lambda net, path: net.load_weights(path), "model.weights.h5"),
}


# ------------------------------------------------------------ callbacks during fit

class Log(jkeras.callbacks.Callback):
    """Logs each epoch once the callbacks before it (the checkpoint) have saved it."""

    def __init__(self, log):
        super().__init__()
        self.log = log

    def on_epoch_end(self, epoch, logs=None):
        append(self.log, epoch)


def checkpoint_writer(folder, log):
    x, y = data()
    checkpoint = jkeras.callbacks.ModelCheckpoint(os.path.join(folder, "best.keras"))
    model().fit(x, y, batch_size=16, epochs=10**6, verbose=0, callbacks=[checkpoint, Log(log)])


def checkpoint_checker(folder, log):
    loaded = jkeras.saving.load_model(os.path.join(folder, "best.keras"))
    iterations, epochs = int(loaded.optimizer.iterations), len(logged(log))
    assert iterations % 4 == 0, f"not an epoch end: iteration {iterations}"
    assert iterations // 4 in (epochs, epochs + 1), (iterations, epochs)
    x, y = data()
    loaded.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[
        jkeras.callbacks.ModelCheckpoint(os.path.join(folder, "best.keras"))])
    assert temporaries(folder) == [], temporaries(folder)


class CommittedLog(Log):
    """Logs epochs once the first one's asynchronous checkpoint is committed."""

    def __init__(self, log, checkpoint):
        super().__init__(log)
        self.checkpoint = checkpoint

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            self.checkpoint.wait_until_finished()
        super().on_epoch_end(epoch, logs)


def orbax_writer(folder, log):
    x, y = data()
    checkpoint = jkeras.callbacks.OrbaxCheckpoint(os.path.join(folder, "orbax"))
    model().fit(x, y, batch_size=16, epochs=10**6, verbose=0,
                callbacks=[checkpoint, CommittedLog(log, checkpoint)])


def orbax_checker(folder, log):
    from jkeras.saving.orbax_checkpoint import OrbaxCheckpointer

    del log
    net = model()
    x, y = data()
    net.fit(x[:16], y[:16], epochs=1, verbose=0)  # built, optimizer and metrics made
    checkpointer = OrbaxCheckpointer(os.path.join(folder, "orbax"))
    step = checkpointer.latest_step()
    assert step is not None, "no committed checkpoint"
    metadata = checkpointer.restore(net)
    assert metadata["step"] == step and int(net.optimizer.iterations) == 4 * (step + 1)
    checkpointer.close()
    checkpoint = jkeras.callbacks.OrbaxCheckpoint(os.path.join(folder, "orbax"))
    net.fit(x, y, batch_size=16, initial_epoch=step + 1, epochs=step + 2, verbose=0,
            callbacks=[checkpoint])
    assert temporaries(os.path.join(folder, "orbax")) == []


FIT_CALLBACKS = {
    "ModelCheckpoint": (checkpoint_writer, checkpoint_checker),
    "OrbaxCheckpoint": (orbax_writer, orbax_checker),
}


# ------------------------------------------------------------ BackupAndRestore

BACKUP_EPOCHS = 60  # a run lasts well beyond the moment it is killed


def backup_run(folder, log, output):
    """The seeded run with dropout and shuffling, with a backup when `folder` is given; saves
    its final weights to `output`."""
    jkeras.utils.set_random_seed(5)
    net = model(dropout=0.3)
    callbacks = [jkeras.callbacks.BackupAndRestore(folder), Log(log)] if folder else []
    x, y = data(128)
    net.fit(x, y, batch_size=16, epochs=BACKUP_EPOCHS, shuffle=True, verbose=0,
            callbacks=callbacks)
    np.savez(output, *net.get_weights())


def backup_chain(folder, kills, rng):
    """Kill the backed-up run `kills` times, resuming each time; then let it finish and
    compare with an uninterrupted run."""
    backup, log = os.path.join(folder, "backup"), os.path.join(folder, "backup.log")
    reference = forked(backup_run, None, None, os.path.join(folder, "reference.npz"))
    finished(reference)
    temporaries_after_kills = 0
    for index in range(kills + 1):
        pid = forked(backup_run, backup, log, os.path.join(folder, "resumed.npz"))
        if index < kills:
            kill_when_saved(pid, log, rng)
            temporaries_after_kills += bool(temporaries(backup))
        else:
            finished(pid)
        epochs = logged(log)
        assert epochs[-1] < BACKUP_EPOCHS - 1 or index == kills, "the run ended unkilled"
        assert epochs[0] > 0 or index == 0, "the run did not resume from the backup"
        os.remove(log)
    expected = np.load(os.path.join(folder, "reference.npz"))
    got = np.load(os.path.join(folder, "resumed.npz"))
    for name in expected.files:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
    left = os.listdir(backup) if os.path.isdir(backup) else []
    assert left == [], f"left in the backup folder: {left}"
    return temporaries_after_kills


# ------------------------------------------------------------ driver

def kill_and_check(folder, kills, rng, writer, checker, arguments):
    """Kill a writer `kills` times, each in a folder of its own, and check each time;
    `arguments(folder) -> (writer arguments, checker arguments)`. The number of kills after
    which a temporary was left (kills inside a save)."""
    temporaries_after_kills = 0
    for index in range(kills):
        round_folder = os.path.join(folder, str(index))
        os.makedirs(round_folder)
        log = os.path.join(round_folder, "saves.log")
        writer_arguments, checker_arguments = arguments(round_folder)
        kill_when_saved(forked(writer, *writer_arguments, log), log, rng)
        temporaries_after_kills += bool(temporaries(round_folder))
        finished(forked(checker, *checker_arguments, log))
    return temporaries_after_kills


def jobs():
    """`{api: (writer, checker, arguments)}` for `kill_and_check`."""
    found = {}
    for api, (save, load, name) in SAVES.items():
        found[api] = (versions_writer, versions_checker, lambda folder, save=save, load=load,
                      name=name: ((save, os.path.join(folder, name)),
                                  (load, save, os.path.join(folder, name))))
    for api, (writer, checker) in FIT_CALLBACKS.items():
        found[api] = (writer, checker, lambda folder: ((folder,), (folder,)))
    return found


def main(root, kills, seed):
    rng = random.Random(seed)
    for api, job in [*jobs().items(), ("BackupAndRestore", None)]:
        folder = os.path.join(root, api)
        os.makedirs(folder)
        result = {"api": api, "kills": kills, "error": None}
        start = time.monotonic()
        try:
            if job is None:
                result["temporaries_after_kills"] = backup_chain(folder, kills, rng)
            else:
                result["temporaries_after_kills"] = kill_and_check(folder, kills, rng, *job)
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
            result["error"] = f"{type(error).__name__}: {error}"
        result["seconds"] = round(time.monotonic() - start, 1)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
