"""Preprocessing layers: `Rescaling`, `Normalization`; categorical, text and audio layers (the
text, lookup and hashing ones run on the host: `host_layer.py`); image layers in `image/`."""
