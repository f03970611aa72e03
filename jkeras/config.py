"""`jkeras.config`: Keras 3's global settings (`floatx`, `epsilon`, `image_data_format`, the
global dtype policy) and jkeras's compiler options for the training steps.

The numeric settings live in `jkeras.core.config` (core reads them), the policy in
`jkeras.dtype_policies`; this module gathers them under Keras 3's names.
"""

import jax

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
    cuBLAS, which was ~60% of the book MLP's compile time on an H100 (4.8 s of compilation in
    all, 2.0 s without it; the example ran 6.5-7 s instead of ~8 s end to end). Trading that
    for cuBLAS's kernels can cost throughput (README, Benchmarks):

        jkeras.config.set_step_compiler_options({"xla_gpu_enable_triton_gemm": False})
    """
    if not isinstance(options, dict) or not all(isinstance(k, str) for k in options):
        raise ValueError("`options` must be a dict from XLA option names to values. "
                         f"Received: options={options!r}")
    _STEP_COMPILER_OPTIONS[backend] = dict(options)
