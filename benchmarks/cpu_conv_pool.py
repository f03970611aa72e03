"""The MNIST convnet's train step on XLA:CPU with each convolution backward pass and pooling.

Variants (jkeras's ops, traced with each setting):
  - conv: JAX's autodiff of `lax.conv_general_dilated` ("autodiff") or `conv_vjp`'s custom VJP
    (forward `lax.conv_general_dilated`, backward through the im2col matrix product: "im2col");
  - pool: `lax.reduce_window` max pooling ("reduce_window", differentiated by
    `select_and_scatter_add`) or `tiled_pooling` (a reshape and a max: "tiled").
Each is timed as one jitted step per batch and as `--scan-steps` steps fused in a `lax.scan`
(what `fit` runs with `steps_per_execution`), batch 128, adam, MNIST-shaped synthetic data.
Rounds alternate between the variants so machine noise hits them alike; the median counts.

Usage:  python benchmarks/cpu_conv_pool.py [--rounds 3] [--scan-steps 10]
"""

import argparse
import itertools
import os
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from mnist_convnet import init_params, make_data

from jkeras import ops
from jkeras.layers.convolutional import conv_vjp
from jkeras.ops import tiled_pooling

BATCH = 128


def convolution(name):
    if name == "autodiff":
        return lambda x, k: ops.conv(x, k, 1, "valid", "channels_last", 1)
    return lambda x, k: conv_vjp.conv(x, k, (1, 1), "valid", "channels_last", (1, 1))


def make_loss(conv):
    """The convnet's loss `(params, x, y) -> scalar` (no dropout) with the convolution `conv`
    and `ops.max_pool`."""
    def loss_fn(params, x, y):
        h = ops.max_pool(jax.nn.relu(conv(x, params["conv1"]) + params["b1"]), 2)
        h = ops.max_pool(jax.nn.relu(conv(h, params["conv2"]) + params["b2"]), 2)
        logits = h.reshape(h.shape[0], -1) @ params["dense"] + params["b3"]
        return optax.softmax_cross_entropy(logits, y).mean()

    return loss_fn


def make_step(conv):
    """`(optimizer, step)`: an adam step `((params, opt_state), (x, y)) -> (carry, None)`."""
    optimizer = optax.adam(1e-3)
    loss_fn = make_loss(conv)

    def step(carry, batch):
        params, opt_state = carry
        grads = jax.grad(loss_fn)(params, *batch)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), None

    return optimizer, step


def time_variant(conv_name, pool_name, data, scan_steps):
    """Seconds per step: (one jitted step per batch, steps fused in a scan)."""
    tiled_pooling.USE_TILED_POOLING = pool_name == "tiled"
    optimizer, step = make_step(convolution(conv_name))
    params = init_params(jax.random.key(0))
    carry = (params, optimizer.init(params))
    xs, ys = data
    single = jax.jit(lambda carry, x, y: step(carry, (x, y))[0])
    scan = jax.jit(lambda carry, xs, ys: jax.lax.scan(step, carry, (xs, ys))[0])
    jax.block_until_ready(single(carry, xs[0], ys[0]))  # traced with the setting above
    jax.block_until_ready(scan(carry, xs, ys))
    tiled_pooling.USE_TILED_POOLING = None
    start = time.perf_counter()
    for i in range(scan_steps):
        carry = single(carry, xs[i], ys[i])
    jax.block_until_ready(carry)
    single_s = (time.perf_counter() - start) / scan_steps
    start = time.perf_counter()
    jax.block_until_ready(scan(carry, xs, ys))
    return single_s, (time.perf_counter() - start) / scan_steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scan-steps", type=int, default=10)
    args = parser.parse_args()
    print(f"jax {jax.__version__}, {jax.devices()[0].platform}, {os.cpu_count()} CPUs")
    x, y = make_data(args.scan_steps * BATCH)
    data = (jnp.asarray(x).reshape(args.scan_steps, BATCH, *x.shape[1:]),
            jnp.asarray(y).reshape(args.scan_steps, BATCH, *y.shape[1:]))
    variants = list(itertools.product(("autodiff", "im2col"), ("reduce_window", "tiled")))
    times = {variant: [] for variant in variants}
    for _ in range(args.rounds):
        for variant in variants:
            times[variant].append(time_variant(*variant, data, args.scan_steps))
    print("| conv backward | pooling | one step per call (ms/step) | lax.scan (ms/step) |")
    print("| --- | --- | ---: | ---: |")
    for (conv_name, pool_name), runs in times.items():
        single, scan = np.median(np.array(runs), axis=0) * 1e3
        print(f"| {conv_name} | {pool_name} | {single:.1f} | {scan:.1f} |")


if __name__ == "__main__":
    main()
