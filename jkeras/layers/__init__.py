"""`jkeras.layers`: the layer classes, with Keras 3's names."""

from jkeras.layers.activations.elu import ELU
from jkeras.layers.activations.leaky_relu import LeakyReLU
from jkeras.layers.activations.prelu import PReLU
from jkeras.layers.activations.relu import ReLU
from jkeras.layers.activations.softmax import Softmax
from jkeras.layers.attention.additive_attention import AdditiveAttention
from jkeras.layers.attention.attention import Attention
from jkeras.layers.attention.multi_head_attention import MultiHeadAttention
from jkeras.layers.convolutional.conv1d import Conv1D, Convolution1D
from jkeras.layers.convolutional.conv1d_transpose import Conv1DTranspose, Convolution1DTranspose
from jkeras.layers.convolutional.conv2d import Conv2D, Convolution2D
from jkeras.layers.convolutional.conv2d_transpose import Conv2DTranspose, Convolution2DTranspose
from jkeras.layers.convolutional.conv3d import Conv3D, Convolution3D
from jkeras.layers.convolutional.conv3d_transpose import Conv3DTranspose, Convolution3DTranspose
from jkeras.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from jkeras.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from jkeras.layers.convolutional.separable_conv1d import SeparableConv1D, SeparableConvolution1D
from jkeras.layers.convolutional.separable_conv2d import SeparableConv2D, SeparableConvolution2D
from jkeras.layers.core.activation import Activation
from jkeras.layers.core.dense import Dense
from jkeras.layers.core.embedding import Embedding
from jkeras.layers.core.identity import Identity
from jkeras.layers.core.input_layer import Input, InputLayer
from jkeras.layers.core.lambda_layer import Lambda
from jkeras.layers.core.masking import Masking
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer
from jkeras.layers.merging.dot import Dot
from jkeras.layers.merging.merge import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)
from jkeras.layers.normalization.batch_normalization import BatchNormalization
from jkeras.layers.normalization.group_normalization import GroupNormalization
from jkeras.layers.normalization.layer_normalization import LayerNormalization
from jkeras.layers.normalization.unit_normalization import UnitNormalization
from jkeras.layers.pooling.average_pooling1d import AveragePooling1D, AvgPool1D
from jkeras.layers.pooling.average_pooling2d import AveragePooling2D, AvgPool2D
from jkeras.layers.pooling.average_pooling3d import AveragePooling3D, AvgPool3D
from jkeras.layers.pooling.global_average_pooling1d import GlobalAveragePooling1D, GlobalAvgPool1D
from jkeras.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D, GlobalAvgPool2D
from jkeras.layers.pooling.global_average_pooling3d import GlobalAveragePooling3D, GlobalAvgPool3D
from jkeras.layers.pooling.global_max_pooling1d import GlobalMaxPool1D, GlobalMaxPooling1D
from jkeras.layers.pooling.global_max_pooling2d import GlobalMaxPool2D, GlobalMaxPooling2D
from jkeras.layers.pooling.global_max_pooling3d import GlobalMaxPool3D, GlobalMaxPooling3D
from jkeras.layers.pooling.max_pooling1d import MaxPool1D, MaxPooling1D
from jkeras.layers.pooling.max_pooling2d import MaxPool2D, MaxPooling2D
from jkeras.layers.pooling.max_pooling3d import MaxPool3D, MaxPooling3D
from jkeras.layers.preprocessing.normalization import Normalization
from jkeras.layers.preprocessing.rescaling import Rescaling
from jkeras.layers.registry import LAYERS, deserialize, serialize
from jkeras.layers.regularization.activity_regularization import ActivityRegularization
from jkeras.layers.regularization.dropout import Dropout
from jkeras.layers.regularization.gaussian_dropout import GaussianDropout
from jkeras.layers.regularization.gaussian_noise import GaussianNoise
from jkeras.layers.regularization.spatial_dropout import (
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from jkeras.layers.reshaping.cropping1d import Cropping1D
from jkeras.layers.reshaping.cropping2d import Cropping2D
from jkeras.layers.reshaping.flatten import Flatten
from jkeras.layers.reshaping.permute import Permute
from jkeras.layers.reshaping.repeat_vector import RepeatVector
from jkeras.layers.reshaping.reshape import Reshape
from jkeras.layers.reshaping.up_sampling1d import UpSampling1D
from jkeras.layers.reshaping.up_sampling2d import UpSampling2D
from jkeras.layers.reshaping.zero_padding1d import ZeroPadding1D
from jkeras.layers.reshaping.zero_padding2d import ZeroPadding2D
from jkeras.layers.rnn.bidirectional import Bidirectional
from jkeras.layers.rnn.gru import GRU, GRUCell
from jkeras.layers.rnn.lstm import LSTM, LSTMCell
from jkeras.layers.rnn.rnn import RNN
from jkeras.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from jkeras.layers.rnn.time_distributed import TimeDistributed

from jkeras.layers.preprocessing.category_encoding import CategoryEncoding
from jkeras.layers.preprocessing.discretization import Discretization
from jkeras.layers.preprocessing.hashed_crossing import HashedCrossing
from jkeras.layers.preprocessing.hashing import Hashing
from jkeras.layers.preprocessing.integer_lookup import IntegerLookup
from jkeras.layers.preprocessing.mel_spectrogram import MelSpectrogram
from jkeras.layers.preprocessing.stft_spectrogram import STFTSpectrogram
from jkeras.layers.preprocessing.string_lookup import StringLookup
from jkeras.layers.preprocessing.text_vectorization import TextVectorization
# --- image preprocessing (jkeras/layers/preprocessing/image/) ---
from jkeras.layers.preprocessing.image.aug_mix import AugMix
from jkeras.layers.preprocessing.image.auto_contrast import AutoContrast
from jkeras.layers.preprocessing.image.center_crop import CenterCrop
from jkeras.layers.preprocessing.image.clahe import ContrastLimitedAdaptiveHistogramEqualization
from jkeras.layers.preprocessing.image.cut_mix import CutMix
from jkeras.layers.preprocessing.image.equalization import Equalization
from jkeras.layers.preprocessing.image.max_num_bounding_boxes import MaxNumBoundingBoxes
from jkeras.layers.preprocessing.image.mix_up import MixUp
from jkeras.layers.preprocessing.image.rand_augment import RandAugment
from jkeras.layers.preprocessing.image.random_brightness import RandomBrightness
from jkeras.layers.preprocessing.image.random_color_degeneration import RandomColorDegeneration
from jkeras.layers.preprocessing.image.random_color_jitter import RandomColorJitter
from jkeras.layers.preprocessing.image.random_contrast import RandomContrast
from jkeras.layers.preprocessing.image.random_crop import RandomCrop
from jkeras.layers.preprocessing.image.random_elastic_transform import RandomElasticTransform
from jkeras.layers.preprocessing.image.random_erasing import RandomErasing
from jkeras.layers.preprocessing.image.random_flip import RandomFlip
from jkeras.layers.preprocessing.image.random_gaussian_blur import RandomGaussianBlur
from jkeras.layers.preprocessing.image.random_grayscale import RandomGrayscale
from jkeras.layers.preprocessing.image.random_hue import RandomHue
from jkeras.layers.preprocessing.image.random_invert import RandomInvert
from jkeras.layers.preprocessing.image.random_perspective import RandomPerspective
from jkeras.layers.preprocessing.image.random_posterization import RandomPosterization
from jkeras.layers.preprocessing.image.random_rotation import RandomRotation
from jkeras.layers.preprocessing.image.random_saturation import RandomSaturation
from jkeras.layers.preprocessing.image.random_sharpness import RandomSharpness
from jkeras.layers.preprocessing.image.random_shear import RandomShear
from jkeras.layers.preprocessing.image.random_translation import RandomTranslation
from jkeras.layers.preprocessing.image.random_zoom import RandomZoom
from jkeras.layers.preprocessing.image.resizing import Resizing
from jkeras.layers.preprocessing.image.solarization import Solarization
from jkeras.layers.preprocessing.pipeline import Pipeline
# --- modern layers, JAX interop, functional merge helpers (issue #20) ---
from jkeras.layers.attention.grouped_query_attention import (
    GroupedQueryAttention as GroupQueryAttention,
)
from jkeras.layers.core.einsum_dense import EinsumDense
from jkeras.layers.core.flax_layer import FlaxLayer
from jkeras.layers.core.jax_layer import JaxLayer
from jkeras.layers.core.reversible_embedding import ReversibleEmbedding
from jkeras.layers.core.wrapper import Wrapper
from jkeras.layers.merging.functional import (
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from jkeras.layers.normalization.rms_normalization import RMSNormalization
from jkeras.layers.normalization.spectral_normalization import SpectralNormalization
from jkeras.layers.pooling.adaptive_average_pooling1d import AdaptiveAveragePooling1D
from jkeras.layers.pooling.adaptive_average_pooling2d import AdaptiveAveragePooling2D
from jkeras.layers.pooling.adaptive_average_pooling3d import AdaptiveAveragePooling3D
from jkeras.layers.pooling.adaptive_max_pooling1d import AdaptiveMaxPooling1D
from jkeras.layers.pooling.adaptive_max_pooling2d import AdaptiveMaxPooling2D
from jkeras.layers.pooling.adaptive_max_pooling3d import AdaptiveMaxPooling3D
from jkeras.layers.regularization.alpha_dropout import AlphaDropout
from jkeras.layers.reshaping.cropping3d import Cropping3D
from jkeras.layers.reshaping.up_sampling3d import UpSampling3D
from jkeras.layers.reshaping.zero_padding3d import ZeroPadding3D
from jkeras.layers.rnn.conv_lstm1d import ConvLSTM1D
from jkeras.layers.rnn.conv_lstm2d import ConvLSTM2D
from jkeras.layers.rnn.conv_lstm3d import ConvLSTM3D
from jkeras.layers.rnn.stacked_rnn_cells import StackedRNNCells
# --- layer exports: append one import line per module above this line ---

for _name, _value in dict(globals()).items():
    if isinstance(_value, type) and issubclass(_value, Layer):
        LAYERS.register(_value, name=_name)
LAYERS.register(Layer, module="keras")  # Keras 3 exports the base class as `keras.Layer`
# Keras 3's class `GroupedQueryAttention` is exported (and written in configs) under this name;
# its default layer names and weight-file keys follow the class name, as here.
LAYERS.register(GroupQueryAttention, class_name="GroupQueryAttention")
