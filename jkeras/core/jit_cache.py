"""The persistent compile cache (`jkeras.config.enable_jit_cache`): JAX's persistent
compilation cache, so that a later process reuses the XLA executables of the train, test and
predict steps instead of compiling them again.

Upstream Keras's `keras.config` names (keras-team/keras#22911); Keras 3.15.1 documents setting
`jax_compilation_cache_dir` by hand instead.
"""

import os

import jax
from jax.experimental.compilation_cache import compilation_cache


def enable_jit_cache(path):
    """Keep compiled XLA programs in the directory `path` (created if missing) and reuse them
    in this and later processes with the same programs, devices and JAX version.

    Every compilation is kept, however short (JAX's default keeps only those that took over a
    second): a model's steps take a fraction of a second to compile on small models, and
    each one skipped saves that much of a fresh process's start.

    Args:
        path: the cache directory (a `str` or path-like).

    Example:
        jkeras.config.enable_jit_cache("/tmp/jkeras_jit_cache")
    """
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValueError("`enable_jit_cache` expects `path`, the cache directory, as a non-empty "
                         f"string or path. Received: path={path!r}")
    path = os.path.abspath(os.fspath(path))
    os.makedirs(path, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    # JAX decides once per process, at its first compilation, whether a cache is used:
    # start over so that a cache enabled after that takes effect.
    compilation_cache.reset_cache()


def is_jit_cache_enabled():
    """Whether compiled programs are kept in a persistent cache (`enable_jit_cache`)."""
    return get_jit_cache_dir() is not None


def get_jit_cache_dir():
    """The persistent compile cache's directory, or None when there is none."""
    if not jax.config.jax_enable_compilation_cache:
        return None
    return jax.config.jax_compilation_cache_dir or None
