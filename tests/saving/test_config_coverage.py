"""`get_config`/`from_config`/`serialize` of every public jkeras class that Keras 3 also has,
compared with Keras 3's own output for the same (non-default) constructor arguments.

For each class of `jkeras.layers`, `losses`, `metrics`, `optimizers`, `optimizers.schedules`,
`initializers`, `regularizers` and `constraints` whose name Keras 3 also exports:

1. `from_config(get_config())` (through JSON, as saving does) gives the same config;
2. the config equals Keras 3's `get_config()`, key by key and value by value;
3. configs load across: jkeras reads Keras 3's config and Keras 3 reads jkeras's;
4. `serialize` writes Keras 3's `{"module", "class_name", "config", "registered_name"}` dict.

The differences allowed are listed below, each with its reason. A class Keras 3 has and jkeras
lacks is listed in `KERAS_CLASSES_JKERAS_LACKS`; a jkeras class added later either passes these
checks (with an entry in `KWARGS` if it needs arguments) or fails them.
"""

import importlib
import inspect
import json

import flax.linen as nn
import keras  # the reference (JAX backend, set in conftest)
import numpy as np
import pytest

import jkeras
from jkeras.layers import deserialize as deserialize_layer
from jkeras.layers import serialize as serialize_layer

MODULES = (
    "layers",
    "losses",
    "metrics",
    "optimizers",
    "optimizers.schedules",
    "initializers",
    "regularizers",
    "constraints",
)

# ----------------------------------------------------------------------------- constructor arguments


def _reg(mod):
    return mod.regularizers.L1L2(l1=0.01, l2=0.02)


def _conv(**extra):
    def make(mod):
        return dict(
            filters=4,
            kernel_size=3,
            strides=2,
            padding="same",
            activation="relu",
            use_bias=False,
            kernel_initializer="he_normal",
            bias_initializer="ones",
            kernel_regularizer=_reg(mod),
            bias_regularizer="l2",
            activity_regularizer="l1",
            kernel_constraint="non_neg",
            bias_constraint=mod.constraints.MaxNorm(3.0),
            **extra,
        )

    return make


def _rnn_cell(mod):
    return {
        "units": 3,
        "activation": "relu",
        "recurrent_activation": "hard_sigmoid",
        "use_bias": False,
        "kernel_initializer": "he_uniform",
        "recurrent_initializer": "glorot_normal",
        "kernel_regularizer": "l2",
        "recurrent_constraint": "unit_norm",
        "dropout": 0.1,
        "recurrent_dropout": 0.2,
        "seed": 7,
    }


def _conv_lstm(mod):
    return {"filters": 3, "kernel_size": 2, "padding": "same", "activation": "relu",
            "recurrent_initializer": "glorot_normal", "unit_forget_bias": False,
            "kernel_regularizer": "l2", "activity_regularizer": "l1", "dropout": 0.1, "seed": 7}


# Shared by the depthwise and separable convolutions' cases.
_DEPTHWISE = {
    "kernel_size": 3,
    "strides": 2,
    "padding": "same",
    "depth_multiplier": 2,
    "activation": "relu",
    "use_bias": False,
    "depthwise_initializer": "he_normal",
    "depthwise_regularizer": "l2",
}

def _registered(obj):
    """Registered in both libraries, so configs that name it load in both."""
    keras.saving.register_keras_serializable(package="config_coverage")(obj)
    return jkeras.saving.register_keras_serializable(package="config_coverage")(obj)


@_registered
def _jax_init(rng, inputs):
    return {"w": np.ones((inputs.shape[-1], 2), "float32")}


@_registered
def _jax_call(params, inputs):
    return inputs @ params["w"]


@_registered
class _FlaxDense(nn.Module):
    features: int = 2

    @nn.compact
    def __call__(self, inputs):
        return nn.Dense(self.features)(inputs)

    def get_config(self):
        return {"features": self.features}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


