"""`jkeras.config`: Keras 3's global settings (`floatx`, `epsilon`, `image_data_format`, the
global dtype policy) and jkeras's compiler options for the training steps.

The numeric settings live in `jkeras.core.config` (core reads them), the policy in
`jkeras.dtype_policies`; this module gathers them under Keras 3's names.
"""

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


__all__ = [
    "backend",
    "disable_interactive_logging",
    "dtype_policy",
    "enable_interactive_logging",
    "enable_jit_cache",
    "epsilon",
    "floatx",
    "get_jit_cache_dir",
    "image_data_format",
    "is_interactive_logging_enabled",
    "is_jit_cache_enabled",
    "set_dtype_policy",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_step_compiler_options",
    "step_compiler_options",
]
