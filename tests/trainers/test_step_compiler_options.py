"""`jkeras.config.step_compiler_options`: the XLA options jkeras's steps compile with."""

import jax
import numpy as np
import pytest

import jkeras


@pytest.fixture
def backend_options():
    """Set options for the tests' backend (the CPU in CI) and restore them afterwards."""
    backend = jax.default_backend()
    saved = jkeras.config.step_compiler_options(backend)
    yield lambda options: jkeras.config.set_step_compiler_options(options, backend=backend)
    jkeras.config.set_step_compiler_options(saved, backend=backend)


def model():
    m = jkeras.Sequential([jkeras.Input((4,)), jkeras.layers.Dense(2)])
    m.compile("sgd", "mse")
    return m


def test_xla_defaults_unless_set_for_a_backend(backend_options):
    assert jkeras.config.step_compiler_options("gpu") == {}
    assert jkeras.config.step_compiler_options("cpu") == {}
    backend_options({"xla_cpu_enable_fast_math": False})
    assert jkeras.config.step_compiler_options() == {"xla_cpu_enable_fast_math": False}
    other = "gpu" if jax.default_backend() != "gpu" else "cpu"
    assert jkeras.config.step_compiler_options(other) == {}


def test_the_steps_compile_with_the_options(backend_options):
    x, y = np.ones((8, 4), "float32"), np.ones((8, 2), "float32")
    backend_options({"xla_no_such_option": True})  # XLA rejects it: proof that it reached XLA
    with pytest.raises(Exception, match="xla_no_such_option"):
        model().fit(x, y, verbose=0)
    backend_options({"xla_gpu_enable_triton_gemm": False})  # a valid option compiles and trains
    history = model().fit(x, y, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_options_must_be_a_dict_of_names():
    with pytest.raises(ValueError, match="`options` must be a dict"):
        jkeras.config.set_step_compiler_options(["xla_gpu_enable_triton_gemm"])
