"""Global numeric settings with Keras 3's names (`jkeras.config.floatx()`, `epsilon()`)."""

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


def backend():
    """The name of the backend: always `"jax"`."""
    return "jax"


def floatx():
    """The default float dtype name for weights and computations ("float32")."""
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(
            "Unknown `floatx` value. Expected one of 'float16', 'bfloat16', "
            f"'float32', 'float64'. Received: floatx={value!r}"
        )
    _FLOATX = value


def epsilon():
    """The fuzz factor used to avoid division by zero and log(0) (1e-7)."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return _IMAGE_DATA_FORMAT


def set_image_data_format(value):
    global _IMAGE_DATA_FORMAT
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            "`data_format` must be 'channels_last' or 'channels_first'. "
            f"Received: {value!r}"
        )
    _IMAGE_DATA_FORMAT = value


def dtype_policy():
    """The global dtype policy (`jkeras.mixed_precision.global_policy`)."""
    from jkeras.mixed_precision import policy

    return policy.global_policy()


def set_dtype_policy(policy):
    """Set the global dtype policy, e.g. `"mixed_bfloat16"` (Keras 3's `keras.config` name)."""
    from jkeras.mixed_precision import policy as policy_module

    policy_module.set_global_policy(policy)


# XLA options the train, test and predict steps compile with, per JAX backend (a jkeras
# setting: Keras has none). Empty: XLA's defaults.
_STEP_COMPILER_OPTIONS = {}


def step_compiler_options(backend=None):
    """The XLA compiler options of jkeras's compiled train, test and predict steps on
    `backend` (default: JAX's default backend); none unless set with
    `set_step_compiler_options`."""
    import jax

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
