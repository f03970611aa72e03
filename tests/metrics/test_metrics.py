"""jkeras.metrics against Keras 3 (JAX backend), the stateless API under jit, get() and resolvers."""

import functools
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from jkeras import losses, metrics
from tests import helpers

assert_close = functools.partial(helpers.assert_close, rtol=1e-6, atol=1e-7)

B, C = 8, 5


def _rng(seed=0):
    return np.random.default_rng(seed)


def _probs(rng, shape):
    p = rng.uniform(0.01, 1.0, size=shape).astype("float32")
    return p / p.sum(-1, keepdims=True)


def _batch(kind, rng):
    if kind == "sparse":
        return rng.integers(0, C, size=(B,)), _probs(rng, (B, C))
    if kind == "sparse_col":
        return rng.integers(0, C, size=(B, 1)), _probs(rng, (B, C))
    if kind == "sparse_float":
        return rng.integers(0, C, size=(B,)).astype("float32"), _probs(rng, (B, C))
    if kind == "sparse_seq":
        return rng.integers(0, C, size=(B, 3)), _probs(rng, (B, 3, C))
    if kind == "onehot":
        return np.eye(C, dtype="float32")[rng.integers(0, C, size=B)], _probs(rng, (B, C))
    if kind == "binary":
        return rng.integers(0, 2, size=(B, 1)).astype("float32"), rng.uniform(size=(B, 1))
    if kind == "binary_flat":
        return rng.integers(0, 2, size=(B,)), rng.uniform(size=(B, 1)).astype("float32")
    if kind == "binary_multi":
        return rng.integers(0, 2, size=(B, C)), rng.uniform(size=(B, C)).astype("float32")
    if kind == "exact":
        y = rng.integers(0, 3, size=(B, C))
        return y, np.where(rng.uniform(size=(B, C)) < 0.5, y, 7).astype("float32")
    if kind == "regression":
        return rng.normal(size=(B, C)).astype("float32"), rng.normal(size=(B, C)).astype("float32")
    raise ValueError(kind)


def _weight(kind, rng, y_true):
    if kind is None:
        return None
    if kind == "per_sample":
        return rng.uniform(0, 2, size=(B,)).astype("float32")
    if kind == "column":
        return rng.uniform(0, 2, size=(B, 1)).astype("float32")
    if kind == "full":  # same shape as the labels
        return rng.uniform(0, 2, size=np.shape(y_true)).astype("float32")
    raise ValueError(kind)


