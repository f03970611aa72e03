"""`jkeras.config.enable_jit_cache`: JAX's persistent compilation cache across processes."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

import jkeras

# A fresh process: enables the cache, trains and evaluates a small model, and reports how
# many compilations the persistent cache served (JAX's monitoring event for a cache hit).
SCRIPT = textwrap.dedent("""
    import json, sys
    import jax
    import numpy as np
    import jkeras

    hits = []
    jax.monitoring.register_event_listener(
        lambda event, **kwargs: hits.append(event) if event.endswith("cache_hits") else None)
    jkeras.config.enable_jit_cache(sys.argv[1])
    jkeras.utils.set_random_seed(0)
    model = jkeras.Sequential([jkeras.Input((4,)), jkeras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((8, 4), "float32")
    model.fit(x, np.zeros((8, 2), "float32"), batch_size=4, epochs=1, verbose=0)
    print(json.dumps({"hits": len(hits), "dir": jkeras.config.get_jit_cache_dir(),
                      "enabled": jkeras.config.is_jit_cache_enabled()}))
""")


def run_process(cache):
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(cache)], env=env,
                            capture_output=True, text=True, timeout=300, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_second_process_reuses_the_first_ones_compilations(tmp_path):
    cache = tmp_path / "jit"
    first = run_process(cache)
    assert first == {"hits": 0, "dir": str(cache), "enabled": True}
    assert any(cache.iterdir())  # the first process wrote its executables
    second = run_process(cache)
    assert second["hits"] > 0


@pytest.mark.parametrize("path", [None, "", 3])
def test_a_bad_path_is_rejected(path):
    with pytest.raises(ValueError, match="`enable_jit_cache` expects `path`"):
        jkeras.config.enable_jit_cache(path)
