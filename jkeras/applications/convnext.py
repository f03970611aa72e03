"""ConvNeXtTiny, Small, Base, Large and XLarge (Liu et al., 2022).

Reference: [A ConvNet for the 2020s](https://arxiv.org/abs/2201.03545). With
`include_preprocessing=True` (the default) the models normalize their inputs themselves: pass
pixels in [0, 255].
"""

import numpy as np

from jkeras import backend, initializers, layers, ops, random
from jkeras.applications import application, imagenet_utils
from jkeras.models.sequential import Sequential
from jkeras.random.seed_generator import SeedGenerator
from jkeras.utils.source_inputs import get_source_inputs

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
# (with the top, without it): SHA-256 digests of Keras's published files.
WEIGHTS_HASHES = {
    "convnext_tiny": (
        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1",
    ),
    "convnext_small": (
        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
        "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab",
    ),
    "convnext_base": (
        "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
        "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45",
    ),
    "convnext_large": (
        "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
        "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd",
    ),
    "convnext_xlarge": (
        "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05",
    ),
}
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768]},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768]},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024]},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536]},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048]},
}


class StochasticDepth(layers.Layer):
    """Drops the whole input of a sample with probability `drop_path_rate` in training (and
    scales the kept ones by `1 / (1 - drop_path_rate)`); the identity at inference.

    Args:
        drop_path_rate: the probability of dropping a sample's path.
        seed: int for reproducible draws (the draws come from the layer's seed state).
    """

    def __init__(self, drop_path_rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate
        self.seed_generator = SeedGenerator(seed)

    def call(self, x, training=None):
        if not training:
            return x
        keep_prob = 1 - self.drop_path_rate
        shape = (ops.shape(x)[0],) + (1,) * (len(x.shape) - 1)
        keep = ops.floor(keep_prob + random.uniform(shape, 0, 1, seed=self.seed_generator))
        return x / keep_prob * keep

    def get_config(self):
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


class LayerScale(layers.Layer):
    """Multiplies its input by a learned per-channel vector `gamma`, initialized to
    `init_values`.

    Args:
        init_values: gamma's initial value.
        projection_dim: the number of channels (gamma's size).
    """

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values),
                                     trainable=True)

    def call(self, x):
        return x * self.gamma

    def get_config(self):
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}


def ConvNeXtBlock(projection_dim, drop_path_rate=0.0, layer_scale_init_value=1e-6, name=None):
    """A ConvNeXt block: 7x7 depthwise convolution, layer normalization, an inverted
    bottleneck of two dense layers with gelu, layer scale, and the residual sum; returns the
    function applying it."""
    name = f"prestem{backend.get_uid('prestem')}" if name is None else name

    def apply(inputs):
        x = layers.Conv2D(filters=projection_dim, kernel_size=7, padding="same",
                          groups=projection_dim, name=f"{name}_depthwise_conv")(inputs)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=f"{name}_gelu")(x)
        x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim,
                           name=f"{name}_layer_scale")(x)
        if drop_path_rate:
            layer = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")
        else:
            layer = layers.Activation("linear", name=f"{name}_identity")
        return inputs + layer(x)

    return apply


def PreStem(name=None):
    """Normalizes pixels in [0, 255] by ImageNet's channel statistics."""
    name = f"prestem{backend.get_uid('prestem')}" if name is None else name

    def apply(x):
        return layers.Normalization(
            mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
            variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
            name=f"{name}_prestem_normalization",
        )(x)

    return apply


def Head(num_classes=1000, classifier_activation=None, name=None):
    """Global average pooling, layer normalization and the classifier."""
    name = str(backend.get_uid("head")) if name is None else name

    def apply(x):
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        return layers.Dense(num_classes, activation=classifier_activation,
                            name=f"{name}_head_dense")(x)

    return apply


def _downsampling_layers(name, projection_dims):
    """The stem (4x4 patches) and the three 2x2 downsampling blocks, as `Sequential`s."""
    stem = Sequential([
        layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
        layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm"),
    ], name=f"{name}_stem")
    return [stem] + [
        Sequential([
            layers.LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
            layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                          name=f"{name}_downsampling_conv_{i}"),
        ], name=f"{name}_downsampling_block_{i}")
        for i in range(3)
    ]