# Keyed by module and class `__name__`: the arguments, or a function of the package (jkeras or
# keras) giving them.
KWARGS = {
    "layers.Activation": {"activation": "relu"},
    "layers.AdaptiveAveragePooling1D": {"output_size": 3, "data_format": "channels_first"},
    "layers.AdaptiveAveragePooling2D": {"output_size": (3, 2)},
    "layers.AdaptiveAveragePooling3D": {"output_size": (3, 2, 1)},
    "layers.AdaptiveMaxPooling1D": {"output_size": (3,)},
    "layers.AdaptiveMaxPooling2D": {"output_size": 4, "data_format": "channels_first"},
    "layers.AdaptiveMaxPooling3D": {"output_size": 2},
    "layers.AlphaDropout": {"rate": 0.3, "noise_shape": (None, 1), "seed": 5},
    "layers.ConvLSTM1D": lambda mod: dict(**_conv_lstm(mod), return_sequences=True),
    "layers.ConvLSTM2D": lambda mod: dict(**_conv_lstm(mod), go_backwards=True),
    "layers.ConvLSTM3D": lambda mod: dict(**_conv_lstm(mod), return_state=True),
    "layers.Cropping3D": {"cropping": ((1, 2), (3, 4), (0, 1)), "data_format": "channels_first"},
    "layers.EinsumDense": lambda mod: {
        "equation": "abc,cde->abde",
        "output_shape": (None, 2, 3),
        "bias_axes": "de",
        "activation": "relu",
        "kernel_initializer": "he_normal",
        "kernel_regularizer": _reg(mod),
        "bias_constraint": "non_neg",
        "activity_regularizer": "l1",
        "lora_rank": 2,
        "lora_alpha": 4,
    },
    "layers.FlaxLayer": lambda mod: {"module": _FlaxDense(3)},
    "layers.GroupedQueryAttention": {
        "head_dim": 4,
        "num_query_heads": 4,
        "num_key_value_heads": 2,
        "dropout": 0.1,
        "use_bias": False,
        "sliding_window": 3,
        "kernel_initializer": "he_normal",
        "bias_regularizer": "l2",
        "use_gate": True,
        "seed": 2,
    },
    "layers.JaxLayer": lambda mod: {"call_fn": _jax_call, "init_fn": _jax_init, "seed": 3},
    "layers.RMSNormalization": {"axis": 1, "epsilon": 1e-4},
    "layers.ReversibleEmbedding": {"input_dim": 10, "output_dim": 4, "tie_weights": False,
                                   "mask_zero": True, "reverse_dtype": "float32",
                                   "logit_soft_cap": 30.0, "lora_rank": 2},
    "layers.SpectralNormalization": lambda mod: {"layer": mod.layers.Dense(3),
                                                 "power_iterations": 3},
    "layers.StackedRNNCells": lambda mod: {"cells": [mod.layers.LSTMCell(3),
                                                     mod.layers.GRUCell(2, reset_after=False)]},
    "layers.UpSampling3D": {"size": (2, 3, 1), "data_format": "channels_first"},
    "layers.Wrapper": lambda mod: {"layer": mod.layers.Dense(3)},
    "layers.ZeroPadding3D": {"padding": ((1, 2), (3, 4), (0, 1))},
    "layers.ActivityRegularization": {"l1": 0.1, "l2": 0.2},
    "layers.AdditiveAttention": {"use_scale": False, "dropout": 0.1},
    "layers.Attention": {"use_scale": True, "score_mode": "concat", "dropout": 0.1, "seed": 3},
    "layers.AveragePooling1D": {"pool_size": 3, "strides": 2, "padding": "same"},
    "layers.AveragePooling2D": {"pool_size": (3, 2), "strides": (2, 1), "padding": "same"},
    "layers.AveragePooling3D": {"pool_size": 3, "strides": 2, "padding": "same"},
    "layers.MaxPooling1D": {"pool_size": 3, "strides": 2, "padding": "same"},
    "layers.MaxPooling2D": {"pool_size": (3, 2), "strides": (2, 1), "padding": "same"},
    "layers.MaxPooling3D": {"pool_size": 3, "strides": 2, "padding": "same"},
    "layers.BatchNormalization": lambda mod: {
        "axis": 1,
        "momentum": 0.9,
        "epsilon": 1e-4,
        "center": False,
        "scale": False,
        "beta_initializer": "ones",
        "gamma_initializer": "zeros",
        "moving_mean_initializer": "ones",
        "moving_variance_initializer": "zeros",
        "beta_regularizer": "l2",
        "gamma_constraint": "non_neg",
    },
    "layers.Bidirectional": lambda mod: {
        "layer": mod.layers.LSTM(3, return_sequences=True),
        "merge_mode": "sum",
    },
    "layers.CategoryEncoding": {"num_tokens": 3, "output_mode": "count"},
    "layers.Concatenate": {"axis": 1},
    "layers.Conv1D": _conv(dilation_rate=1, groups=2, lora_rank=2),
    "layers.Conv2D": _conv(dilation_rate=(1, 1), groups=2),
    "layers.Conv3D": _conv(groups=2),
    "layers.Conv1DTranspose": _conv(),
    "layers.Conv2DTranspose": _conv(),
    "layers.Conv3DTranspose": _conv(),
    "layers.Cropping1D": {"cropping": (2, 3)},
    "layers.Cropping2D": {"cropping": ((1, 2), (3, 4))},
    "layers.Dense": lambda mod: {
        "units": 3,
        "lora_rank": 2,
        "activation": "relu",
        "use_bias": False,
        "kernel_initializer": "he_normal",
        "bias_initializer": "ones",
        "kernel_regularizer": _reg(mod),
        "bias_regularizer": "l2",
        "activity_regularizer": "l1",
        "kernel_constraint": "non_neg",
        "bias_constraint": mod.constraints.MaxNorm(3.0),
    },
    "layers.DepthwiseConv1D": {**_DEPTHWISE, "depthwise_constraint": "non_neg"},
    "layers.DepthwiseConv2D": {**_DEPTHWISE, "depthwise_constraint": "non_neg"},
    "layers.SeparableConv1D": {**_DEPTHWISE, "filters": 4, "pointwise_initializer": "lecun_normal",
                              "pointwise_constraint": "non_neg"},
    "layers.SeparableConv2D": {**_DEPTHWISE, "filters": 4, "pointwise_initializer": "lecun_normal",
                              "pointwise_constraint": "non_neg"},
    "layers.Discretization": {"bin_boundaries": [0.0, 1.5], "output_mode": "one_hot"},
    "layers.Dot": {"axes": (1, 2), "normalize": True},
    "layers.Dropout": {"rate": 0.3, "noise_shape": (None, 1), "seed": 5},
    "layers.ELU": {"alpha": 0.5},
    "layers.Embedding": {
        "lora_rank": 3,
        "lora_alpha": 6,
        "input_dim": 10,
        "output_dim": 4,
        "embeddings_initializer": "ones",
        "embeddings_regularizer": "l2",
        "embeddings_constraint": "non_neg",
        "mask_zero": True,
    },
    "layers.Flatten": {"data_format": "channels_first"},
    "layers.GRU": lambda mod: dict(
        **_rnn_cell(mod), return_sequences=True, go_backwards=True, reset_after=False
    ),
    "layers.GRUCell": lambda mod: dict(**_rnn_cell(mod), reset_after=False),
    "layers.LSTM": lambda mod: dict(**_rnn_cell(mod), unit_forget_bias=False, return_state=True),
    "layers.LSTMCell": lambda mod: dict(**_rnn_cell(mod), unit_forget_bias=False),
    "layers.SimpleRNN": lambda mod: dict(
        **{k: v for k, v in _rnn_cell(mod).items() if k != "recurrent_activation"},
        return_sequences=True,
        unroll=True,
    ),
    "layers.SimpleRNNCell": lambda mod: {
        k: v for k, v in _rnn_cell(mod).items() if k != "recurrent_activation"
    },
    "layers.RNN": lambda mod: {
        "cell": mod.layers.SimpleRNNCell(3),
        "return_sequences": True,
        "go_backwards": True,
    },
    "layers.GaussianDropout": {"rate": 0.2, "seed": 3},
    "layers.GaussianNoise": {"stddev": 0.2, "seed": 3},
    "layers.GlobalAveragePooling1D": {"data_format": "channels_first", "keepdims": True},
    "layers.GlobalAveragePooling2D": {"data_format": "channels_first", "keepdims": True},
    "layers.GlobalAveragePooling3D": {"data_format": "channels_first", "keepdims": True},
    "layers.GlobalMaxPooling1D": {"data_format": "channels_first", "keepdims": True},
    "layers.GlobalMaxPooling2D": {"data_format": "channels_first", "keepdims": True},
    "layers.GlobalMaxPooling3D": {"data_format": "channels_first", "keepdims": True},
    "layers.GroupNormalization": {
        "groups": 4,
        "axis": 1,
        "epsilon": 1e-4,
        "center": False,
        "gamma_initializer": "zeros",
        "beta_regularizer": "l2",
    },
    "layers.HashedCrossing": {"num_bins": 5, "output_mode": "one_hot"},
    "layers.Hashing": {"num_bins": 5, "salt": [3, 4], "mask_value": "", "output_mode": "count"},
    "layers.InputLayer": {"shape": (3, 4), "batch_size": 2, "dtype": "int32"},
    "layers.IntegerLookup": {"vocabulary": [4, 7], "num_oov_indices": 2, "mask_token": 0,
                             "oov_method": "farmhash", "salt": 5},
    "layers.LayerNormalization": {
        "axis": 1,
        "epsilon": 1e-4,
        "center": False,
        "gamma_initializer": "zeros",
        "beta_regularizer": "l2",
    },
    "layers.LeakyReLU": {"negative_slope": 0.1},
    "layers.Lambda": lambda mod: {"function": mod.activations.relu},
    "layers.Masking": {"mask_value": -1.0},
    "layers.MelSpectrogram": {"fft_length": 512, "sequence_stride": 128, "window": "hamming",
                              "num_mel_bins": 40, "max_freq": 7000.0, "power_to_db": False},
    "layers.MultiHeadAttention": {
        "num_heads": 2,
        "key_dim": 4,
        "value_dim": 3,
        "dropout": 0.1,
        "use_bias": False,
        "output_shape": (5,),
        "attention_axes": (1,),
        "kernel_initializer": "he_normal",
        "kernel_regularizer": "l2",
        "seed": 1,
    },
    "layers.Normalization": {"axis": 1, "mean": [1.0, 2.0], "variance": [3.0, 4.0], "invert": True},
    "layers.PReLU": {
        "alpha_initializer": "ones",
        "alpha_regularizer": "l2",
        "alpha_constraint": "non_neg",
        "shared_axes": [1],
    },
    "layers.Permute": {"dims": (2, 1)},
    "layers.ReLU": {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5},
    "layers.RepeatVector": {"n": 3},
    "layers.Rescaling": {"scale": 0.5, "offset": 1.0},
    "layers.Reshape": {"target_shape": (2, -1)},
    "layers.Softmax": {"axis": 1},
    "layers.STFTSpectrogram": {"mode": "psd", "frame_length": 64, "frame_step": 16,
                               "fft_length": 128, "padding": "same", "expand_dims": True},
    "layers.StringLookup": {"vocabulary": ["a", "b"], "mask_token": "", "oov_token": "?",
                            "output_mode": "tf_idf", "idf_weights": [1.0, 2.0]},
    "layers.TextVectorization": {"max_tokens": 50, "standardize": "lower", "split": "character",
                                 "ngrams": (1, 2), "output_sequence_length": 8,
                                 "vocabulary": ["a", "b"]},
    "layers.SpatialDropout1D": {"rate": 0.2, "seed": 3},
    "layers.SpatialDropout2D": {"rate": 0.2, "data_format": "channels_first", "seed": 3},
    "layers.SpatialDropout3D": {"rate": 0.2, "data_format": "channels_first", "seed": 3},
    "layers.TimeDistributed": lambda mod: {"layer": mod.layers.Dense(3)},
    "layers.UnitNormalization": {"axis": 1},
    "layers.UpSampling1D": {"size": 3},
    "layers.UpSampling2D": {
        "size": (2, 3),
        "data_format": "channels_first",
        "interpolation": "bilinear",
    },
    "layers.ZeroPadding1D": {"padding": (1, 2)},
    "layers.ZeroPadding2D": {"padding": ((1, 2), (3, 4)), "data_format": "channels_first"},
    # image preprocessing
    "layers.AugMix": {"value_range": (0, 1), "num_chains": 2, "chain_depth": 4, "factor": 0.5,
                      "alpha": 0.7, "all_ops": False, "interpolation": "nearest", "seed": 3,
                      "data_format": "channels_first"},
    "layers.AutoContrast": {"value_range": (0, 1)},
    "layers.CenterCrop": {"height": 5, "width": 6, "data_format": "channels_first"},
    "layers.ContrastLimitedAdaptiveHistogramEqualization": {
        "value_range": (0, 1), "clip_limit": 2.0, "tile_grid_size": (4, 2)},
    "layers.CutMix": {"factor": (0.2, 0.7), "seed": 3},
    "layers.Equalization": {"value_range": (0, 1), "bins": 64},
    "layers.MaxNumBoundingBoxes": {"max_number": 7, "fill_value": -2,
                                   "bounding_box_format": "xyxy"},
    "layers.MixUp": {"alpha": 0.4, "seed": 3},
    "layers.RandAugment": {"value_range": (0, 1), "num_ops": 3, "factor": 0.7,
                           "interpolation": "nearest", "seed": 3},
    "layers.RandomBrightness": {"factor": (-0.2, 0.4), "value_range": (0, 1), "seed": 3},
    "layers.RandomColorDegeneration": {"factor": 0.4, "value_range": (0, 1), "seed": 3},
    "layers.RandomColorJitter": {"value_range": (0, 1), "brightness_factor": 0.2,
                                 "contrast_factor": 0.3, "saturation_factor": 0.4,
                                 "hue_factor": 0.1, "seed": 3},
    "layers.RandomContrast": {"factor": (0.1, 0.4), "value_range": (0, 1), "seed": 3},
    "layers.RandomCrop": {"height": 5, "width": 6, "seed": 3, "data_format": "channels_first"},
    "layers.RandomElasticTransform": {"factor": 0.7, "scale": (0.2, 0.6),
                                      "interpolation": "nearest", "fill_mode": "constant",
                                      "fill_value": 1.0, "value_range": (0, 1), "seed": 3},
    "layers.RandomErasing": {"factor": 0.7, "scale": (0.1, 0.2), "fill_value": 3.0,
                             "value_range": (0, 1), "seed": 3},
    "layers.RandomFlip": {"mode": "vertical", "seed": 3, "bounding_box_format": "xyxy"},
    "layers.RandomGaussianBlur": {"factor": 0.7, "kernel_size": (3, 5), "sigma": (0.2, 0.6),
                                  "value_range": (0, 1), "seed": 3},
    "layers.RandomGrayscale": {"factor": 0.7, "seed": 3, "data_format": "channels_first"},
    "layers.RandomHue": {"factor": 0.4, "value_range": (0, 1), "seed": 3},
    "layers.RandomInvert": {"factor": 0.4, "value_range": (0, 1), "seed": 3},
    "layers.RandomPerspective": {"factor": 0.7, "scale": 0.4, "interpolation": "nearest",
                                 "fill_value": 2.0, "seed": 3},
    "layers.RandomPosterization": {"factor": (2, 5), "value_range": (0, 1), "seed": 3},
    "layers.RandomRotation": {"factor": (-0.1, 0.3), "fill_mode": "constant",
                              "interpolation": "nearest", "seed": 3, "fill_value": 1.0},
    "layers.RandomSaturation": {"factor": (0.2, 0.6), "value_range": (0, 1), "seed": 3},
    "layers.RandomSharpness": {"factor": (0.2, 0.6), "value_range": (0, 1), "seed": 3},
    "layers.RandomShear": {"x_factor": 0.3, "y_factor": (0.1, 0.2), "fill_mode": "wrap",
                           "seed": 3},
    "layers.RandomTranslation": {"height_factor": 0.2, "width_factor": (-0.1, 0.3),
                                 "fill_mode": "nearest", "seed": 3},
    "layers.RandomZoom": {"height_factor": (-0.2, 0.3), "width_factor": 0.4,
                          "fill_mode": "constant", "fill_value": 1.0, "seed": 3},
    "layers.Resizing": {"height": 5, "width": 6, "interpolation": "bicubic",
                        "pad_to_aspect_ratio": True, "fill_value": 2.0, "antialias": True},
    "layers.Solarization": {"addition_factor": (0.1, 0.3), "threshold_factor": 0.4,
                            "value_range": (0, 1), "seed": 3},
    "layers.Pipeline": lambda mod: {"layers": [mod.layers.RandomFlip(seed=1),
                                               mod.layers.Resizing(4, 5)], "name": "pipe"},
    # losses
    "losses.BinaryCrossentropy": {
        "from_logits": True,
        "label_smoothing": 0.1,
        "axis": 1,
        "reduction": "sum",
        "name": "bce",
    },
    "losses.BinaryFocalCrossentropy": {
        "apply_class_balancing": True,
        "alpha": 0.3,
        "gamma": 1.5,
        "from_logits": True,
        "label_smoothing": 0.1,
        "axis": 1,
        "reduction": "sum",
        "name": "bfce",
    },
    "losses.CTC": {"reduction": "sum", "name": "my_ctc"},
    "losses.CategoricalCrossentropy": {
        "from_logits": True,
        "label_smoothing": 0.1,
        "axis": 1,
        "reduction": "sum",
        "name": "cce",
    },
    "losses.CategoricalFocalCrossentropy": {
        "alpha": 0.3,
        "gamma": 1.5,
        "from_logits": True,
        "label_smoothing": 0.1,
        "axis": 1,
        "reduction": "sum",
    },
    "losses.CategoricalGeneralizedCrossEntropy": {"q": 0.3, "reduction": "sum"},
    "losses.CategoricalHinge": {"reduction": "sum", "name": "ch"},
    "losses.Circle": {"gamma": 60.0, "margin": 0.3, "remove_diagonal": False, "reduction": "sum"},
    "losses.CosineSimilarity": {"axis": 1, "reduction": "sum", "name": "cs"},
    "losses.Dice": {"reduction": "sum", "name": "d", "axis": (1, 2)},
    "losses.Hinge": {"reduction": "sum", "name": "h"},
    "losses.Huber": {"delta": 2.0, "reduction": "sum", "name": "hub"},
    "losses.KLDivergence": {"reduction": "sum", "name": "kl"},
    "losses.LogCosh": {"reduction": "sum", "name": "lc"},
    "losses.Loss": {"reduction": "sum", "name": "base"},
    "losses.MeanAbsoluteError": {"reduction": "sum", "name": "mae2"},
    "losses.MeanAbsolutePercentageError": {"reduction": "sum", "name": "mape2"},
    "losses.MeanSquaredError": {"reduction": "sum", "name": "mse2"},
    "losses.MeanSquaredLogarithmicError": {"reduction": "sum", "name": "msle2"},
    "losses.Poisson": {"reduction": "sum", "name": "p"},
    "losses.SparseCategoricalCrossentropy": {
        "from_logits": True,
        "ignore_class": 0,
        "reduction": "sum",
        "axis": 1,
        "name": "scce",
    },
    "losses.SquaredHinge": {"reduction": "sum", "name": "sh"},
    "losses.Tversky": {"alpha": 0.3, "beta": 0.7, "reduction": "sum", "name": "t", "axis": (1, 2)},
    # metrics
    "metrics.AUC": {
        "num_thresholds": 50,
        "curve": "PR",
        "summation_method": "minoring",
        "name": "auc2",
        "multi_label": True,
        "num_labels": 3,
        "label_weights": [1.0, 2.0, 3.0],
        "from_logits": True,
    },
    "metrics.Accuracy": {"name": "acc"},
    "metrics.BinaryAccuracy": {"name": "ba", "threshold": 0.7},
    "metrics.BinaryCrossentropy": {"name": "bce", "from_logits": True, "label_smoothing": 0.1},
    "metrics.BinaryIoU": {"target_class_ids": (1,), "threshold": 0.3, "name": "biou"},
    "metrics.CategoricalCrossentropy": {
        "name": "cce",
        "from_logits": True,
        "label_smoothing": 0.1,
        "axis": 1,
    },
    "metrics.ConcordanceCorrelation": {"name": "cc", "axis": 0},
    "metrics.CosineSimilarity": {"name": "cs", "axis": 1},
    "metrics.F1Score": {"average": "macro", "threshold": 0.4, "name": "f1"},
    "metrics.FBetaScore": {"average": "weighted", "beta": 2.0, "threshold": 0.4, "name": "fb"},
    "metrics.FalseNegatives": {"thresholds": [0.3, 0.6], "name": "fn"},
    "metrics.FalsePositives": {"thresholds": [0.3, 0.6], "name": "fp"},
    "metrics.TrueNegatives": {"thresholds": [0.3, 0.6], "name": "tn"},
    "metrics.TruePositives": {"thresholds": [0.3, 0.6], "name": "tp"},
    "metrics.IoU": {
        "num_classes": 3,
        "target_class_ids": [0, 2],
        "name": "iou",
        "ignore_class": 1,
        "sparse_y_true": False,
        "sparse_y_pred": False,
        "axis": 1,
    },
    "metrics.MeanIoU": {
        "num_classes": 3,
        "name": "miou",
        "ignore_class": 1,
        "sparse_y_true": False,
        "sparse_y_pred": False,
        "axis": 1,
    },
    "metrics.OneHotIoU": {
        "num_classes": 3,
        "target_class_ids": [0, 2],
        "name": "ohiou",
        "ignore_class": 1,
        "sparse_y_pred": True,
        "axis": 1,
    },
    "metrics.OneHotMeanIoU": {
        "num_classes": 3,
        "name": "ohmiou",
        "ignore_class": 1,
        "sparse_y_pred": True,
        "axis": 1,
    },
    "metrics.MeanMetricWrapper": lambda mod: {"fn": mod.metrics.binary_accuracy, "name": "mmw"},
    "metrics.Mean": {"name": "m"},
    "metrics.Metric": {"name": "base"},
    "metrics.PearsonCorrelation": {"name": "pc", "axis": 0},
    "metrics.Precision": {"thresholds": 0.3, "top_k": 2, "class_id": 1, "name": "prec"},
    "metrics.Recall": {"thresholds": 0.3, "top_k": 2, "class_id": 1, "name": "rec"},
    "metrics.PrecisionAtRecall": {
        "recall": 0.8,
        "num_thresholds": 50,
        "class_id": 1,
        "name": "par",
    },
    "metrics.RecallAtPrecision": {
        "precision": 0.8,
        "num_thresholds": 50,
        "class_id": 1,
        "name": "rap",
    },
    "metrics.SensitivityAtSpecificity": {
        "specificity": 0.8,
        "num_thresholds": 50,
        "class_id": 1,
        "name": "sas",
    },
    "metrics.SpecificityAtSensitivity": {
        "sensitivity": 0.8,
        "num_thresholds": 50,
        "class_id": 1,
        "name": "sas",
    },
    "metrics.R2Score": {
        "class_aggregation": "variance_weighted_average",
        "num_regressors": 1,
        "name": "r2",
    },
    "metrics.SparseCategoricalCrossentropy": {"name": "scce", "from_logits": True, "axis": 1},
    "metrics.SparseTopKCategoricalAccuracy": {"k": 3, "name": "stk", "from_sorted_ids": True},
    "metrics.TopKCategoricalAccuracy": {"k": 3, "name": "tk"},
    "metrics.Sum": {"name": "s"},
    # optimizers
    "optimizers.Adadelta": {
        "learning_rate": 0.01,
        "rho": 0.9,
        "epsilon": 1e-6,
        "weight_decay": 0.1,
        "clipnorm": 1.0,
        "use_ema": True,
        "ema_momentum": 0.9,
        "ema_overwrite_frequency": 3,
        "loss_scale_factor": 2.0,
        "gradient_accumulation_steps": 2,
        "name": "opt",
    },
    "optimizers.Adafactor": {
        "learning_rate": 0.01,
        "beta_2_decay": -0.7,
        "epsilon_1": 1e-29,
        "epsilon_2": 1e-2,
        "clip_threshold": 2.0,
        "relative_step": False,
        "clipvalue": 1.0,
        "name": "opt",
    },
    "optimizers.Adagrad": {
        "learning_rate": 0.01,
        "initial_accumulator_value": 0.2,
        "epsilon": 1e-6,
        "global_clipnorm": 1.0,
        "name": "opt",
    },
    "optimizers.Adam": {
        "learning_rate": 0.01,
        "beta_1": 0.8,
        "beta_2": 0.99,
        "epsilon": 1e-6,
        "amsgrad": True,
        "weight_decay": 0.1,
        "clipnorm": 1.0,
        "name": "opt",
    },
    "optimizers.AdamW": {
        "learning_rate": 0.01,
        "weight_decay": 0.1,
        "beta_1": 0.8,
        "beta_2": 0.99,
        "epsilon": 1e-6,
        "amsgrad": True,
        "name": "opt",
    },
    "optimizers.Adamax": {
        "learning_rate": 0.01,
        "beta_1": 0.8,
        "beta_2": 0.99,
        "epsilon": 1e-6,
        "name": "opt",
    },
    "optimizers.Ftrl": {
        "learning_rate": 0.01,
        "learning_rate_power": -0.4,
        "initial_accumulator_value": 0.2,
        "l1_regularization_strength": 0.1,
        "l2_regularization_strength": 0.2,
        "l2_shrinkage_regularization_strength": 0.3,
        "beta": 0.1,
        "name": "opt",
    },
    "optimizers.Lamb": {
        "learning_rate": 0.01,
        "beta_1": 0.8,
        "beta_2": 0.99,
        "epsilon": 1e-6,
        "name": "opt",
    },
    "optimizers.Lion": {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.9, "name": "opt"},
    "optimizers.Nadam": {
        "learning_rate": 0.01,
        "beta_1": 0.8,
        "beta_2": 0.99,
        "epsilon": 1e-6,
        "name": "opt",
    },
    "optimizers.RMSprop": {
        "learning_rate": 0.01,
        "rho": 0.8,
        "momentum": 0.1,
        "epsilon": 1e-6,
        "centered": True,
        "name": "opt",
    },
    "optimizers.SGD": lambda mod: {
        "learning_rate": mod.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9),
        "momentum": 0.9,
        "nesterov": True,
        "name": "opt",
    },
    "optimizers.LossScaleOptimizer": lambda mod: {
        "inner_optimizer": mod.optimizers.SGD(0.1, momentum=0.5, name="inner"),
        "initial_scale": 128.0,
        "dynamic_growth_steps": 10,
        "name": "opt",
    },
    "optimizers.Muon": {"learning_rate": 0.01, "weight_decay": 0.01, "name": "opt"},
    "optimizers.ScheduleFreeAdamW": {"learning_rate": 0.01, "warmup_steps": 5, "name": "opt"},
    "optimizers.OptimizerMap": lambda mod: {
        "default_optimizer": mod.optimizers.SGD(0.1, name="default"),
        "optimizer_map": {"dense/kernel": mod.optimizers.Adam(0.01, name="kernels")},
    },
    "optimizers.MultiOptimizer": lambda mod: {
        "optimizer_map": mod.optimizers.OptimizerMap(
            mod.optimizers.SGD(0.1, name="default"),
            {"dense/kernel": mod.optimizers.Adam(0.01, name="kernels")},
        ),
        "name": "opt",
    },
    "optimizers.Optimizer": {"learning_rate": 0.01, "name": "opt"},
    # schedules
    "optimizers.schedules.CosineDecay": {
        "initial_learning_rate": 0.1,
        "decay_steps": 100,
        "alpha": 0.1,
        "name": "cd",
        "warmup_target": 0.2,
        "warmup_steps": 10,
    },
    "optimizers.schedules.CosineDecayRestarts": {
        "initial_learning_rate": 0.1,
        "first_decay_steps": 100,
        "t_mul": 3.0,
        "m_mul": 0.5,
        "alpha": 0.1,
        "name": "cdr",
    },
    "optimizers.schedules.ExponentialDecay": {
        "initial_learning_rate": 0.1,
        "decay_steps": 100,
        "decay_rate": 0.9,
        "staircase": True,
        "name": "ed",
    },
    "optimizers.schedules.InverseTimeDecay": {
        "initial_learning_rate": 0.1,
        "decay_steps": 100,
        "decay_rate": 0.9,
        "staircase": True,
        "name": "itd",
    },
    "optimizers.schedules.PiecewiseConstantDecay": {
        "boundaries": [10, 20],
        "values": [0.1, 0.05, 0.01],
        "name": "pcd",
    },
    "optimizers.schedules.PolynomialDecay": {
        "initial_learning_rate": 0.1,
        "decay_steps": 100,
        "end_learning_rate": 0.01,
        "power": 2.0,
        "cycle": True,
        "name": "pd",
    },
    # initializers
    "initializers.Constant": {"value": 0.5},
    "initializers.STFT": {"side": "imag", "window": "hamming", "scaling": "spectrum",
                          "periodic": True},
    "initializers.GlorotNormal": {"seed": 3},
    "initializers.GlorotUniform": {"seed": 3},
    "initializers.HeNormal": {"seed": 3},
    "initializers.HeUniform": {"seed": 3},
    "initializers.LecunNormal": {"seed": 3},
    "initializers.LecunUniform": {"seed": 3},
    "initializers.Identity": {"gain": 2.0},
    "initializers.Orthogonal": {"gain": 2.0, "seed": 3},
    "initializers.RandomNormal": {"mean": 1.0, "stddev": 0.1, "seed": 3},
    "initializers.RandomUniform": {"minval": -1.0, "maxval": 2.0, "seed": 3},
    "initializers.TruncatedNormal": {"mean": 1.0, "stddev": 0.1, "seed": 3},
    "initializers.VarianceScaling": {
        "scale": 2.0,
        "mode": "fan_avg",
        "distribution": "uniform",
        "seed": 3,
    },
    # regularizers, constraints
    "regularizers.L1": {"l1": 0.25},
    "regularizers.L2": {"l2": 0.25},
    "regularizers.L1L2": {"l1": 0.25, "l2": 0.5},
    "regularizers.OrthogonalRegularizer": {"factor": 0.05, "mode": "columns"},
    "constraints.MaxNorm": {"max_value": 3.0, "axis": 1},
    "constraints.MinMaxNorm": {"min_value": 0.5, "max_value": 2.0, "rate": 0.5, "axis": 1},
    "constraints.UnitNorm": {"axis": 1},
}


