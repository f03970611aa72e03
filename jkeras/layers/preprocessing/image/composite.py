"""What the layers built from other augmentation layers share (`AugMix`, `RandAugment`,
`RandomColorJitter`): the standard set of augmentation sublayers, applying a sublayer with a
transformation drawn from a given key, and choosing among sublayers at random inside the
compiled step (`lax.switch` on a drawn index, so only the chosen one runs)."""

import jax

from jkeras.layers.preprocessing.image.auto_contrast import AutoContrast
from jkeras.layers.preprocessing.image.equalization import Equalization
from jkeras.layers.preprocessing.image.random_brightness import RandomBrightness
from jkeras.layers.preprocessing.image.random_color_degeneration import RandomColorDegeneration
from jkeras.layers.preprocessing.image.random_contrast import RandomContrast
from jkeras.layers.preprocessing.image.random_posterization import RandomPosterization
from jkeras.layers.preprocessing.image.random_rotation import RandomRotation
from jkeras.layers.preprocessing.image.random_sharpness import RandomSharpness
from jkeras.layers.preprocessing.image.random_shear import RandomShear
from jkeras.layers.preprocessing.image.random_translation import RandomTranslation
from jkeras.layers.preprocessing.image.solarization import Solarization


def add_augmentation_layers(owner, names, kwargs):
    """Sets `owner.<name>` for each of `names` ("random_shear", ...): the sublayers configured
    from the owner's `factor`, `value_range`, `interpolation`, `seed` and `data_format` as
    `AugMix` and `RandAugment` do; of the owner's other `kwargs` they take its dtype and
    bounding box format (not its name, which would make their variable paths collide)."""
    factor, value_range, seed = owner.factor, owner.value_range, owner.seed
    interpolation, data_format = owner.interpolation, owner.data_format
    kwargs = {k: v for k, v in kwargs.items() if k in ("dtype", "bounding_box_format")}
    makers = {
        "random_shear": lambda: RandomShear(
            x_factor=factor, y_factor=factor, interpolation=interpolation, seed=seed,
            data_format=data_format, **kwargs),
        "random_translation": lambda: RandomTranslation(
            height_factor=factor, width_factor=factor, interpolation=interpolation, seed=seed,
            data_format=data_format, **kwargs),
        "random_rotation": lambda: RandomRotation(
            factor=factor, interpolation=interpolation, seed=seed, data_format=data_format,
            **kwargs),
        "random_posterization": lambda: RandomPosterization(
            factor=max(1, int(8 * factor[1])), value_range=value_range, seed=seed,
            data_format=data_format, **kwargs),
        "solarization": lambda: Solarization(
            addition_factor=factor, threshold_factor=factor, value_range=value_range,
            seed=seed, data_format=data_format, **kwargs),
        "auto_contrast": lambda: AutoContrast(
            value_range=value_range, data_format=data_format, **kwargs),
        "equalization": lambda: Equalization(
            value_range=value_range, data_format=data_format, **kwargs),
        "random_brightness": lambda: RandomBrightness(
            factor=factor, value_range=value_range, seed=seed, data_format=data_format,
            **kwargs),
        "random_color_degeneration": lambda: RandomColorDegeneration(
            factor=factor, value_range=value_range, seed=seed, data_format=data_format,
            **kwargs),
        "random_contrast": lambda: RandomContrast(
            factor=factor, value_range=value_range, seed=seed, data_format=data_format,
            **kwargs),
        "random_sharpness": lambda: RandomSharpness(
            factor=factor, value_range=value_range, seed=seed, data_format=data_format,
            **kwargs),
    }
    for name in names:
        setattr(owner, name, makers[name]())


def apply_with_key(layer, method, values, key, shape_source=None):
    """`layer.<method>(values, t)` with `t` drawn from `key` for inputs shaped like
    `shape_source` (default `values`)."""
    source = values if shape_source is None else shape_source
    transformation = layer.get_random_transformation(source, training=True, seed=key)
    return getattr(layer, method)(values, transformation, training=True)


def switch(index, branches, *operands):
    """`branches[index](*operands)`: `lax.switch` under a trace (only the chosen branch runs),
    a direct call when `index` is concrete (eager calls compile nothing new)."""
    if isinstance(index, jax.core.Tracer):
        return jax.lax.switch(index, branches, *operands)
    return branches[int(index)](*operands)
