"""Random initializers: `RandomNormal`, `RandomUniform`, `TruncatedNormal`, `VarianceScaling`
(and its presets Glorot/He/Lecun × Normal/Uniform), `Orthogonal`; plus `compute_fans`.

Seeds. `seed` may be an int, a `jkeras.random.SeedGenerator` or None; the key is drawn with
`jkeras.random.draw_key(self.seed)` at every call:

- int: the same values at every call (as in Keras 3).
- SeedGenerator: new values at every call (as in Keras 3).
- None: DELIBERATE DIFFERENCE from Keras 3. Keras 3's `RandomInitializer.__init__` replaces
  `seed=None` with a fixed int from `random.make_default_seed()` (Python's global `random`), so
  one unseeded initializer instance returns the *same* values at every call, and those values do
  not depend on any JAX key. jkeras keeps `self.seed = None` and draws from jkeras's global
  `SeedGenerator` at each call: repeated calls give *different* values, and inside a
  `StatelessScope(rng=key)` (a layer's pure init under an explicit rng) the draw comes from
  `key`, so the init is a deterministic function of that key. `get_config()` returns
  `seed=None` in both libraries.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import random
from jkeras.core.variable import standardize_dtype
from jkeras.initializers.initializer import Initializer
from jkeras.random.seed_generator import SeedGenerator


def _serialize_seed(seed):
    if isinstance(seed, SeedGenerator):
        return {
            "module": "keras.random",
            "class_name": "SeedGenerator",
            "config": {**seed.get_config(), "name": seed.name},
            "registered_name": None,
        }
    return seed


def _deserialize_seed(seed):
    if isinstance(seed, dict):
        if seed.get("class_name") != "SeedGenerator":
            raise ValueError(
                "A `seed` given as a dict must be a serialized SeedGenerator. "
                f"Received: seed={seed!r}"
            )
        config = seed.get("config", {})
        return SeedGenerator(seed=config.get("seed"), name=config.get("name"))
    return seed


class RandomInitializer(Initializer):
    """Base of the random initializers: validates and stores `seed` (see the module docstring).

    Args:
        seed: int, `jkeras.random.SeedGenerator`, a serialized SeedGenerator dict, or None
            (a fresh draw from jkeras's global generator at each call — unlike Keras 3, where
            an unseeded instance repeats its values).
    """

    def __init__(self, seed=None):
        seed = _deserialize_seed(seed)
        if isinstance(seed, bool) or not (
            seed is None or isinstance(seed, (int, np.integer, SeedGenerator))
        ):
            raise ValueError(
                f"{type(self).__name__}: `seed` argument should be an instance of "
                "`jkeras.random.SeedGenerator`, an integer or None. "
                f"Received: seed={seed!r}"
            )
        self.seed = int(seed) if isinstance(seed, np.integer) else seed

    def get_config(self):
        return {"seed": _serialize_seed(self.seed)}


class RandomNormal(RandomInitializer):
    """Samples from N(`mean`, `stddev`²).

    Args:
        mean: mean of the distribution.
        stddev: standard deviation of the distribution.
        seed: int, SeedGenerator or None (see the module docstring).
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return random.normal(shape, mean=self.mean, stddev=self.stddev, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Samples from N(`mean`, `stddev`²), re-drawing values more than 2 `stddev` from the mean.

    Args:
        mean: mean of the distribution before truncation.
        stddev: standard deviation of the distribution before truncation.
        seed: int, SeedGenerator or None (see the module docstring).
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return random.truncated_normal(
            shape, mean=self.mean, stddev=self.stddev, dtype=dtype, seed=self.seed
        )

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Samples uniformly from [`minval`, `maxval`).

    Args:
        minval: lower bound.
        maxval: upper bound (excluded).
        seed: int, SeedGenerator or None (see the module docstring).
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return random.uniform(
            shape, minval=self.minval, maxval=self.maxval, dtype=dtype, seed=self.seed
        )

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None):
    """`(fan_in, fan_out)` for a weight of `shape`, as Keras 3 computes them.

    Scalars: (1, 1); vectors: (n, n); matrices: (rows, cols); higher ranks are convolution
    kernels `(*spatial, in_channels, out_channels)`, whose fans are the channel counts times the
    receptive field size `prod(spatial)`. With both `input_axes` and `output_axes` given, the
    fans are the products of those axes' sizes.
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        fan_in = math.prod(shape[axis] for axis in input_axes)
        fan_out = math.prod(shape[axis] for axis in output_axes)
        return int(fan_in), int(fan_out)
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive_field_size = math.prod(shape[:-2])
        fan_in = shape[-2] * receptive_field_size
        fan_out = shape[-1] * receptive_field_size
    return int(fan_in), int(fan_out)


class VarianceScaling(RandomInitializer):
    """Samples with a variance scaled to the weight's fans: `scale / n`.

    `n` is `fan_in`, `fan_out` or their mean (`mode`). "truncated_normal" samples a normal
    truncated at 2 stddev with stddev `sqrt(scale / n) / .87962566103423978` (the stddev of a
    standard normal truncated to [-2, 2]), so the samples' variance is `scale / n`;
    "untruncated_normal" samples N(0, scale / n); "uniform" samples from [-limit, limit] with
    `limit = sqrt(3 * scale / n)`.

    Args:
        scale: positive scaling factor.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal" (alias "normal"), "untruncated_normal" or "uniform".
        seed: int, SeedGenerator or None (see the module docstring).
        input_axes, output_axes: optional axes whose sizes give the fans (see `compute_fans`).

    Example:
        >>> VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=0)((3, 4))
    """

    def __init__(
        self,
        scale=1.0,
        mode="fan_in",
        distribution="truncated_normal",
        seed=None,
        input_axes=None,
        output_axes=None,
    ):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        allowed_modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in allowed_modes:
            raise ValueError(
                f"Invalid `mode` argument: {mode}. Please use one of {sorted(allowed_modes)}"
            )
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        allowed_distributions = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in allowed_distributions:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution}. "
                f"Please use one of {sorted(allowed_distributions)}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        scale = self.scale
        fan_in, fan_out = compute_fans(
            shape, input_axes=self.input_axes, output_axes=self.output_axes
        )
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / 0.87962566103423978
            return random.truncated_normal(shape, stddev=stddev, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            stddev = math.sqrt(scale)
            return random.normal(shape, stddev=stddev, dtype=dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random.uniform(shape, minval=-limit, maxval=limit, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def _preset(name, scale, mode, distribution, doc):
    """A `VarianceScaling` subclass with fixed `scale`, `mode` and `distribution`."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(
            self,
            scale=scale,
            mode=mode,
            distribution=distribution,
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
        )

    def get_config(self):
        return {
            "seed": _serialize_seed(self.seed),
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }

    doc += (
        "\n\n    Args:\n        seed: int, SeedGenerator or None (see the module docstring)."
        "\n        input_axes, output_axes: optional axes whose sizes give the fans."
    )
    namespace = {"__init__": __init__, "get_config": get_config, "__doc__": doc}
    namespace["__module__"] = __name__
    return type(name, (VarianceScaling,), namespace)


