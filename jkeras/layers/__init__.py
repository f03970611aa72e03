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
# --- layer exports: append one import line per module above this line ---

for _name, _value in dict(globals()).items():
    if isinstance(_value, type) and issubclass(_value, Layer):
        LAYERS.register(_value, name=_name)
LAYERS.register(Layer, module="keras")  # Keras 3 exports the base class as `keras.Layer`
