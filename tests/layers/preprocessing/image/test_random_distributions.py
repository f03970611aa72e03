"""The random layers' transformations have Keras 3's distributions.

For each layer, one call on a batch of 2000 tiny images draws 2000 samples of every per-image
parameter, from jkeras's layer and from Keras's; two-sample Kolmogorov-Smirnov tests (and
rate comparisons for coin flips) compare them. The composite layers' draws are checked
against the distributions they are defined by.
"""

import jax
import keras  # the reference
import numpy as np
import pytest
from scipy import stats

import jkeras
from tests.layers.preprocessing.image.random_draws import draw_transformation, numpy_tree

COUNT = 2000
IMAGES = np.random.default_rng(0).uniform(0, 255, (COUNT, 3, 4, 3)).astype("float32")


def _rate(flags):
    return float(np.mean(flags))


def _area(masks):
    return masks[..., 0].mean(axis=(1, 2))


# name, kwargs, {parameter: function of a transformation giving per-image samples}
CASES = [
    ("RandomFlip", {}, {"flips": lambda t: t["flips"].ravel()}),
    ("RandomRotation", {"factor": (-0.1, 0.3)}, {"angle": lambda t: t["angle"]}),
    ("RandomZoom", {"height_factor": 0.3, "width_factor": (-0.2, 0.5)},
     {"height": lambda t: t["height_zoom"].ravel(), "width": lambda t: t["width_zoom"].ravel()}),
    ("RandomTranslation", {"height_factor": 0.3, "width_factor": (-0.2, 0.5)},
     {"dx": lambda t: t["translations"][:, 0], "dy": lambda t: t["translations"][:, 1]}),
    ("RandomShear", {"x_factor": 0.3, "y_factor": (0.1, 0.5)},
     {"x": lambda t: t["shear_factor"][:, 0], "y": lambda t: t["shear_factor"][:, 1]}),
    ("RandomContrast", {"factor": (0.2, 0.5)}, {"factor": lambda t: t["contrast_factor"].ravel()}),
    ("RandomBrightness", {"factor": (-0.2, 0.5)}, {"delta": lambda t: t["rgb_delta"].ravel()}),
    ("RandomColorDegeneration", {"factor": 0.5}, {"factor": lambda t: t["factor"].ravel()}),
    ("RandomHue", {"factor": (0.2, 0.6)}, {"factor": lambda t: t["factor"]}),
    ("RandomSaturation", {"factor": (0.2, 0.6)}, {"factor": lambda t: t["factor"]}),
    ("RandomSharpness", {"factor": (0.2, 0.6)}, {"factor": lambda t: t["factor"]}),
    ("RandomGrayscale", {"factor": 0.3}, {"applied": lambda t: t.ravel()}),
    ("RandomInvert", {"factor": (0.2, 0.6)}, {"applied": lambda t: t["apply_inversion"]}),
    ("RandomPosterization", {"factor": (2, 7)}, {"shift": lambda t: t["shift_factor"]}),
    ("RandomErasing", {"factor": 0.6, "scale": (0.1, 0.6)},
     {"applied": lambda t: t["apply_erasing"], "area": lambda t: _area(t["batch_masks"])}),
    ("RandomGaussianBlur", {"factor": (0.3, 0.9)},
     {"applied": lambda t: t["should_apply_blur"]}),
    ("RandomPerspective", {"factor": 0.7, "scale": 0.6},
     {"applied": lambda t: t["apply_perspective"],
      "corner": lambda t: (t["end_points"] - t["start_points"])[:, 3].ravel()}),
    ("RandomElasticTransform", {"factor": 0.7}, {"applied": lambda t: t["apply_transform"]}),
    ("Solarization", {"addition_factor": 0.4, "threshold_factor": 0.7},
     {"addition": lambda t: t["additions"].ravel(), "threshold": lambda t: t["thresholds"].ravel()}),
    ("MixUp", {"alpha": 0.4}, {"weight": lambda t: t["mix_weight"]}),
    ("CutMix", {"factor": (1.0, 1.0)},
     {"weight": lambda t: t["mix_weight"], "area": lambda t: _area(t["batch_masks"])}),
]