# (id, class name, kwargs, batch kind)
CASES = [
    ("accuracy", "Accuracy", {}, "exact"),
    ("binary_accuracy", "BinaryAccuracy", {}, "binary"),
    ("binary_accuracy_flat", "BinaryAccuracy", {"threshold": 0.3}, "binary_flat"),
    ("binary_accuracy_multi", "BinaryAccuracy", {}, "binary_multi"),
    ("categorical_accuracy", "CategoricalAccuracy", {}, "onehot"),
    ("sparse_categorical_accuracy", "SparseCategoricalAccuracy", {}, "sparse"),
    ("sparse_categorical_accuracy_col", "SparseCategoricalAccuracy", {}, "sparse_col"),
    ("sparse_categorical_accuracy_float", "SparseCategoricalAccuracy", {}, "sparse_float"),
    ("sparse_categorical_accuracy_seq", "SparseCategoricalAccuracy", {}, "sparse_seq"),
    ("top_k", "TopKCategoricalAccuracy", {"k": 2}, "onehot"),
    ("sparse_top_k", "SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("sparse_top_k_col", "SparseTopKCategoricalAccuracy", {"k": 3}, "sparse_col"),
    ("mse", "MeanSquaredError", {}, "regression"),
    ("mae", "MeanAbsoluteError", {}, "regression"),
    ("rmse", "RootMeanSquaredError", {}, "regression"),
    ("bce", "BinaryCrossentropy", {}, "binary_multi"),
    ("cce", "CategoricalCrossentropy", {"label_smoothing": 0.1}, "onehot"),
    ("scce", "SparseCategoricalCrossentropy", {}, "sparse_col"),
    (
        "scce_logits_ignore",
        "SparseCategoricalCrossentropy",
        {"from_logits": True, "ignore_class": 1},
        "sparse_seq",
    ),
]


# Metrics whose per-sample values keep the label shape also take weights of that shape.
ELEMENTWISE = {"binary_accuracy_multi", "sparse_categorical_accuracy_seq", "scce_logits_ignore"}


def _weight_kinds(case_id):
    if case_id == "scce_logits_ignore":  # Keras, too, cannot mix (batch,) weights with the mask
        return [None, "column", "full"]
    kinds = [None, "per_sample", "column"]
    return kinds + ["full"] if case_id in ELEMENTWISE else kinds


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_metric_matches_keras_over_several_updates(case):
    _, cls_name, kwargs, batch_kind = case
    ours = getattr(metrics, cls_name)(**kwargs)
    theirs = getattr(keras.metrics, cls_name)(**kwargs)
    rng = _rng(len(case[0]))
    for weight_kind in _weight_kinds(case[0]):
        y_true, y_pred = _batch(batch_kind, rng)
        sw = _weight(weight_kind, rng, y_true)
        ours.update_state(y_true, y_pred, sample_weight=sw)
        theirs.update_state(y_true, y_pred, sample_weight=sw)
        assert_close(ours.result(), theirs.result())
    for ours_v, theirs_v in zip(ours.variables, theirs.variables):
        assert ours_v.name == theirs_v.name
        assert_close(ours_v.value, theirs_v.value)
    ours.reset_state()
    theirs.reset_state()
    assert_close(ours.result(), theirs.result())


@pytest.mark.parametrize("cls_name", ["Mean", "Sum"])
@pytest.mark.parametrize(
    "values_shape,weight_shape",
    [
        ((B,), None),
        ((B,), (B,)),
        ((B, C), (B,)),
        ((B, C), (B, 1)),
        ((B, 3, 2), (B, 3)),
        ((), None),
        ((B, 1), (B,)),
        ((B,), ()),
    ],
)
def test_reduction_metrics_match_keras(cls_name, values_shape, weight_shape):
    rng = _rng(7)
    ours, theirs = getattr(metrics, cls_name)(), getattr(keras.metrics, cls_name)()
    for _ in range(2):
        values = rng.normal(size=values_shape).astype("float32")
        sw = None if weight_shape is None else rng.uniform(size=weight_shape).astype("float32")
        ours.update_state(values, sample_weight=sw)
        theirs.update_state(values, sample_weight=sw)
        assert_close(ours.result(), theirs.result())
    assert_close([v.value for v in ours.variables], [v.value for v in theirs.variables])


def test_mean_metric_wrapper_with_custom_function():
    def abs_error(y_true, y_pred, scale=1.0):
        return scale * jnp.abs(y_true - y_pred)

    ours = metrics.MeanMetricWrapper(abs_error, name="abs", scale=2.0)
    theirs = keras.metrics.MeanMetricWrapper(abs_error, name="abs", scale=2.0)
    rng = _rng(8)
    for sw in (None, rng.uniform(size=(B,)).astype("float32")):
        y_true, y_pred = _batch("regression", rng)
        assert_close(
            ours(y_true, y_pred, sample_weight=sw), theirs(y_true, y_pred, sample_weight=sw)
        )
    assert ours.name == "abs"


@pytest.mark.parametrize(
    "fn_name,batch_kind,kwargs",
    [
        ("accuracy", "exact", {}),
        ("binary_accuracy", "binary_flat", {"threshold": 0.4}),
        ("categorical_accuracy", "onehot", {}),
        ("sparse_categorical_accuracy", "sparse_col", {}),
        ("sparse_categorical_accuracy", "sparse_seq", {}),
        ("top_k_categorical_accuracy", "onehot", {"k": 3}),
        ("sparse_top_k_categorical_accuracy", "sparse_col", {"k": 2}),
    ],
)
def test_accuracy_functions_match_keras(fn_name, batch_kind, kwargs):
    y_true, y_pred = _batch(batch_kind, _rng(9))
    ours = getattr(metrics, fn_name)(y_true, y_pred, **kwargs)
    from keras.src.metrics import accuracy_metrics

    theirs = getattr(accuracy_metrics, fn_name)(y_true, y_pred, **kwargs)
    assert ours.shape == theirs.shape
    assert_close(ours, theirs)


def test_sparse_top_k_from_sorted_ids_matches_keras():
    rng = _rng(10)
    y_true = rng.integers(0, C, size=(B,))
    ids = np.argsort(-rng.uniform(size=(B, C)), axis=-1)
    kwargs = {"k": 2, "from_sorted_ids": True}
    assert_close(
        metrics.SparseTopKCategoricalAccuracy(**kwargs)(y_true, ids),
        keras.metrics.SparseTopKCategoricalAccuracy(**kwargs)(y_true, ids),
    )


def test_accuracy_against_numpy():
    rng = _rng(11)
    y_true, y_pred = _batch("sparse_col", rng)
    sw = rng.uniform(size=(B,)).astype("float32")
    hits = (np.argmax(y_pred, -1) == y_true[:, 0]).astype("float64")
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(y_true, y_pred, sample_weight=sw)
    assert_close(m.result(), (hits * sw).sum() / sw.sum())
    top2 = np.argsort(-y_pred, -1)[:, :2]
    expected = np.mean([y in row for y, row in zip(y_true[:, 0], top2)])
    assert_close(metrics.SparseTopKCategoricalAccuracy(k=2)(y_true, y_pred), expected)


# ---- the stateless API ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric_fn,batch_kind",
    [
        (lambda: metrics.SparseCategoricalAccuracy(), "sparse_col"),
        (lambda: metrics.CategoricalCrossentropy(from_logits=True), "onehot"),
        (lambda: metrics.RootMeanSquaredError(), "regression"),
    ],
)
def test_stateless_api_under_jit_equals_eager(metric_fn, batch_kind):
    eager, pure = metric_fn(), metric_fn()
    rng = _rng(12)
    batches = [
        (*_batch(batch_kind, rng), rng.uniform(size=(B,)).astype("float32")) for _ in range(3)
    ]

    @jax.jit
    def run(state, batches):
        for y_true, y_pred, sw in batches:
            state = pure.stateless_update_state(state, y_true, y_pred, sample_weight=sw)
        return state, pure.stateless_result(state)

    state, result = run(pure.stateless_reset_state(), batches)
    for y_true, y_pred, sw in batches:
        eager.update_state(y_true, y_pred, sample_weight=sw)
    assert_close(result, eager.result())
    assert_close(state, [v.value for v in eager.variables])
    # The object itself was not touched by the pure API.
    assert_close([v.value for v in pure.variables], np.zeros(len(pure.variables)))
    # Reset gives the initial state even when the variables hold values.
    assert_close(eager.stateless_reset_state(), np.zeros(len(eager.variables)))
    assert_close([v.value for v in eager.variables], state)


