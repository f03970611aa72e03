"""benchmarks/cpu_conv_pool.py: its four train-step variants compute the same gradients."""

import importlib
import pathlib

import jax
import numpy as np

BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"


def test_every_variant_computes_the_same_gradients(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench = importlib.import_module("cpu_conv_pool")
    monkeypatch.setattr(bench.tiled_pooling, "USE_TILED_POOLING", None)
    x, y = bench.make_data(16)
    x = np.maximum(x - 0.5, 0)  # exact zeros, so that pooling windows tie
    params = bench.init_params(jax.random.key(0))
    grads = {}
    for conv_name in ("autodiff", "im2col"):
        for pool_name in ("reduce_window", "tiled"):
            grad_fn = jax.grad(bench.make_loss(bench.convolution(conv_name)))
            bench.tiled_pooling.USE_TILED_POOLING = pool_name == "tiled"
            jaxpr = str(jax.make_jaxpr(grad_fn)(params, x, y))
            assert ("select_and_scatter" in jaxpr) == (pool_name == "reduce_window")
            grads[conv_name, pool_name] = jax.jit(grad_fn)(params, x, y)
    reference = grads["autodiff", "reduce_window"]
    assert all(float(np.abs(g).max()) > 0 for g in jax.tree.leaves(reference))
    for variant, grad in grads.items():
        for a, b in zip(jax.tree.leaves(grad), jax.tree.leaves(reference)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6 * float(np.abs(b).max()),
                                       err_msg=str(variant))
