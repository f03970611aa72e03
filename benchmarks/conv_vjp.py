"""Convolution backward pass on XLA:CPU: JAX's autodiff of `lax.conv_general_dilated` vs a
hand-written `jax.custom_vjp` (jax-ml/jax#12868: inside loops XLA:CPU picks slow layouts for
the transposed convolutions that autodiff emits).

The custom VJP computes
  - the input gradient as a convolution of the output gradient (dilated by the strides) with
    the spatially flipped, in/out-swapped kernel over "full" padding, and
  - the kernel gradient as a convolution of the batch-transposed input (channels as batch) with
    the batch-transposed output gradient (batch as input channels), then a transpose,
with physical transposes instead of exotic dimension numbers.

Measured on the Keras "simple MNIST convnet" train step (Conv 32 → pool → Conv 64 → pool →
Flatten → Dropout → Dense 10, adam, batch 128, MNIST-shaped synthetic data):
  1. one jitted step per batch in a Python loop (what `jkeras` `fit` runs),
  2. the whole epoch fused in one `lax.scan`,
  3. `jkeras` `fit` itself, once with each convolution in `Conv2D` (in a subprocess each).
Rounds alternate between the variants so machine noise hits them alike; the best round counts.
Gradients are checked against autodiff first (bit-identical or within 1e-6).

Measured on the 2-core dev machine (jax 0.10.2, shared with other jobs, so wall times are noisy;
CPU seconds are steadier): gradients bit-identical; `lax.scan` autodiff ~1.4 s CPU / 2.2 s wall
per step vs custom VJP ~0.13 s CPU / 0.21 s wall (~10x); Python loop of jitted steps
autodiff ~0.21 s CPU vs custom ~0.21-0.22 s CPU (no gain, within noise); `fit` best of 3
rounds 921 (autodiff) vs 972 samples/s (custom), while a loaded run gave 858 vs 657. Since `fit` runs one jitted step per batch and a
`custom_vjp` rules out forward-mode autodiff, `Conv1D/2D/3D` keep autodiff by default
(`jkeras.layers.convolutional.base_conv.USE_CUSTOM_VJP = True` opts in).

Usage:  python benchmarks/conv_vjp.py [--steps 40] [--scan-steps 10] [--rounds 3]
                                     [--fit-samples 7680] [--skip-scan] [--skip-fit]
"""

import argparse
import json
import os
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from mnist_convnet import build_model, conv_autodiff, logits
from mnist_convnet import init_params as init_convnet
from mnist_convnet import make_data as synthetic_data

from jkeras.layers.convolutional import conv_vjp

BATCH = 128


def conv_custom(x, kernel, strides, padding, dilation):
    """Channels-last convolution with jkeras's hand-written VJP (`Conv1D/2D/3D` use it)."""
    return conv_vjp.conv(x, kernel, strides, padding.lower(), "channels_last", dilation)


CONVS = {"autodiff": conv_autodiff, "custom_vjp": conv_custom}


# ------------------------------------------------------------------------- the convnet


def init_params(seed=0):
    return init_convnet(jax.random.key(seed))


def loss_fn(params, x, y, key, conv):
    """The convnet's training loss (dropout on) with the convolution `conv`."""
    return optax.softmax_cross_entropy(logits(params, x, key, True, conv), y).mean()


def make_step(conv, optimizer):
    def step(state, x, y, key):
        params, opt_state = state
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y, key, conv)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), loss

    return step


