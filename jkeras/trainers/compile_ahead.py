"""Compiling a step's variants at once, in worker threads, instead of one by one when reached.

An epoch over arrays whose size the batch size does not divide needs two executables of each
step (full batches, then the last, smaller one), and XLA compiles each when the step first
meets its shapes: on a GPU that is seconds, spent one after the other, with the device idle.
`CompiledAhead` wraps a jitted step: `compile_ahead(*args)` traces and lowers it on the calling
thread (tracing reads the model's Python objects, so it must not race the caller) and hands
XLA's compilation to a worker thread (XLA releases the GIL), so that all variants compile at
the same time. jax keeps what `Lowered.compile` produced in its compilation cache, where the
jitted function finds it: a call whose arguments match a compilation in progress waits for it
rather than starting the same compilation again.

Off by default: set `jkeras.trainers.compile_ahead.ENABLED = True` before a model first trains,
evaluates or predicts (its steps are wrapped when made) to use it. On a GPU it shortens dense
models' first epoch, but convolutions compiled beside each other or beside training steps
slow down badly (XLA's GPU autotuner timing kernels on a busy device, it seems); on a CPU it
gains no time (XLA:CPU already compiles with every core) and keeps each worker thread's peak
compilation memory. The measurements are in docs/performance.md.
"""

import concurrent.futures
import os
import threading

import jax

# Whether trainers compile their step variants ahead; None: on accelerators only (not the
# default: see above).
ENABLED = False

_executor = None
_executor_lock = threading.Lock()


def enabled():
    """Whether trainers compile their step variants ahead (`ENABLED`)."""
    return ENABLED if ENABLED is not None else jax.default_backend() != "cpu"


def _workers():
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="jkeras-compile")
        return _executor


def signature(args):
    """What identifies an executable's arguments, cheaply: structure, shapes and dtypes (as
    jax stores them: int64 becomes int32 without x64)."""
    leaves, treedef = jax.tree_util.tree_flatten(args)
    return treedef, tuple(
        (tuple(getattr(a, "shape", ())), str(jax.dtypes.canonicalize_dtype(
            getattr(a, "dtype", None) or jax.numpy.result_type(a))))
        for a in leaves)


class CompiledAhead:
    """A jitted function (`jax.jit` result) whose compilations can start ahead of its calls."""

    def __init__(self, jitted):
        self.jitted = jitted
        self._pending = {}  # signature -> future of the compilation for it
        self._started = set()

    def compile_ahead(self, *args):
        """Start compiling for arguments like `args` (arrays or `jax.ShapeDtypeStruct`s),
        unless that was done already for their shapes and dtypes."""
        key = signature(args)
        if key in self._started:
            return
        self._started.add(key)
        lowered = self.jitted.lower(*args)
        self._pending[key] = _workers().submit(lowered.compile)

    def __call__(self, *args):
        if self._pending:
            future = self._pending.pop(signature(args), None)
            if future is not None:
                future.result()  # raises what compiling raised
        return self.jitted(*args)