def _check_variant(weights, weights_name, depths, projection_dims, name):
    if weights != "imagenet":
        return
    expected = MODEL_CONFIGS[weights_name.split("convnext_")[-1]]
    if depths != expected["depths"] or projection_dims != expected["projection_dims"]:
        raise ValueError(
            f"Architecture configuration does not match {weights_name} variant. When using "
            "pre-trained weights, the model architecture must match the pre-trained "
            f"configuration exactly. Expected depths: {expected['depths']}, got: {depths}. "
            f"Expected projection_dims: {expected['projection_dims']}, got: {projection_dims}."
        )
    if weights_name not in name:
        raise ValueError(
            f'Model name "{name}" does not match weights variant "{weights_name}". When using '
            "imagenet weights, model name must contain the weights variant (e.g., "
            f'"{weights_name}").'
        )


def ConvNeXt(depths, projection_dims, drop_path_rate=0.0, layer_scale_init_value=1e-6,
             default_size=224, name="convnext", include_preprocessing=True, include_top=True,
             weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", weights_name=None):
    """A ConvNeXt of four stages of `depths[i]` blocks with `projection_dims[i]` channels."""
    application.require_channels_last("ConvNeXt")
    application.check_weights(weights, include_top, classes)
    input_shape = application.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights,
    )
    _check_variant(weights, weights_name, depths, projection_dims, name)
    suffix = "" if include_top else "_notop"
    path = application.weights_path(weights, application.WeightsFile(
        f"{BASE_WEIGHTS_URL}{name}{suffix}.h5",
        WEIGHTS_HASHES.get(weights_name, (None, None))[0 if include_top else 1],
    ))
    x = application.image_input(input_tensor, input_shape)
    # Keras takes the first source of a symbolic `input_tensor` as the only input.
    inputs = get_source_inputs(x)[0] if input_tensor is not None else x
    if include_preprocessing and input_shape[-1] == 3:
        x = PreStem(name=name)(x)
    rates = [float(rate) for rate in np.linspace(0.0, drop_path_rate, sum(depths))]
    first = 0
    for stage, downsampling in enumerate(_downsampling_layers(name, projection_dims)):
        x = downsampling(x)
        for j in range(depths[stage]):
            x = ConvNeXtBlock(projection_dims[stage], drop_path_rate=rates[first + j],
                              layer_scale_init_value=layer_scale_init_value,
                              name=f"{name}_stage_{stage}_block_{j}")(x)
        first += depths[stage]
    if include_top:
        application.validate_activation(classifier_activation, weights)
        x = Head(num_classes=classes, classifier_activation=classifier_activation, name=name)(x)
    else:
        x = application.global_pool(x, pooling)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    return application.finish(inputs, None, x, name, path)


def variant(function_name, size):
    """The public constructor of one ConvNeXt (`size`: a `MODEL_CONFIGS` key)."""
    config = MODEL_CONFIGS[size]

    def constructor(include_top=True, include_preprocessing=True, weights="imagenet",
                    input_tensor=None, input_shape=None, pooling=None, classes=1000,
                    classifier_activation="softmax", name=f"convnext_{size}"):
        return ConvNeXt(
            config["depths"], config["projection_dims"], default_size=224, name=name,
            include_preprocessing=include_preprocessing, include_top=include_top,
            weights=weights, input_tensor=input_tensor, input_shape=input_shape,
            pooling=pooling, classes=classes, classifier_activation=classifier_activation,
            weights_name=f"convnext_{size}",
        )

    constructor.__name__ = constructor.__qualname__ = function_name
    constructor.__doc__ = (
        f"Instantiates the {function_name} architecture (default input 224x224).\n\n"
        "    Args (besides the common ones below):\n"
        "        include_preprocessing: normalize pixels in [0, 255] in the model.\n"
        + application.ARGUMENTS_DOC
    )
    return constructor


ConvNeXtTiny = variant("ConvNeXtTiny", "tiny")
ConvNeXtSmall = variant("ConvNeXtSmall", "small")
ConvNeXtBase = variant("ConvNeXtBase", "base")
ConvNeXtLarge = variant("ConvNeXtLarge", "large")
ConvNeXtXLarge = variant("ConvNeXtXLarge", "xlarge")

preprocess_input = imagenet_utils.preprocessor(None)
decode_predictions = imagenet_utils.decode_predictions
