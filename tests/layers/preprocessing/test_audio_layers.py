"""The STFT initializer, STFTSpectrogram and MelSpectrogram against Keras 3 (JAX backend)."""

import jax
import keras
import numpy as np
import pytest

import jkeras

RNG = np.random.RandomState(0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"side": "imag"},
        {"window": "hamming", "scaling": "spectrum", "periodic": True},
        {"window": None},
        {"window": np.linspace(0.0, 1.0, 16), "scaling": None},
    ],
    ids=str,
)
def test_stft_initializer_matches_keras(kwargs):
    got = np.asarray(jkeras.initializers.STFT(**kwargs)((16, 1, 9)))
    expected = np.asarray(keras.initializers.STFT(**kwargs)((16, 1, 9)))
    np.testing.assert_allclose(got, expected, atol=1e-7)
    if not isinstance(kwargs.get("window"), np.ndarray):
        assert (
            jkeras.initializers.STFT(**kwargs).get_config()
            == keras.initializers.STFT(**kwargs).get_config()
        )


def test_stft_initializer_names_and_errors():
    assert jkeras.initializers.STFTInitializer is jkeras.initializers.STFT
    assert jkeras.initializers.stft is jkeras.initializers.STFT
    assert isinstance(jkeras.initializers.get("STFTInitializer"), jkeras.initializers.STFT)
    config = jkeras.initializers.serialize(jkeras.initializers.STFT("imag", "hamming"))
    assert config == keras.initializers.serialize(keras.initializers.STFT("imag", "hamming"))
    with pytest.raises(ValueError, match="side should be"):
        jkeras.initializers.STFT(side="both")
    with pytest.raises(ValueError, match="Scaling is invalid"):
        jkeras.initializers.STFT(scaling="peak")
    with pytest.raises(ValueError):
        jkeras.initializers.STFT(window="no_such_window")


STFT_CASES = [
    {"frame_length": 64},
    {"mode": "magnitude", "frame_length": 64, "frame_step": 16},
    {"mode": "psd", "frame_length": 50, "fft_length": 64, "padding": "same", "scaling": "spectrum"},
    {
        "mode": "real",
        "expand_dims": True,
        "window": "hamming",
        "periodic": True,
        "frame_length": 32,
    },
    {"mode": "imag", "frame_length": 32},
    {"mode": "angle", "frame_length": 32},
    {"mode": "stft", "frame_length": 32, "expand_dims": True, "window": None},
]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_stft_spectrogram_matches_keras(data_format):
    shape = (2, 200, 3) if data_format == "channels_last" else (2, 3, 200)
    x = RNG.randn(*shape).astype("float32")
    cases = STFT_CASES if data_format == "channels_last" else STFT_CASES[::3]
    for kwargs in cases:
        kwargs = dict(kwargs, data_format=data_format, name="stft")
        ours, theirs = (
            jkeras.layers.STFTSpectrogram(**kwargs),
            keras.layers.STFTSpectrogram(**kwargs),
        )
        got, expected = np.asarray(ours(x)), np.asarray(theirs(x))
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=2e-5, rtol=1e-5)
        assert ours.compute_output_shape((None,) + shape[1:]) == tuple(
            theirs.compute_output_shape((None,) + shape[1:])
        )
        assert [v.name for v in ours.trainable_weights] == [
            v.name for v in theirs.trainable_weights
        ]
        assert ours.get_config() == theirs.get_config()


def test_stft_spectrogram_errors():
    with pytest.raises(ValueError, match="frame_step"):
        jkeras.layers.STFTSpectrogram(frame_length=8, frame_step=9)
    with pytest.raises(ValueError, match="fft_length"):
        jkeras.layers.STFTSpectrogram(frame_length=64, fft_length=32)
    with pytest.raises(ValueError, match="Output mode is invalid"):
        jkeras.layers.STFTSpectrogram(mode="phase")
    with pytest.warns(UserWarning, match="power of two"):
        jkeras.layers.STFTSpectrogram(frame_length=60, fft_length=100)
    with pytest.raises(TypeError, match="Invalid input type"):
        jkeras.layers.STFTSpectrogram()(np.ones((1, 300, 1), dtype="int32"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fft_length": 256, "sequence_stride": 64, "num_mel_bins": 20},
        {
            "fft_length": 128,
            "sequence_stride": 32,
            "sequence_length": 100,
            "window": "hamming",
            "power_to_db": False,
            "mag_exp": 1.0,
            "num_mel_bins": 10,
            "max_freq": 6000,
        },
        {
            "fft_length": 64,
            "sequence_stride": 16,
            "window": None,
            "top_db": 20.0,
            "num_mel_bins": 16,
            "ref_power": 2.0,
        },
    ],
    ids=["default", "hamming-linear", "no-window"],
)
def test_mel_spectrogram_matches_keras(kwargs):
    x = RNG.randn(2, 1000).astype("float32")
    ours = jkeras.layers.MelSpectrogram(name="mel", **kwargs)
    theirs = keras.layers.MelSpectrogram(name="mel", **kwargs)
    # Called eagerly, Keras 3 runs this data layer on its TensorFlow backend; its JAX code
    # (compiled, as in a model) is the reference here.
    theirs.backend.set_backend("jax")
    for inputs in (x, x[0]):
        got, expected = np.asarray(ours(inputs)), np.asarray(jax.jit(theirs.call)(inputs))
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)
    assert ours.compute_output_shape((None, 1000)) == tuple(
        theirs.compute_output_shape((None, 1000))
    )
    assert ours.get_config() == theirs.get_config()


def test_mel_spectrogram_in_a_compiled_model():
    model = jkeras.Sequential(
        [
            jkeras.Input((1000,)),
            jkeras.layers.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=8),
        ]
    )
    x = RNG.randn(3, 1000).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), model(x), rtol=1e-5, atol=1e-4)
    with pytest.raises(ValueError, match="fft_length"):
        jkeras.layers.MelSpectrogram(fft_length=64, sequence_length=128)
