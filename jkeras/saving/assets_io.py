"""Layer assets in `.keras` files, as Keras 3 stores them (`assets/<object path>/...`).

A layer that defines Keras's `save_assets(dir_path)` / `load_assets(dir_path)` (the
vocabularies of lookup and text layers) writes files into a folder; the archive holds them
under `assets/` and the layer's path in the weights file (`weights_io.saveables`), so Keras 3
and jkeras read each other's files. Loading gives each layer a temporary folder with the files
under its path (and its sublayers', as Keras does).
"""

import os
import posixpath
import tempfile

from jkeras.layers.layer import Layer
from jkeras.saving import weights_io

ASSETS_DIRECTORY = "assets"


def _with_hook(model, name):
    for path, obj in weights_io.saveables(model):
        hook = getattr(obj, name, None)
        if isinstance(obj, Layer) and callable(hook):
            yield path, hook


def _prefix(path):
    return posixpath.join(ASSETS_DIRECTORY, path) + "/" if path else ASSETS_DIRECTORY + "/"


def write(model, archive):
    """Add every layer's assets to the open `zipfile.ZipFile` `archive`."""
    for path, save_assets in _with_hook(model, "save_assets"):
        with tempfile.TemporaryDirectory() as directory:
            save_assets(directory)
            for root, _, files in os.walk(directory):
                for name in sorted(files):
                    full = os.path.join(root, name)
                    relative = os.path.relpath(full, directory).replace(os.sep, "/")
                    archive.write(full, _prefix(path) + relative)


def read(archive):
    """`{entry name: bytes}` of the assets in the open `zipfile.ZipFile` `archive`."""
    return {name: archive.read(name) for name in archive.namelist()
            if name.startswith(ASSETS_DIRECTORY + "/") and not name.endswith("/")}


def load(model, entries):
    """Give each layer with `load_assets` the files `read` found under its path."""
    for path, load_assets in _with_hook(model, "load_assets"):
        prefix = _prefix(path)
        with tempfile.TemporaryDirectory() as directory:
            for name, data in entries.items():
                if not name.startswith(prefix):
                    continue
                relative = posixpath.normpath(name[len(prefix):])
                if relative.startswith("..") or posixpath.isabs(relative):
                    raise ValueError(f"Refusing the asset entry '{name}': it leaves its folder.")
                target = os.path.join(directory, *relative.split("/"))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as f:
                    f.write(data)
            load_assets(directory)