class Clock:
    """Wall and process CPU time since creation: on a shared machine the CPU seconds (all
    threads) are the steadier measure of the work done."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def per(self, count):
        return (time.perf_counter() - self.wall) / count, (time.process_time() - self.cpu) / count


def time_python_loop(conv, x, y, steps):
    """(wall, CPU) seconds per step of a jitted, donated step called from Python, after one
    warm-up step."""
    optimizer = optax.adam(1e-3)
    params = init_params()
    state = (params, optimizer.init(params))
    step = jax.jit(make_step(conv, optimizer), donate_argnums=0)
    key = jax.random.key(1)
    xb, yb = jnp.asarray(x[:BATCH]), jnp.asarray(y[:BATCH])
    state, loss = step(state, xb, yb, key)
    loss.block_until_ready()
    batches = [
        (jnp.asarray(x[i : i + BATCH]), jnp.asarray(y[i : i + BATCH]))
        for i in range(0, steps * BATCH, BATCH)
    ]
    clock = Clock()
    for i, (xb, yb) in enumerate(batches):
        state, loss = step(state, xb, yb, jax.random.fold_in(key, i))
    loss.block_until_ready()
    return clock.per(steps)


def time_scan(conv, x, y, steps):
    """(wall, CPU) seconds per step of `steps` steps fused in one `lax.scan`, after one warm-up
    run."""
    optimizer = optax.adam(1e-3)
    params = init_params()
    step = make_step(conv, optimizer)
    xs = jnp.asarray(x[: steps * BATCH]).reshape(steps, BATCH, 28, 28, 1)
    ys = jnp.asarray(y[: steps * BATCH]).reshape(steps, BATCH, 10)

    @jax.jit
    def epoch(state, xs, ys):
        keys = jax.random.split(jax.random.key(1), steps)
        return jax.lax.scan(lambda s, b: step(s, *b), state, (xs, ys, keys))

    state = (params, optimizer.init(params))
    jax.block_until_ready(epoch(state, xs, ys))
    clock = Clock()
    jax.block_until_ready(epoch(state, xs, ys))
    return clock.per(steps)


def check_gradients():
    """Max |custom - autodiff| over a few strided/dilated/padded convolutions and the convnet."""
    rng = np.random.default_rng(0)
    worst = 0.0
    cases = [
        ((2, 9, 8, 3), (3, 3, 3, 4), (1, 1), "VALID", (1, 1)),
        ((2, 9, 8, 3), (3, 2, 3, 4), (2, 3), "SAME", (1, 1)),
        ((2, 10, 9, 3), (3, 3, 3, 4), (2, 2), "VALID", (1, 1)),
        ((2, 9, 8, 3), (3, 3, 3, 4), (1, 1), "SAME", (2, 3)),
        ((2, 9, 3), (4, 3, 5), (3,), "SAME", (1,)),
        ((1, 5, 6, 5, 2), (2, 3, 2, 2, 3), (1, 2, 1), "VALID", (2, 1, 1)),
    ]
    for x_shape, k_shape, strides, padding, dilation in cases:
        x = jnp.asarray(rng.standard_normal(x_shape), jnp.float32)
        k = jnp.asarray(rng.standard_normal(k_shape), jnp.float32)
        grads = {}
        for name, conv in CONVS.items():

            def loss(x, k, conv=conv, args=(strides, padding, dilation)):
                return jnp.sum(conv(x, k, *args) ** 2)

            grads[name] = jax.jit(jax.grad(loss, (0, 1)))(x, k)
        for a, b in zip(grads["autodiff"], grads["custom_vjp"]):
            worst = max(worst, float(jnp.max(jnp.abs(a - b)) / (1 + jnp.max(jnp.abs(a)))))
    x, y = synthetic_data(BATCH)
    params = init_params()
    net = {
        name: jax.jit(jax.grad(loss_fn), static_argnums=4)(params, x, y, jax.random.key(0), conv)
        for name, conv in CONVS.items()
    }
    identical = all(
        bool(jnp.array_equal(a, b))
        for a, b in zip(jax.tree.leaves(net["autodiff"]), jax.tree.leaves(net["custom_vjp"]))
    )
    net_worst = max(
        float(jnp.max(jnp.abs(a - b)))
        for a, b in zip(jax.tree.leaves(net["autodiff"]), jax.tree.leaves(net["custom_vjp"]))
    )
    return worst, identical, net_worst


# -------------------------------------------------------------------- jkeras fit, per variant


def run_fit(variant, samples, epochs):
    """In a subprocess: seconds per epoch (after the first) of jkeras's convnet `fit`."""
    import jkeras
    from jkeras.layers.convolutional import base_conv

    base_conv.USE_CUSTOM_VJP = variant == "custom_vjp"
    x, y = synthetic_data(samples)
    model = build_model(jkeras)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        times.append(time.perf_counter() - start)
    return {"first_epoch_s": times[0], "epoch_s": min(times[1:]), "samples": samples}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--scan-steps", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fit-samples", type=int, default=7680)
    parser.add_argument("--fit-epochs", type=int, default=3)
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument("--skip-fit", action="store_true")
    parser.add_argument("--fit-child", choices=list(CONVS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fit_child:
        print(json.dumps(run_fit(args.fit_child, args.fit_samples, args.fit_epochs)))
        return

    print(f"jax {jax.__version__}, {jax.devices()[0].platform}, {os.cpu_count()} CPUs")
    worst, identical, net_worst = check_gradients()
    print(
        f"gradients: conv cases max relative diff {worst:.2e}; convnet grads bit-identical: "
        f"{identical} (max abs diff {net_worst:.2e})"
    )

    x, y = synthetic_data(args.steps * BATCH)
    results = {}
    for _ in range(args.rounds):
        for name, conv in CONVS.items():
            loop = time_python_loop(conv, x, y, args.steps)
            results.setdefault(("python loop", name), []).append(loop)
            if not args.skip_scan:
                scan = time_scan(conv, x, y, args.scan_steps)
                results.setdefault(("lax.scan", name), []).append(scan)
    for (mode, name), times in sorted(results.items()):
        wall, cpu = min(t[0] for t in times), min(t[1] for t in times)
        print(
            f"{mode:12s} {name:10s}: {wall * 1e3:7.1f} ms/step wall ({BATCH / wall:5.0f} "
            f"samples/s), {cpu * 1e3:7.1f} ms/step CPU  (rounds, wall/CPU ms: "
            f"{', '.join(f'{w * 1e3:.0f}/{c * 1e3:.0f}' for w, c in times)})"
        )

    if not args.skip_fit:
        fits = {}
        for _ in range(max(1, args.rounds - 1)):
            for name in CONVS:
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--fit-child",
                        name,
                        "--fit-samples",
                        str(args.fit_samples),
                        "--fit-epochs",
                        str(args.fit_epochs),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                    env={**os.environ, "JAX_PLATFORMS": "cpu"},
                )
                fits.setdefault(name, []).append(json.loads(out.stdout.strip().splitlines()[-1]))
        for name, runs in fits.items():
            best = min(r["epoch_s"] for r in runs)
            print(
                f"jkeras fit   {name:10s}: {args.fit_samples / best:7.0f} samples/s "
                f"(epoch of {args.fit_samples}: {best:.2f} s; first epoch "
                f"{min(r['first_epoch_s'] for r in runs):.1f} s)"
            )


if __name__ == "__main__":
    main()