# ----------------------------------------------------------------------------- allowed differences

# Classes with no config to compare: abstract bases whose `get_config` raises in Keras 3, and
# `InputSpec`, which jkeras layers never write into configs.
NO_CONFIG = {
    "layers.InputSpec",
    "optimizers.schedules.LearningRateSchedule",
    "regularizers.Regularizer",
}

# Constructor arguments Keras 3's `get_config` drops, so a Keras 3 reload silently resets them
# to their defaults. jkeras writes them (Keras 3's constructors accept them).
KERAS_DROPS = {
    "layers.MaxNumBoundingBoxes": {"fill_value"},
    "losses.Huber": {"delta"},
    "losses.CosineSimilarity": {"axis"},
    "losses.SparseCategoricalCrossentropy": {"axis"},
    "metrics.CosineSimilarity": {"axis"},
    "initializers.Identity": {"gain"},
    "layers.SimpleRNN": {"seed"},
}

# Configs Keras 3 cannot load even when it wrote them itself (RandomShear saves a number
# factor `f` as `(-f, f)` and rejects the negative bound on loading); jkeras loads them.
KERAS_REJECTS_OWN_CONFIG = {"layers.RandomShear"}

# Keras 3's bare `Layer()` config also holds `autocast` and `activity_regularizer=None`, which
# Keras captures from the base constructor's arguments; its subclasses' configs do not.
JKERAS_OMITS = {"layers.Layer": {"autocast", "activity_regularizer"}}

