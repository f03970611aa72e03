"""Pooling layers against Keras 3 (JAX backend): outputs, gradients, shapes, masks, configs,
errors. Each comparison runs both layers inside one `jax.jit` (one compilation per case)."""

import numpy as np
import pytest

import jkeras
from jkeras import layers
from tests.helpers import run_config_test, run_layer_test

CF = "channels_first"


def random_input(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


POOL_CASES = [
    (name, kwargs, shape)
    for dims, shape, shape_cf in [
        (1, (2, 9, 3), (2, 3, 9)),
        (2, (2, 7, 8, 3), (2, 3, 7, 8)),
        (3, (2, 5, 6, 4, 2), (2, 2, 5, 6, 4)),
    ]
    for mode in ("Max", "Average")
    for name in [f"{mode}Pooling{dims}D"]
    for kwargs, shape in [
        ({"pool_size": 2}, shape),
        ({"pool_size": 3, "strides": 2, "padding": "same"}, shape),
        ({"pool_size": 3, "strides": 1, "padding": "valid", "data_format": CF}, shape_cf),
        ({"pool_size": 2, "padding": "same", "data_format": CF}, shape_cf),
    ]
]


def _case_id(case):
    name, kwargs, shape = case
    return f"{name}[{','.join(f'{k}={v}' for k, v in kwargs.items())}]{shape}"


def check_against_keras(cases, index, **options):
    """`run_layer_test` of `cases[index]` against Keras; the first case of each class also
    runs the eager call and the mixed-precision check."""
    name, kwargs, shape = cases[index]
    first = next(i for i, case in enumerate(cases) if case[0] == name) == index
    return run_layer_test(getattr(layers, name), kwargs, input_shape=shape,
                          compare_with_keras=True, run_eager_check=first,
                          run_mixed_precision_check=first, rtol=1e-6, atol=1e-6, **options)


GRADIENT_CASES = (1, 7, 13)


@pytest.mark.parametrize("index", range(len(POOL_CASES)), ids=map(_case_id, POOL_CASES))
def test_pooling_forward_and_gradients_match_keras(index):
    _, kwargs, shape = POOL_CASES[index]
    result = check_against_keras(POOL_CASES, index,
                                 compare_gradients=index in GRADIENT_CASES)
    ours, theirs = result.layer, result.keras_layer
    assert ours.compute_output_shape(shape) == result.output.shape
    batch_and_spatial_unknown = tuple(
        d if i == (1 if kwargs.get("data_format") == CF else len(shape) - 1) else None
        for i, d in enumerate(shape)
    )
    for query in (shape, batch_and_spatial_unknown):
        assert ours.compute_output_shape(query) == tuple(theirs.compute_output_shape(query))


GLOBAL_CASES = [
    (f"Global{mode}Pooling{dims}D", {"keepdims": keepdims, "data_format": data_format}, shape)
    for dims, shape in [(1, (2, 5, 3)), (2, (2, 5, 4, 3)), (3, (2, 3, 5, 4, 2))]
    for mode in ("Max", "Average")
    for keepdims, data_format in [(False, "channels_last"), (True, CF)]
]


@pytest.mark.parametrize("index", range(len(GLOBAL_CASES)), ids=map(_case_id, GLOBAL_CASES))
def test_global_pooling_matches_keras(index):
    _, kwargs, shape = GLOBAL_CASES[index]
    result = check_against_keras(GLOBAL_CASES, index, compare_gradients=False)
    ours, theirs = result.layer, result.keras_layer
    unknown = (None,) * (len(shape) - 1) + shape[-1:]
    if kwargs["data_format"] == CF:
        unknown = (None, shape[1]) + (None,) * (len(shape) - 2)
    for query in (shape, unknown):
        assert ours.compute_output_shape(query) == tuple(theirs.compute_output_shape(query))


@pytest.mark.parametrize("data_format", ["channels_last", CF])
def test_global_average_pooling1d_mask_matches_keras(data_format):
    x = random_input((3, 5, 4) if data_format == "channels_last" else (3, 4, 5))
    mask = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1], [0, 1, 0, 1, 0]], bool)
    run_layer_test(layers.GlobalAveragePooling1D, {"data_format": data_format}, input_data=x,
                   call_kwargs={"mask": mask}, compare_with_keras=True, rtol=1e-6, atol=1e-6)


def test_masked_mean_through_embedding_mask_zero():
    tokens = jkeras.Input(shape=(4,), dtype="int32")
    embedding = layers.Embedding(10, 3, mask_zero=True, embeddings_initializer="zeros")
    model = jkeras.Model(tokens, layers.GlobalAveragePooling1D()(embedding(tokens)))
    table = np.arange(30, dtype="float32").reshape(10, 3)
    embedding.set_weights([table])
    ids = np.array([[1, 2, 0, 0], [3, 0, 0, 0]], "int32")
    expected = np.stack([(table[1] + table[2]) / 2, table[3]])  # padding 0s left out
    np.testing.assert_allclose(model(ids), expected, rtol=1e-6)


def test_defaults_and_aliases_are_keras_ones():
    assert layers.MaxPooling1D().pool_size == (2,)
    assert layers.MaxPooling2D().pool_size == (2, 2) == layers.MaxPooling2D().strides
    assert layers.MaxPooling3D().pool_size == (2, 2, 2)
    with pytest.raises(TypeError):
        layers.AveragePooling2D()
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool3D is layers.AveragePooling3D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool1D is layers.GlobalMaxPooling1D
    inputs = jkeras.Input(shape=(None, None, 3))
    assert layers.MaxPooling2D(3, padding="same")(inputs).shape == (None, None, None, 3)
    assert layers.GlobalMaxPooling2D(keepdims=True)(inputs).shape == (None, 1, 1, 3)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("MaxPooling2D", {"pool_size": (3, 2), "strides": 1, "padding": "same"}),
        ("AveragePooling1D", {"pool_size": 3, "data_format": CF}),
        ("AveragePooling3D", {"pool_size": 2, "strides": (1, 2, 1)}),
        ("GlobalAveragePooling2D", {"keepdims": True}),
        ("GlobalMaxPooling3D", {"data_format": CF}),
    ],
)
def test_config_round_trip_and_matches_keras(name, kwargs):
    run_config_test(getattr(layers, name), {"name": "p", **kwargs})


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"'pool'.*expected ndim=4, found ndim=3"):
        layers.MaxPooling2D(name="pool")(np.ones((2, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"'pool'.*expected ndim=3, found ndim=4"):
        layers.GlobalAveragePooling1D(name="pool")(jkeras.Input(shape=(4, 4, 2)))
    with pytest.raises(ValueError, match=r"'pool'.*zero or negative.*\(2, 2, 5, 3\)"):
        layers.AveragePooling2D(3, name="pool")(np.ones((2, 2, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"'pool'.*zero or negative"):
        layers.MaxPooling1D(4, name="pool")(jkeras.Input(shape=(3, 2)))
    with pytest.raises(ValueError, match=r"`pool_size`.*'pool'.*> 0"):
        layers.MaxPooling2D((2, 0), name="pool")
    with pytest.raises(ValueError, match=r"`padding`.*'pool'.*'full'"):
        layers.AveragePooling1D(2, padding="full", name="pool")
    with pytest.raises(ValueError, match=r"`data_format`.*'pool'"):
        layers.GlobalMaxPooling2D(data_format="nhwc", name="pool")