@pytest.mark.parametrize("name, kwargs, parameters", CASES, ids=[c[0] for c in CASES])
def test_draws_have_keras_distributions(name, kwargs, parameters):
    ours = draw_transformation(getattr(jkeras.layers, name)(**kwargs), IMAGES)
    theirs = numpy_tree(getattr(keras.layers, name)(**kwargs, seed=1).get_random_transformation(
        IMAGES, training=True))
    for parameter, samples in parameters.items():
        a, b = np.asarray(samples(ours)), np.asarray(samples(theirs))
        assert a.shape == b.shape, parameter
        if a.dtype == bool:  # coin flips: the rates agree within 5 standard errors
            rate = (_rate(a) + _rate(b)) / 2
            assert abs(_rate(a) - _rate(b)) < 5 * np.sqrt(2 * rate * (1 - rate) / a.size)
            assert 0 < rate < 1
        else:
            assert stats.ks_2samp(a.astype("float64"), b.astype("float64")).pvalue > 1e-3, (
                parameter)
            assert a.std() > 0


def _vmapped_draws(layer, entries, count):
    """`count` draws of the `entries` of `layer`'s transformation for one tiny batch."""
    images = IMAGES[:2]

    def draw(key):
        transformation = layer.get_random_transformation(images, seed=key)
        return {entry: transformation[entry] for entry in entries}

    return numpy_tree(jax.jit(jax.vmap(draw))(jax.random.split(jax.random.key(0), count)))


def test_random_crop_corner_matches_keras():
    layer = jkeras.layers.RandomCrop(2, 2)
    corners = np.stack(_vmapped_draws(layer, ["corner"], 200)["corner"], axis=1)
    keras_layer = keras.layers.RandomCrop(2, 2, seed=0)
    keras_corners = np.array([keras_layer.get_random_transformation(IMAGES[:1])
                              for _ in range(200)])
    for column in range(2):  # rows in [0, 1], columns in [0, 2]
        ours, theirs = np.bincount(corners[:, column]), np.bincount(keras_corners[:, column])
        assert len(ours) == len(theirs) == 2 + column
        assert stats.chi2_contingency([ours, theirs]).pvalue > 1e-3


def test_aug_mix_draws():
    layer = jkeras.layers.AugMix(num_chains=3, chain_depth=2, alpha=2.0, all_ops=False)
    draws = _vmapped_draws(layer, ["chain_mixing_weights", "weight_sample", "choices"], 1000)
    weights = draws["chain_mixing_weights"]  # Dirichlet(2, 2, 2)
    np.testing.assert_allclose(weights.sum(axis=1), 1, rtol=1e-5)
    assert stats.kstest(weights[:, 0], stats.beta(2, 4).cdf).pvalue > 1e-3
    assert stats.kstest(draws["weight_sample"], stats.beta(2, 2).cdf).pvalue > 1e-3
    counts = np.bincount(draws["choices"].ravel(), minlength=8)  # 7 operations and "none"
    assert len(counts) == 8
    assert stats.chisquare(counts).pvalue > 1e-3


def test_rand_augment_draws():
    layer = jkeras.layers.RandAugment(num_ops=3)
    draws = _vmapped_draws(layer, ["layer_idxes"], 1000)
    counts = np.bincount(draws["layer_idxes"].ravel(), minlength=11)
    assert len(counts) == 11
    assert stats.chisquare(counts).pvalue > 1e-3


def test_random_elastic_transform_displaces_smoothly():
    """The displacement field is smooth noise: a shifted ramp image changes by a smooth,
    bounded amount, and more with a larger scale."""
    ramp = np.tile(np.arange(16, dtype="float32")[None, :, None, None], (8, 1, 16, 1))
    changes = []
    for scale in (0.2, 1.0):
        layer = jkeras.layers.RandomElasticTransform(factor=(1.0, 1.0), scale=(scale, scale),
                                                     seed=2, value_range=(0, 16))
        out = np.asarray(layer(ramp))
        changes.append(np.abs(out - ramp).mean())
        assert np.abs(out - ramp).max() < 16 * 0.1 * scale * 6  # alpha times a few sigmas
    assert 0 < changes[0] < changes[1]