# Keras 3's spatial dropouts write the variable dtype's name where every other layer writes
# its dtype policy; jkeras writes the policy (which Keras 3 reads back as well).
KERAS_WRITES_DTYPE_NAME = {
    "layers.SpatialDropout1D",
    "layers.SpatialDropout2D",
    "layers.SpatialDropout3D",
}

# Keras 3's lookup layers are built from construction on, so `keras.layers.serialize` adds an
# (empty) `build_config` to their entries; jkeras's entries have none (loading ignores it).
KERAS_WRITES_BUILD_CONFIG = {"layers.IntegerLookup", "layers.StringLookup"}

# `keras.metrics.serialize` writes AUC's `label_weights` array as a `"__tensor__"` dict;
# jkeras writes the list (which Keras 3 reads as well).
KERAS_WRITES_TENSOR = {"metrics.AUC": {"label_weights"}}

# Public Keras 3 classes (by module) that jkeras does not have.
KERAS_CLASSES_JKERAS_LACKS = {
    "layers": {
        "TFSMLayer",
        "TorchModuleWrapper",
    },
    "losses": set(),
    "metrics": set(),
    "optimizers": set(),
    "optimizers.schedules": set(),
    "initializers": set(),
    # jkeras's `l1`, `l2`, `l1_l2` are factory functions; Keras 3's are the classes' aliases.
    "regularizers": set(),
    "constraints": set(),
}