GlorotUniform = _preset(
    "GlorotUniform", 1.0, "fan_avg", "uniform",
    "Glorot (Xavier) uniform: U[-limit, limit], `limit = sqrt(6 / (fan_in + fan_out))`.",
)  # fmt: skip
GlorotNormal = _preset(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    "Glorot (Xavier) normal: truncated normal with variance `2 / (fan_in + fan_out)`.",
)  # fmt: skip
LecunNormal = _preset(
    "LecunNormal", 1.0, "fan_in", "truncated_normal",
    "LeCun normal: truncated normal with variance `1 / fan_in`.",
)  # fmt: skip
LecunUniform = _preset(
    "LecunUniform", 1.0, "fan_in", "uniform",
    "LeCun uniform: U[-limit, limit], `limit = sqrt(3 / fan_in)`.",
)  # fmt: skip
HeNormal = _preset(
    "HeNormal", 2.0, "fan_in", "truncated_normal",
    "He normal: truncated normal with variance `2 / fan_in`.",
)  # fmt: skip
HeUniform = _preset(
    "HeUniform", 2.0, "fan_in", "uniform",
    "He uniform: U[-limit, limit], `limit = sqrt(6 / fan_in)`.",
)  # fmt: skip


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times `gain`, from the QR decomposition of a normal matrix.

    Shapes of rank > 2 are treated as `(prod(shape[:-1]), shape[-1])` and reshaped back. The
    result has orthonormal columns (rows when there are fewer rows than columns).

    Args:
        gain: multiplicative factor.
        seed: int, SeedGenerator or None (see the module docstring).
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        dtype = standardize_dtype(dtype)
        num_rows = math.prod(shape[:-1])
        num_cols = shape[-1]
        flat_shape = (max(num_cols, num_rows), min(num_cols, num_rows))
        # QR is not implemented for half precision: factorize in float32 and cast the result.
        work_dtype = "float32" if dtype in ("float16", "bfloat16") else dtype
        a = random.normal(flat_shape, dtype=work_dtype, seed=self.seed)
        q = _orthogonalize(a, self.gain)
        if num_rows < num_cols:
            q = q.T
        return q.reshape(tuple(shape)).astype(dtype)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


OrthogonalInitializer = Orthogonal


@jax.jit
def _orthogonalize(a, gain):
    """`gain` times the Q of `a`'s QR decomposition, sign-corrected (one compiled program)."""
    q, r = jnp.linalg.qr(a)
    # Multiplying by sign(diag(R)) makes Q uniformly distributed (Haar measure).
    q = q * jnp.sign(jnp.diag(r))
    return gain * q
