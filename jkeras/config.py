"""`jkeras.config`: Keras 3's global settings (`floatx`, `epsilon`, `image_data_format`, the
global dtype policy) and jkeras's compiler options for the training steps.

The numeric settings live in `jkeras.core.config` (core reads them), the policy in
`jkeras.dtype_policies`; this module gathers them under Keras 3's names.
"""

import os

import jax

from jkeras.core.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from jkeras.core.jit_cache import enable_jit_cache, get_jit_cache_dir, is_jit_cache_enabled
from jkeras.dtype_policies.dtype_policy import global_policy as dtype_policy
from jkeras.dtype_policies.dtype_policy import set_global_policy as set_dtype_policy

# XLA options the train, test and predict steps compile with, per JAX backend (a jkeras
# setting: Keras has none). Empty: XLA's defaults.
_STEP_COMPILER_OPTIONS = {}


def step_compiler_options(backend=None):
    """The XLA compiler options of jkeras's compiled train, test and predict steps on
    `backend` (default: JAX's default backend); none unless set with
    `set_step_compiler_options`."""
    return dict(_STEP_COMPILER_OPTIONS.get(backend or jax.default_backend(), {}))


def set_step_compiler_options(options, backend="gpu"):
    """Compile the train, test and predict steps from now on with these XLA options on
    `backend`: a dict of XLA flag names without `--`, as `jax.jit(compiler_options=...)` takes
    them; `{}` restores XLA's defaults.

    Example: on GPUs XLA tries Triton kernels for every matrix product and times them against
    cuBLAS, most of a small model's compile time; trading that for cuBLAS's kernels can cost
    throughput (docs/performance.md):

        jkeras.config.set_step_compiler_options({"xla_gpu_enable_triton_gemm": False})
    """
    if not isinstance(options, dict) or not all(isinstance(k, str) for k in options):
        raise ValueError("`options` must be a dict from XLA option names to values. "
                         f"Received: options={options!r}")
    _STEP_COMPILER_OPTIONS[backend] = dict(options)


# Interactive logging (Keras 3's switches, also in `jkeras.utils`): on, messages and progress
# bars go to stdout; off, they go to `absl.logging` (`jkeras.utils.io_utils.print_msg`).
_INTERACTIVE_LOGGING = True


def enable_interactive_logging():
    """Send logs and progress bars to stdout (the default)."""
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = True


def disable_interactive_logging():
    """Send logs to `absl.logging` instead of stdout (for jobs run without a console); progress
    bars then log one line per epoch."""
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = False


def is_interactive_logging_enabled():
    """Whether logs go to stdout (True) or to `absl.logging` (False)."""
    return _INTERACTIVE_LOGGING


# ------------------------------------------------------------------ Keras 3's other switches

_SETTINGS = {"flash_attention": None, "max_epochs": None, "max_steps_per_epoch": None,
             "unsafe_deserialization": False}


def enable_flash_attention():
    """Make `ops.dot_product_attention` (and the attention layers) use flash attention
    (cuDNN's fused kernel) when their `flash_attention` argument is None; where it cannot
    run, they raise."""
    _SETTINGS["flash_attention"] = True


def disable_flash_attention():
    """Make attention use the plain XLA computation when `flash_attention` is None."""
    _SETTINGS["flash_attention"] = False


def is_flash_attention_enabled():
    """True or False after `enable_`/`disable_flash_attention`, else None (the default: flash
    attention where the inputs and device allow it)."""
    return _SETTINGS["flash_attention"]


def enable_traceback_filtering():
    """Hide JAX's internal frames from the tracebacks of errors raised under JAX
    transformations (JAX's `jax_traceback_filtering="auto"`, the default)."""
    jax.config.update("jax_traceback_filtering", "auto")


def disable_traceback_filtering():
    """Show full tracebacks, JAX's internal frames included (`jax_traceback_filtering="off"`)."""
    jax.config.update("jax_traceback_filtering", "off")


def is_traceback_filtering_enabled():
    """Whether tracebacks are filtered (JAX's `jax_traceback_filtering` is not "off")."""
    return jax.config.jax_traceback_filtering != "off"


def _check_limit(value, name):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"`{name}` must be a positive integer or None. Received: {value!r}")
    return value


def set_max_epochs(max_epochs):
    """Cap the number of epochs every `fit` runs (None: no cap), e.g. for quick test runs."""
    _SETTINGS["max_epochs"] = _check_limit(max_epochs, "max_epochs")


def max_epochs():
    """The cap `set_max_epochs` set on `fit`'s epochs, or None."""
    return _SETTINGS["max_epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Cap the number of steps of each `fit` epoch (None: no cap)."""
    _SETTINGS["max_steps_per_epoch"] = _check_limit(max_steps_per_epoch,
                                                    "max_steps_per_epoch")


def max_steps_per_epoch():
    """The cap `set_max_steps_per_epoch` set on each epoch's steps, or None."""
    return _SETTINGS["max_steps_per_epoch"]


def enable_unsafe_deserialization():
    """Load configs as with `safe_mode=False` from now on. jkeras still never executes
    serialized lambda bytecode: loading one then raises NotImplementedError (saying so)
    instead of the safe-mode ValueError."""
    _SETTINGS["unsafe_deserialization"] = True


def unsafe_deserialization_enabled():
    """Whether `enable_unsafe_deserialization()` was called (a jkeras name)."""
    return _SETTINGS["unsafe_deserialization"]


def set_backend(backend):
    """Keras 3 switches backends here; jkeras is its JAX backend, so only "jax" is accepted
    (a no-op)."""
    if backend != "jax":
        raise ValueError(
            f"jkeras runs on JAX only: `set_backend` accepts 'jax'. Received: backend={backend!r}"
        )


def is_nnx_enabled():
    """Whether Flax NNX mode is requested (Keras reads the `KERAS_NNX_ENABLED` environment
    variable, as here); jkeras layers are unaffected by it."""
    return os.environ.get("KERAS_NNX_ENABLED", "false").lower() in ("1", "true")


__all__ = [
    "backend",
    "disable_flash_attention",
    "disable_interactive_logging",
    "disable_traceback_filtering",
    "dtype_policy",
    "enable_flash_attention",
    "enable_interactive_logging",
    "enable_jit_cache",
    "enable_traceback_filtering",
    "enable_unsafe_deserialization",
    "epsilon",
    "floatx",
    "get_jit_cache_dir",
    "image_data_format",
    "is_flash_attention_enabled",
    "is_interactive_logging_enabled",
    "is_jit_cache_enabled",
    "is_nnx_enabled",
    "is_traceback_filtering_enabled",
    "max_epochs",
    "max_steps_per_epoch",
    "set_backend",
    "set_dtype_policy",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_max_epochs",
    "set_max_steps_per_epoch",
    "set_step_compiler_options",
    "step_compiler_options",
    "unsafe_deserialization_enabled",
]
