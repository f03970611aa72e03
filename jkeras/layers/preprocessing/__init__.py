"""Preprocessing layers: `Rescaling`, `Normalization`."""