# ----------------------------------------------------------------------------- helpers


def _classes(package, module):
    namespace = importlib.import_module(f"{package}.{module}")
    return {
        name: getattr(namespace, name)
        for name in dir(namespace)
        if not name.startswith("_") and inspect.isclass(getattr(namespace, name))
    }


def _shared():
    cases = []
    for module in MODULES:
        ours, theirs = _classes("jkeras", module), _classes("keras", module)
        for name in sorted(set(ours) & set(theirs)):
            key = f"{module}.{ours[name].__name__}"
            if key not in NO_CONFIG and f"{module}.{name}" not in NO_CONFIG:
                cases.append((module, name))
    return cases


CASES = _shared()


def _key(module, name):
    return f"{module}.{_classes('jkeras', module)[name].__name__}"


def _make(package, module, name):
    cls = _classes(package.__name__, module)[name]
    kwargs = KWARGS.get(_key(module, name), {})
    return cls(**(kwargs(package) if callable(kwargs) else kwargs))


def _plain(value):
    """JSON's view of a config (tuples as lists, numpy scalars and arrays as Python values)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    return value


def _differences(ours, theirs, ignore_names, path=""):
    """Paths where two configs differ; numbers compared to float32 precision (Keras 3 keeps
    some factors as float32 tensors: `L1(0.01)` writes 0.009999999776482582)."""
    found = []
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs)):
            if key == "name" and ignore_names:
                continue  # auto-generated layer names carry a per-process counter
            if key not in ours or key not in theirs:
                found.append(f"{path}{key} (only in {'keras' if key in theirs else 'jkeras'})")
            else:
                found += _differences(ours[key], theirs[key], ignore_names, f"{path}{key}.")
    elif isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            found += _differences(a, b, ignore_names, f"{path}{i}.")
    elif (
        isinstance(ours, (int, float))
        and isinstance(theirs, (int, float))
        and not isinstance(ours, bool)
        and not isinstance(theirs, bool)
    ):
        if not np.isclose(ours, theirs, rtol=1e-6, atol=0):
            found.append(f"{path}: jkeras {ours!r} != keras {theirs!r}")
    elif ours != theirs or type(ours) is not type(theirs):
        found.append(f"{path}: jkeras {ours!r} != keras {theirs!r}")
    return found


def _allowed(key, difference):
    top = difference.split(".", 1)[0].split(" ", 1)[0]
    return (
        top in KERAS_DROPS.get(key, ())
        or top in JKERAS_OMITS.get(key, ())
        or (top == "dtype" and key in KERAS_WRITES_DTYPE_NAME)
    )


def _compare(key, ours, theirs, ignore_names):
    ours, theirs = _plain(ours), _plain(theirs)
    if key in KERAS_WRITES_DTYPE_NAME:
        assert ours["dtype"]["config"]["name"] == theirs["dtype"]
    return [d for d in _differences(ours, theirs, ignore_names) if not _allowed(key, d)]


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("module,name", CASES)
def test_from_config_round_trips_through_json(module, name):
    obj = _make(jkeras, module, name)
    config = json.loads(json.dumps(_plain(obj.get_config())))
    if module == "layers":
        restored = deserialize_layer(json.loads(json.dumps(serialize_layer(obj))))
    else:
        restored = type(obj).from_config(config)
    assert type(restored) is type(obj)
    assert _plain(restored.get_config()) == config


@pytest.mark.parametrize("module,name", CASES)
def test_config_equals_keras(module, name):
    ours = _make(jkeras, module, name).get_config()
    theirs = _make(keras, module, name).get_config()
    assert _compare(_key(module, name), ours, theirs, module == "layers") == []


@pytest.mark.parametrize("module,name", CASES)
def test_configs_load_across(module, name):
    key, layers = _key(module, name), module == "layers"
    ours, theirs = _make(jkeras, module, name), _make(keras, module, name)
    ours_cls, theirs_cls = type(ours), type(theirs)
    # jkeras reads Keras 3's config: what it writes back is what it would write itself,
    # except for the arguments Keras 3 dropped (jkeras then holds their defaults).
    from_keras = ours_cls.from_config(theirs.get_config()).get_config()
    assert [
        d
        for d in _differences(_plain(from_keras), _plain(ours.get_config()), layers)
        if d.split(".", 1)[0] not in KERAS_DROPS.get(key, ())
    ] == []
    # Keras 3 reads jkeras's config and writes back its own.
    if key in KERAS_REJECTS_OWN_CONFIG:
        for config in (ours.get_config(), theirs.get_config()):
            with pytest.raises(TypeError, match="Error when deserializing"):
                theirs_cls.from_config(config)
        return
    from_jkeras = theirs_cls.from_config(ours.get_config()).get_config()
    assert _differences(_plain(from_jkeras), _plain(theirs.get_config()), layers) == []


@pytest.mark.parametrize("module,name", CASES)
def test_serialize_equals_keras(module, name):
    key, layers = _key(module, name), module == "layers"
    ours, theirs = _make(jkeras, module, name), _make(keras, module, name)
    if layers:
        serialize, deserialize = serialize_layer, deserialize_layer
    else:
        namespace = importlib.import_module(f"jkeras.{module}")
        serialize, deserialize = namespace.serialize, namespace.deserialize
    keras_namespace = importlib.import_module(f"keras.{module}")
    ours_entry, theirs_entry = serialize(ours), keras_namespace.serialize(theirs)
    assert set(ours_entry) == {"module", "class_name", "config", "registered_name"}
    outer = {k: v for k, v in ours_entry.items() if k != "config"}
    skipped = {"config", "build_config"} if key in KERAS_WRITES_BUILD_CONFIG else {"config"}
    assert outer == {k: v for k, v in theirs_entry.items() if k not in skipped}
    differences = _compare(key, ours_entry["config"], theirs_entry["config"], layers)
    assert [
        d for d in differences if d.split(".", 1)[0] not in KERAS_WRITES_TENSOR.get(key, ())
    ] == []
    # jkeras deserializes Keras 3's entry, and Keras 3 jkeras's, into their own classes; where
    # Keras 3 cannot read even its own entry (its `losses.deserialize` returns
    # CategoricalGeneralizedCrossEntropy's entries as a string), it does no worse on jkeras's.
    assert type(deserialize(theirs_entry)) is type(ours)
    from_ours = _outcome(keras_namespace.deserialize, json.loads(json.dumps(_plain(ours_entry))))
    assert from_ours in (type(theirs), _outcome(keras_namespace.deserialize, theirs_entry))


def _outcome(function, argument):
    try:
        return type(function(argument))
    except Exception as error:  # noqa: BLE001 - the kind of failure is what is compared
        return type(error)


def test_keras_classes_jkeras_lacks():
    lacking = {
        module: set(_classes("keras", module)) - set(_classes("jkeras", module))
        for module in MODULES
    }
    for module in MODULES:
        gained = KERAS_CLASSES_JKERAS_LACKS[module] - lacking[module]
        lost = lacking[module] - KERAS_CLASSES_JKERAS_LACKS[module]
        assert not gained, f"jkeras.{module} now has {sorted(gained)}: remove them from the list"
        assert not lost, f"jkeras.{module} lacks {sorted(lost)}, which Keras 3 has"


def test_every_case_is_checked():
    """Each module contributes cases, and every kwargs entry names a shared class."""
    assert {module for module, _ in CASES} == set(MODULES)
    keys = {_key(module, name) for module, name in CASES}
    assert set(KWARGS) <= keys, sorted(set(KWARGS) - keys)
