"""Every public name of Keras 3's namespaces exists in jkeras, or is a deliberate exception.

`COMPLETE` maps each Keras namespace jkeras covers in full to its deliberate exceptions
(name -> reason). `PENDING` lists the namespaces still being filled in, with the issue that
completes them; a namespace moves from `PENDING` to `COMPLETE` when its last name lands.
"""

import importlib
import inspect
import os
import pathlib

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

COMPLETE = {
    "activations": {},
    "applications": {},
    "applications.convnext": {},
    "applications.densenet": {},
    "applications.efficientnet": {},
    "applications.efficientnet_v2": {},
    "applications.imagenet_utils": {},
    "applications.inception_resnet_v2": {},
    "applications.inception_v3": {},
    "applications.mobilenet": {},
    "applications.mobilenet_v2": {},
    "applications.mobilenet_v3": {},
    "applications.nasnet": {},
    "applications.resnet": {},
    "applications.resnet50": {},
    "applications.resnet_v2": {},
    "applications.vgg16": {},
    "applications.vgg19": {},
    "applications.xception": {},
    "backend": {},
    "callbacks": {},
    "config": {},
    "constraints": {},
    "datasets": {},
    "datasets.boston_housing": {},
    "datasets.california_housing": {},
    "datasets.cifar10": {},
    "datasets.cifar100": {},
    "datasets.fashion_mnist": {},
    "datasets.imdb": {},
    "datasets.mnist": {},
    "datasets.reuters": {},
    "distribution": {},
    "initializers": {},
    "layers": {
        "TFSMLayer": "loads a TensorFlow SavedModel through TensorFlow; jkeras runs JAX only "
                     "(its exports are jax.export archives)",
        "TorchModuleWrapper": "wraps a torch.nn.Module; Keras 3 supports it on its torch "
                              "backend only",
    },
    "legacy": {},
    "legacy.saving": {},
    "losses": {},
    "metrics": {},
    "mixed_precision": {},
    "models": {},
    "ops": {},
    "ops.image": {},
    "ops.linalg": {},
    "ops.nn": {},
    "ops.numpy": {},
    "optimizers": {},
    "optimizers.legacy": {},
    "optimizers.schedules": {},
    "preprocessing": {},
    "preprocessing.image": {},
    "preprocessing.sequence": {},
    "random": {},
    "regularizers": {},
    "tree": {},
    "utils": {},
    "utils.bounding_boxes": {},
    "utils.legacy": {},
    "visualization": {},
}

PENDING = {
    "": "#20 top-level names",
    "distillation": "#20",
    "dtype_policies": "#20, #21",
    "export": "#20",
    "quantizers": "#21",
    "saving": "#20",
    "wrappers": "#20",
}


# Deliberate exceptions of namespaces still pending (name -> reason), moved into COMPLETE with
# their namespace.
PENDING_EXCEPTIONS = {}


def _keras_namespaces():
    """Keras's public namespaces, from its package tree (`keras/src` and the TF shim aside)."""
    root = pathlib.Path(keras.__file__).parent
    names = set()
    for init in root.rglob("__init__.py"):
        parts = init.parent.relative_to(root).parts
        if parts and parts[0] in ("src", "_tf_keras"):
            continue
        names.add(".".join(parts))
    return names


def _module(package, namespace):
    return importlib.import_module(package + ("." + namespace if namespace else ""))


def _public_names(module):
    return sorted(name for name in dir(module) if not name.startswith("_"))


def _missing(namespace):
    """Keras's public names of `namespace` that jkeras lacks (or has as another kind)."""
    theirs = _module("keras", namespace)
    try:
        ours = _module("jkeras", namespace)
    except ImportError:
        return _public_names(theirs)
    missing = []
    for name in _public_names(theirs):
        if not hasattr(ours, name):
            missing.append(name)
        elif inspect.isclass(getattr(theirs, name)) and not inspect.isclass(getattr(ours, name)):
            missing.append(f"{name} (a class in Keras)")
    return missing


def test_every_keras_namespace_is_listed():
    listed = set(COMPLETE) | set(PENDING)
    assert not set(COMPLETE) & set(PENDING)
    assert sorted(_keras_namespaces() - listed) == []
    assert sorted(listed - _keras_namespaces()) == []


@pytest.mark.parametrize("namespace", sorted(COMPLETE))
def test_namespace_complete(namespace):
    exceptions = COMPLETE[namespace]
    missing = [name for name in _missing(namespace) if name.split(" ")[0] not in exceptions]
    assert missing == [], f"jkeras.{namespace} lacks Keras 3's {missing}"
    stale = sorted(set(exceptions) - set(_public_names(_module("keras", namespace))))
    assert stale == [], f"exceptions for names Keras does not export: {stale}"


@pytest.mark.parametrize("namespace", sorted(PENDING))
def test_pending_namespace_is_incomplete(namespace):
    """A namespace whose last name has landed moves to COMPLETE (with its exceptions)."""
    exceptions = PENDING_EXCEPTIONS.get(namespace, {})
    missing = [name for name in _missing(namespace) if name.split(" ")[0] not in exceptions]
    assert missing, f"jkeras.{namespace} is complete: move it to COMPLETE"
    assert set(exceptions) <= set(_missing(namespace)), "an exception now exists in jkeras"
    stale = sorted(set(exceptions) - set(_public_names(_module("keras", namespace))))
    assert stale == [], f"exceptions for names Keras does not export: {stale}"