class RootMeanSquaredError(metrics.Metric):
    """The book's custom metric, written against the object API (jnp in place of keras.ops)."""

    def __init__(self, name="rmse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
        self.total_samples = self.add_weight(name="total_samples", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = jax.nn.one_hot(y_true, num_classes=jnp.shape(y_pred)[1])
        mse = jnp.sum(jnp.square(y_true - y_pred))
        self.mse_sum.assign_add(mse)
        num_samples = jnp.shape(y_pred)[0]
        self.total_samples.assign_add(num_samples)

    def result(self):
        return jnp.sqrt(self.mse_sum / self.total_samples)

    def reset_state(self):
        self.mse_sum.assign(0.0)
        self.total_samples.assign(0.0)


def _numpy_rmse(batches):
    sq = sum(np.sum((np.eye(C)[y] - p) ** 2) for y, p in batches)
    return np.sqrt(sq / sum(len(y) for y, _ in batches))


def test_subclassed_metric_eagerly_and_inside_jit():
    rng = _rng(13)
    batches = [_batch("sparse", rng) for _ in range(3)]
    metric = RootMeanSquaredError()
    assert [v.path for v in metric.variables] == ["rmse/mse_sum", "rmse/total_samples"]
    assert all(not v.trainable for v in metric.variables)
    for y, p in batches:
        metric.update_state(y, p)
    assert_close(metric.result(), _numpy_rmse(batches), rtol=1e-5)

    @jax.jit
    def step(state, y, p):
        state = metric.stateless_update_state(state, y, p)
        return state, metric.stateless_result(state)

    state = metric.stateless_reset_state()
    assert [s.dtype for s in state] == [jnp.float32, jnp.float32]
    for y, p in batches:
        state, result = step(state, y, p)
    assert_close(result, metric.result())
    assert float(state[1]) == 3 * B
    # A scan over batches works too: the state is a plain list of arrays.
    ys, ps = (jnp.stack(x) for x in zip(*batches))
    final, _ = jax.lax.scan(
        lambda s, yp: (metric.stateless_update_state(s, *yp), None),
        metric.stateless_reset_state(),
        (ys, ps),
    )
    assert_close(metric.stateless_result(final), metric.result())
    metric.reset_state()
    assert float(metric.mse_sum) == 0.0 and float(metric.total_samples) == 0.0


def test_stateless_api_validates_lengths():
    metric = metrics.Mean()
    with pytest.raises(ValueError, match=r"1:1 to Mean\(\)\.variables.*length 1"):
        metric.stateless_update_state([jnp.zeros(())], jnp.ones(3))
    with pytest.raises(ValueError, match="metric_variables"):
        metric.stateless_result([jnp.zeros(())] * 3)


def test_call_updates_then_returns_result():
    m = metrics.Mean()
    assert_close(m([1.0, 3.0]), 2.0)
    assert_close(m([5.0]), 3.0)


def test_sub_metrics_are_tracked():
    class Pair(metrics.Metric):
        def __init__(self):
            super().__init__(name="pair")
            self.count = self.add_variable((), "zeros", name="count")
            self.parts = [metrics.Mean(name="a"), metrics.Sum(name="b")]

        def update_state(self, x):
            self.count.assign_add(1.0)
            for part in self.parts:
                part.update_state(x)

        def result(self):
            return self.parts[0].result() + self.parts[1].result()

    m = Pair()
    assert [v.name for v in m.variables] == ["count", "total", "count", "total"]
    state = jax.jit(m.stateless_update_state)(m.stateless_reset_state(), jnp.arange(4.0))
    assert_close(m.stateless_result(state), 1.5 + 6.0)


def test_missing_super_init_is_reported():
    class Broken(metrics.Metric):
        def __init__(self):
            pass

    with pytest.raises(RuntimeError, match="super"):
        Broken().add_variable((), "zeros")


# ---- get, resolvers, configs ---------------------------------------------------------------


def test_get_names_classes_instances_and_callables():
    for name, cls in [
        ("accuracy", metrics.Accuracy),
        ("acc", metrics.Accuracy),
        ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
        ("SparseCategoricalAccuracy", metrics.SparseCategoricalAccuracy),
        ("categorical_accuracy", metrics.CategoricalAccuracy),
        ("binary_accuracy", metrics.BinaryAccuracy),
        ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy),
        ("sparse_top_k_categorical_accuracy", metrics.SparseTopKCategoricalAccuracy),
        ("mse", metrics.MeanSquaredError),
        ("mae", metrics.MeanAbsoluteError),
        ("root_mean_squared_error", metrics.RootMeanSquaredError),
        ("bce", metrics.BinaryCrossentropy),
    ]:
        obj = metrics.get(name)
        assert type(obj) is cls, name
        if name != "acc":
            assert type(keras.metrics.get(name)).__name__ == cls.__name__, name
    assert metrics.get(None) is None
    instance = metrics.Mean()
    assert metrics.get(instance) is instance
    assert isinstance(metrics.get(metrics.Sum), metrics.Sum)

    def my_error(y_true, y_pred):
        return jnp.abs(y_true - y_pred)

    wrapped = metrics.get(my_error)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "my_error"
    wrapped = metrics.get(losses.mean_squared_error)
    assert wrapped.name == "mean_squared_error" and wrapped._direction == "down"


def test_get_unknown_lists_valid_names():
    with pytest.raises(ValueError, match="Valid names") as info:
        metrics.get("accurracy")
    assert "sparse_categorical_accuracy" in str(info.value)
    with pytest.raises(ValueError):
        metrics.get(42)


@pytest.mark.parametrize(
    "y_true_shape,y_pred_shape,expected",
    [
        ((B,), (B, 10), metrics.SparseCategoricalAccuracy),
        ((B, 1), (B, 10), metrics.SparseCategoricalAccuracy),
        ((B, 10), (B, 10), metrics.CategoricalAccuracy),
        ((B, 1), (B, 1), metrics.BinaryAccuracy),
        ((B,), (B, 1), metrics.BinaryAccuracy),
        ((B, 4, 1), (B, 4, 10), metrics.SparseCategoricalAccuracy),
    ],
)
def test_resolve_accuracy(y_true_shape, y_pred_shape, expected):
    metric = metrics.resolve_accuracy(y_true_shape, y_pred_shape)
    assert type(metric) is expected and metric.name == "accuracy"
    # Arrays work as well as shapes, and "acc" keeps its name, as in Keras' compile.
    metric = metrics.get_metric("acc", np.zeros(y_true_shape), np.zeros(y_pred_shape))
    assert type(metric) is expected and metric.name == "acc"


def test_resolve_accuracy_agrees_with_keras_compile():
    from keras.src.trainers.compile_utils import get_metric

    for y_shape, p_shape in [((B,), (B, 10)), ((B, 10), (B, 10)), ((B, 1), (B, 1))]:
        theirs = get_metric("accuracy", np.zeros(y_shape), np.zeros(p_shape))
        ours = metrics.get_metric("accuracy", y_shape, p_shape)
        assert type(ours).__name__ == type(theirs).__name__ and ours.name == theirs.name


def test_get_metric_names_like_keras_compile():
    metric = metrics.get_metric("mse")
    assert isinstance(metric, metrics.MeanSquaredError) and metric.name == "mse"
    metric = metrics.get_metric(metrics.BinaryAccuracy(name="ba"))
    assert metric.name == "ba"
    metric = metrics.get_metric(losses.mean_absolute_error)
    assert isinstance(metric, metrics.MeanMetricWrapper) and metric.name == "mean_absolute_error"


@pytest.mark.parametrize(
    "metric",
    [
        metrics.Mean(name="m"),
        metrics.BinaryAccuracy(threshold=0.7),
        metrics.SparseTopKCategoricalAccuracy(k=3, from_sorted_ids=True),
        metrics.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
        metrics.MeanMetricWrapper(losses.binary_crossentropy, name="w", from_logits=True),
        metrics.MeanMetricWrapper(metrics.sparse_top_k_categorical_accuracy, name="t", k=2),
    ],
)
def test_config_round_trip(metric):
    config = metric.get_config()
    clone = type(metric).from_config(config)
    assert clone.get_config() == config
    via_dict = metrics.get(metrics.serialize(metric))
    assert type(via_dict) is type(metric) and via_dict.get_config() == config


def test_config_matches_keras():
    for cls_name, kwargs in [
        ("Mean", {}),
        ("BinaryAccuracy", {"threshold": 0.7}),
        ("TopKCategoricalAccuracy", {"k": 3}),
        ("SparseCategoricalAccuracy", {}),
        ("CategoricalCrossentropy", {"from_logits": True}),
    ]:
        ours = getattr(metrics, cls_name)(**kwargs).get_config()
        theirs = getattr(keras.metrics, cls_name)(**kwargs).get_config()
        assert ours == theirs, cls_name


def test_add_variable_initializers():
    class M(metrics.Metric):
        def __init__(self):
            super().__init__(name="m")
            self.a = self.add_variable((2,), "ones", name="a")
            self.b = self.add_variable((2,), 3.0, dtype="int32", name="b")
            self.c = self.add_variable((2,), np.array([1.0, 2.0]), name="c")
            self.d = self.add_variable(
                (2,), lambda shape, dtype: jnp.full(shape, 5, dtype), name="d"
            )

    m = M()
    assert [v.dtype for v in m.variables] == ["float32", "int32", "float32", "float32"]
    assert_close([v.value for v in m.variables], [[1, 1], [3, 3], [1, 2], [5, 5]])
    assert m.variables[0].aggregation == "sum"
