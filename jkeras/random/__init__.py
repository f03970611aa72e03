"""`jkeras.random`: seeded sampling (`normal`, `uniform`, ...) and `SeedGenerator`."""

from jkeras.random.random import (
    beta,
    binomial,
    categorical,
    dropout,
    gamma,
    normal,
    randint,
    shuffle,
    truncated_normal,
    uniform,
)
from jkeras.random.seed_generator import SeedGenerator, draw_key

__all__ = [
    "SeedGenerator",
    "beta",
    "binomial",
    "categorical",
    "draw_key",
    "dropout",
    "gamma",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]
