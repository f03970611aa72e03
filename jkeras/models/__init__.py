"""`jkeras.models`: `Model` and `Sequential`."""

from jkeras.models.model import Model
from jkeras.models.sequential import Sequential
