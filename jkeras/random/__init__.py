"""`jkeras.random`: seeded sampling (`normal`, `uniform`, ...) and `SeedGenerator`."""

from jkeras.random.random import (
    categorical,
    dropout,
    normal,
    randint,
    shuffle,
    truncated_normal,
    uniform,
)
from jkeras.random.seed_generator import SeedGenerator, draw_key

__all__ = [
    "SeedGenerator",
    "categorical",
    "draw_key",
    "dropout",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]
