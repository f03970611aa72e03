"""Helpers shared by the tests: closeness of array structures, small datasets and models, and
`run_layer_test`, the checks every layer test runs (modelled on Keras 3's
`keras.src.testing.TestCase.run_layer_test`, on jkeras's public API, with Keras 3 itself as the
reference)."""

import contextlib
import json
import os
import tempfile
import types

import jax
import keras
import numpy as np

import jkeras

_standardize = jkeras.backend.standardize_dtype


def assert_close(actual, expected, rtol=1e-6, atol=1e-6, err_msg=""):
    """`actual` and `expected` (arrays, or the same structure of arrays) agree elementwise within
    `rtol`/`atol`, leaf by leaf, with the same number of leaves and the same shapes. A nested
    list of numbers, or a list facing one array, is compared as one array (`np.asarray`)."""
    if _is_number_list(actual) or _is_number_list(expected) or _list_and_array(actual, expected):
        actual, expected = np.asarray(actual), np.asarray(expected)
    actual_leaves, expected_leaves = _leaves(actual), _leaves(expected)
    assert len(actual_leaves) == len(expected_leaves), (
        f"{err_msg} {len(actual_leaves)} arrays, expected {len(expected_leaves)}")
    for a, e in zip(actual_leaves, expected_leaves):
        np.testing.assert_allclose(np.asarray(a), np.asarray(e), rtol=rtol, atol=atol,
                                   err_msg=err_msg)


def _leaves(tree):
    return jax.tree_util.tree_leaves(tree, is_leaf=lambda x: hasattr(x, "shape"))


def _list_and_array(a, b):
    def is_list(v):
        return isinstance(v, (list, tuple))

    def is_array(v):
        return hasattr(v, "shape") or isinstance(v, (int, float, np.number))

    return (is_list(a) and is_array(b)) or (is_array(a) and is_list(b))


def _is_number_list(value):
    return isinstance(value, (list, tuple)) and all(
        isinstance(x, (int, float, np.number)) for x in jax.tree_util.tree_leaves(value))


# ------------------------------------------------------------------ small datasets and models


def classification_data(n=64, features=4, classes=3, seed=0):
    """`(x, y)`: `x` float32 `(n, features)` from a seeded standard normal, `y` int32 labels
    `argmax(x[:, :classes])`, so that they depend on the inputs and training makes progress."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    return x, x[:, :classes].argmax(axis=1).astype("int32")


def regression_data(n=64, features=4, seed=0, noise=False):
    """`(x, y)`: `x` float32 `(n, features)` from a seeded standard normal; `y` float32 `(n, 1)`,
    `x @ [1, -2, 0.5, 0, ...]` (learnable), or with `noise` independent normal draws."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    if noise:
        return x, rng.normal(size=(n, 1)).astype("float32")
    weights = np.zeros((features, 1))
    weights[:3, 0] = [1.0, -2.0, 0.5][:features]
    return x, (x @ weights).astype("float32")


def mlp(library=jkeras, inputs=4, hidden=(8,), outputs=2, output_activation=None,
        dropout=None, batch_norm=False):
    """A small `library.Sequential` (jkeras or keras): `Input((inputs,))`, for each size in
    `hidden` a relu `Dense` (then `Dropout(dropout)` and `BatchNormalization()` when asked),
    and a `Dense(outputs, output_activation)`."""
    stack = [library.Input((inputs,))]
    for units in hidden:
        stack.append(library.layers.Dense(units, activation="relu"))
        if dropout:
            stack.append(library.layers.Dropout(dropout))
        if batch_norm:
            stack.append(library.layers.BatchNormalization())
    stack.append(library.layers.Dense(outputs, activation=output_activation))
    return library.Sequential(stack)


# ------------------------------------------------------------------------- run_layer_test


def run_layer_test(
    layer_cls,
    init_kwargs=None,
    *,
    input_shape=None,
    input_dtype=None,
    input_data=None,
    call_kwargs=None,
    expected_output_shape=None,
    expected_output_dtype=None,
    expected_output=None,
    expected_num_trainable_weights=None,
    expected_num_non_trainable_weights=None,
    expected_num_seed_generators=None,
    expected_num_losses=None,
    supports_masking=None,
    keras_cls="auto",
    keras_config_exceptions=None,
    compare_with_keras=False,
    weights_from="jkeras",
    compare_gradients=True,
    rtol=1e-5,
    atol=1e-5,
    run_eager_check=True,
    run_training_check=True,
    run_mixed_precision_check=True,
    mixed_precision_policy="mixed_float16",
    run_saving_check=False,
    custom_objects=None,
):
    """Run the checks every layer should pass, on tiny inputs; returns what they built.

    Where Keras 3 has the class (`keras_cls`), Keras's layer is the reference for what is not
    given explicitly; an explicit expectation that differs from Keras's is a deliberate
    difference (say why where you pass it). The checks:
    1. Config: `get_config()` survives JSON, `from_config` round-trips it exactly, and it
       equals Keras's config for the same class and `init_kwargs` (floats to 6 digits, lists
       as tuples, `name` only when given).
    2. Build: `build(shapes)` marks the layer built and creates the expected numbers of
       trainable and non-trainable weights and seed generators (given, else Keras's).
    3. Symbolic call on `jkeras.Input`s (a new instance, used by checks 4-6 and 8): it builds
       the layer with the same counts; output shapes and dtypes are the expected ones (given,
       else Keras's symbolic outputs'); `supports_masking` is (given, else) Keras's.
    4. Eager call (with `run_eager_check=False`, one jitted `stateless_call` instead: one
       compilation rather than one per operation, for the argument variants of a class whose
       eager call another case checks): outputs of the symbolic shapes and dtypes;
       `expected_output` and `expected_num_losses` (weight penalties included) when given.
    5. With `compare_with_keras`: Keras's layer gets the same weights (those of the layer
       named by `weights_from`, the trainable ones shifted by a seeded random perturbation so
       that zero biases and unit scales count: zero initializers make both builds cheap;
       non-trainable statistics such as variances are kept as initialized), and one
       `jax.jit` of both `stateless_call`s gives the same, finite, outputs, new non-trainable
       weights and (with `compare_gradients`) gradients of a fixed projection of the floating
       outputs with respect to the trainable weights and the floating inputs; check 4's
       output agrees. Weight paths (below the layer's name) and shapes must be Keras's.
    6. Mixed precision: a new layer made with `dtype=mixed_precision_policy` gives outputs of
       the dtypes of its `compute_output_spec` for inputs cast to its compute dtype, and of
       Keras's layer's; its floating weights are float32. The call is evaluated abstractly
       (`jax.eval_shape` of `stateless_call`): dtypes are fixed when tracing.
    7. With `run_saving_check`: a functional model around the layer survives a `.keras`
       save/load with the same config and outputs.
    8. Training, for a layer with trainable weights (a layer without has nothing to train;
       the jitted calls already trace it): one `fit` step of a model around the layer (loss:
       the mean square of its floating outputs plus the layer's losses) gives a finite loss
       and weights and changes a weight; the weights are then restored.

    Args:
        layer_cls: the jkeras layer class.
        init_kwargs: the constructor's arguments.
        input_shape: a shape tuple (one input), a list of shape tuples (a list argument) or a
            dict `{"<argument>_shape": shape}` (keyword arguments, Keras's convention);
            inputs of those shapes are drawn with a seeded numpy generator (floats normal,
            integers in [0, 3)). Exclusive with `input_data`.
        input_dtype: the dtype (or structure of dtypes) of `input_shape`'s inputs; float32.
        input_data: arrays in one of those structures (dicts keyed by argument names).
        call_kwargs: further call arguments (`training`, `mask`, ...).
        expected_output_shape, expected_output_dtype: of the output (a structure for several).
        expected_output: the output's values (within `rtol`/`atol`); not with
            `compare_with_keras`, which changes the weights.
        expected_num_trainable_weights, expected_num_non_trainable_weights,
            expected_num_seed_generators, expected_num_losses, supports_masking: as named.
        keras_cls: the Keras 3 class to compare with (any callable taking `init_kwargs`, e.g.
            one that builds a wrapper's Keras sublayer); "auto": `keras.layers.<same name>` if
            it exists; None: no comparison with Keras.
        keras_config_exceptions: `{config key: why}` for keys whose presence or value
            differs from Keras's config on purpose.
        compare_with_keras: run check 5.
        weights_from: "jkeras" or "keras", whose initialized weights both layers get (5).
        compare_gradients: compare gradients too in check 5.
        rtol, atol: the tolerances of checks 4, 5 and 7.
        run_eager_check: whether check 4's call is eager.
        run_mixed_precision_check, run_saving_check, run_training_check: checks 6, 7, 8.
        mixed_precision_policy: "mixed_float16" or "mixed_bfloat16".
        custom_objects: for `from_config` and `load_model`.

    Returns:
        A namespace with `layer` (the jkeras layer of checks 3-5, 7, 8, with its weights as
        check 8 found them),
        `output` (check 4's output, with check 5's weights when it ran), `keras_layer` (None
        when Keras has no such class), and from check 5 (else None) `keras_output` and
        `new_state`: the new non-trainable weights of both jitted calls, `(ours, Keras's)`.
    """
    if (input_shape is None) == (input_data is None):
        raise ValueError("run_layer_test needs exactly one of `input_shape` and `input_data`.")
    if expected_output is not None and (expected_output_shape is not None or compare_with_keras):
        raise ValueError("`expected_output` excludes `expected_output_shape` and "
                         "`compare_with_keras` (which sets new weights).")
    if weights_from not in ("jkeras", "keras"):
        raise ValueError(f"`weights_from` must be 'jkeras' or 'keras'. Received: {weights_from!r}")
    init_kwargs, call_kwargs = dict(init_kwargs or {}), dict(call_kwargs or {})
    if keras_cls == "auto":
        keras_cls = getattr(keras.layers, layer_cls.__name__, None)
    if compare_with_keras and keras_cls is None:
        raise ValueError(f"Keras 3 has no class to compare {layer_cls.__name__} with.")
    inputs = _inputs(input_shape, input_dtype) if input_data is None else input_data
    expected = types.SimpleNamespace(
        counts=(expected_num_trainable_weights, expected_num_non_trainable_weights,
                expected_num_seed_generators),
        shape=expected_output_shape, dtype=expected_output_dtype, masking=supports_masking,
        output=expected_output, losses=expected_num_losses)

    _check_config(layer_cls, init_kwargs, keras_cls, keras_config_exceptions, custom_objects)
    keras_layer = None
    if keras_cls is not None:
        keras_layer = _keras_reference(keras_cls, init_kwargs, inputs, call_kwargs, expected,
                                       compare_with_keras, weights_from == "keras")
    layer, symbolic = _check_build_and_symbolic_call(layer_cls, init_kwargs, inputs,
                                                     call_kwargs, expected)
    keras_output = new_state = None
    if compare_with_keras:
        output, losses, keras_output, new_state = _compare_with_keras(
            layer, keras_layer, inputs, call_kwargs, weights_from, compare_gradients,
            run_eager_check, rtol, atol)
    else:
        output, losses = _run_call(layer, inputs, call_kwargs, run_eager_check)
    _check_call_outputs(layer, output, losses, symbolic, expected, rtol, atol)
    if run_mixed_precision_check:
        _check_mixed_precision(layer_cls, init_kwargs, inputs, call_kwargs,
                               mixed_precision_policy, keras_cls)
    if run_saving_check:
        _check_saving(layer, inputs, call_kwargs, custom_objects, rtol, atol)
    if run_training_check and layer.trainable_weights:  # else nothing to train
        _check_fit(layer, inputs, call_kwargs)
    return types.SimpleNamespace(layer=layer, output=output, keras_layer=keras_layer,
                                 keras_output=keras_output, new_state=new_state)


def _keras_reference(keras_cls, init_kwargs, inputs, call_kwargs, expected, compared,
                     initialize):
    """Keras's layer; its counts, output spec and `supports_masking` fill in the expected
    values not given (explicit ones take precedence: a deliberate difference). It is built by
    a symbolic call, or by `build` when its outputs will be `compared` (the real outputs then
    give the shapes and dtypes). Unless `initialize`, its variables are made in a
    `keras.StatelessScope`, where Keras defers their initializers (the weights are
    overwritten anyway)."""
    keras_layer = keras_cls(**init_kwargs)
    with contextlib.nullcontext() if initialize else keras.StatelessScope():
        if compared:
            _build(keras_layer, _shapes(inputs))
        else:
            symbolic = _call(keras_layer, _symbolic_inputs(keras, inputs), call_kwargs)
            expected.keras_shape = _shape_tree(symbolic)
            expected.keras_dtype = _dtype_tree(symbolic)
    expected.counts = _fill(expected.counts, _counts(keras_layer))
    if expected.masking is None:
        expected.masking = keras_layer.supports_masking
    return keras_layer


def _check_build_and_symbolic_call(layer_cls, init_kwargs, inputs, call_kwargs, expected):
    """Checks 2 and 3 of `run_layer_test`; returns the layer built by the symbolic call and
    its symbolic outputs."""
    built = layer_cls(**init_kwargs)
    _build(built, _shapes(inputs))
    assert built.built, f"{layer_cls.__name__}.build() did not mark the layer built"
    expected.counts = _merge(expected.counts, _counts(built), "after build():")

    layer = layer_cls(**init_kwargs)
    symbolic = _call(layer, _symbolic_inputs(jkeras, inputs), call_kwargs)
    _check_counts(layer, expected.counts, "after a symbolic call")
    _check_outputs(symbolic, expected.shape, expected.dtype, "symbolic output")
    if hasattr(expected, "keras_shape"):  # explicit expectations take precedence
        _check_outputs(symbolic, None if expected.shape else expected.keras_shape,
                       None if expected.dtype else expected.keras_dtype,
                       "symbolic output (Keras's)")
    if expected.masking is not None:
        assert layer.supports_masking == expected.masking, (
            f"supports_masking is {layer.supports_masking}, expected {expected.masking}")
    return layer, symbolic


def _run_call(layer, inputs, call_kwargs, eager):
    """`(outputs, losses)` of the layer on `inputs`: an eager call, or one jitted
    `stateless_call` (one compilation instead of one per operation)."""
    if eager:
        output = _call(layer, inputs, call_kwargs)
        return output, layer.losses
    state = ([v.value for v in layer.trainable_variables],
             [v.value for v in layer.non_trainable_variables])
    output, _, losses = jax.jit(lambda state, inputs: layer.stateless_call(
        *state, *_arguments(inputs, call_kwargs)[0], return_losses=True,
        **_arguments(inputs, call_kwargs)[1]))(state, inputs)
    return output, losses


def _check_call_outputs(layer, output, losses, symbolic, expected, rtol, atol):
    """Check 4 of `run_layer_test`."""
    _check_outputs(output, _shape_tree(symbolic), _dtype_tree(symbolic), "output")
    if expected.output is not None:
        assert_close(output, expected.output, rtol=rtol, atol=atol, err_msg="output")
    if expected.losses is not None:
        assert len(losses) == expected.losses, f"{len(losses)} losses, expected {expected.losses}"
    _check_counts(layer, expected.counts, "after a call")


# ------------------------------------------------------------------------ inputs and calls


def _is_shape(x):
    return isinstance(x, tuple) and all(d is None or isinstance(d, int) for d in x)


def _inputs(input_shape, input_dtype):
    """Seeded inputs of `input_shape`: a dict's `<argument>_shape` keys become `<argument>`."""
    rng = np.random.default_rng(0)
    if isinstance(input_shape, dict):
        input_shape = {key.removesuffix("_shape"): shape for key, shape in input_shape.items()}
        if isinstance(input_dtype, dict):
            input_dtype = {k.removesuffix("_shape"): d for k, d in input_dtype.items()}
    if input_dtype is None or isinstance(input_dtype, str):
        input_dtype = jax.tree_util.tree_map(lambda _: input_dtype or "float32", input_shape,
                                             is_leaf=_is_shape)

    def draw(shape, dtype):
        if jkeras.backend.is_float_dtype(dtype):
            return rng.standard_normal(shape).astype(dtype)
        if dtype == "bool":
            return rng.random(shape) < 0.5
        return rng.integers(0, 3, size=shape).astype(dtype)

    return jax.tree_util.tree_map(draw, input_shape, input_dtype, is_leaf=_is_shape)


def _shapes(inputs):
    """The build shapes of `inputs`: `{"<argument>_shape": shape}` for keyword inputs."""
    shapes = jax.tree_util.tree_map(lambda x: tuple(np.shape(x)), inputs)
    if isinstance(shapes, dict):
        return {f"{key}_shape": shape for key, shape in shapes.items()}
    return shapes


def _build(layer, shapes):
    if isinstance(shapes, dict):
        layer.build(**shapes)
    else:
        layer.build(shapes)


def _arguments(inputs, call_kwargs):
    """`(args, kwargs)` of a call on `inputs`: a dict holds keyword arguments."""
    if isinstance(inputs, dict):
        return (), {**inputs, **call_kwargs}
    return (inputs,), call_kwargs


def _call(layer, inputs, call_kwargs):
    args, kwargs = _arguments(inputs, call_kwargs)
    return layer(*args, **kwargs)


def _symbolic_inputs(library, inputs, batch_size="same"):
    """`library.Input`s like `inputs`; `batch_size=None` leaves the batch size unknown."""

    def symbolic(x):
        shape = tuple(np.shape(x))
        if batch_size is None:
            shape = (None,) + shape[1:]
        return library.Input(batch_shape=shape, dtype=_standardize(x.dtype))

    return jax.tree_util.tree_map(symbolic, inputs)


def _shape_tree(outputs):
    return jax.tree_util.tree_map(lambda x: tuple(x.shape), outputs, is_leaf=_has_shape)


def _dtype_tree(outputs):
    return jax.tree_util.tree_map(lambda x: _standardize(x.dtype), outputs, is_leaf=_has_shape)


def _has_shape(x):
    return hasattr(x, "shape") and hasattr(x, "dtype")


# ------------------------------------------------------------------------------- checks


def _normalized(value):
    """A config value as compared with Keras's: lists as tuples, floats to 6 digits (Keras
    keeps some factors in float32)."""
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(_normalized(v) for v in value)
    return float(f"{value:.6g}") if isinstance(value, float) else value


def run_config_test(layer_cls, init_kwargs=None, keras_cls="auto", keras_config_exceptions=None,
                    custom_objects=None):
    """Check 1 of `run_layer_test` alone (no inputs, nothing built): `layer_cls(**init_kwargs)`'s
    config survives JSON and `from_config`, and equals Keras 3's (arguments as
    `run_layer_test`'s). Returns the config."""
    init_kwargs = dict(init_kwargs or {})
    if keras_cls == "auto":
        keras_cls = getattr(keras.layers, layer_cls.__name__, None)
    return _check_config(layer_cls, init_kwargs, keras_cls, keras_config_exceptions,
                         custom_objects)


def _check_config(layer_cls, init_kwargs, keras_cls, exceptions, custom_objects):
    config = layer_cls(**init_kwargs).get_config()
    serialized = json.dumps(config)  # a `.keras` file stores configs as JSON
    with jkeras.saving.custom_object_scope(custom_objects or {}):
        revived = layer_cls.from_config(config)
        from_json = layer_cls.from_config(json.loads(serialized))
    assert revived.get_config() == config, "from_config(get_config()) changed the config"
    assert _normalized(from_json.get_config()) == _normalized(config), (
        "the config changed through JSON")
    if keras_cls is None:
        return config
    reference = keras_cls(**init_kwargs).get_config()
    ignored = set(exceptions or ()) | (set() if "name" in init_kwargs else {"name"})
    ours = {k: _normalized(v) for k, v in config.items() if k not in ignored}
    theirs = {k: _normalized(v) for k, v in reference.items() if k not in ignored}
    assert ours.keys() == theirs.keys(), (
        f"config keys differ from Keras's: only ours {sorted(ours.keys() - theirs.keys())}, "
        f"only Keras's {sorted(theirs.keys() - ours.keys())}")
    for key, value in theirs.items():
        assert ours[key] == value, f"config[{key!r}] = {ours[key]!r}, Keras's {value!r}"
    return config


def _counts(layer):
    """(trainable weights, non-trainable weights, seed generators): a seed generator's state is
    a non-trainable variable that is not a weight."""
    non_trainable = len(layer.non_trainable_weights)
    return (len(layer.trainable_weights), non_trainable,
            len(layer.non_trainable_variables) - non_trainable)


_COUNT_NAMES = ("trainable weights", "non-trainable weights", "seed generators")


def _fill(expected, found):
    return tuple(f if e is None else e for e, f in zip(expected, found))


def _merge(expected, found, source):
    """`expected` counts with the unknown ones taken from `found`; known ones must agree."""
    for name, e, f in zip(_COUNT_NAMES, expected, found):
        assert e is None or e == f, f"{source} {name}: {f}, expected {e}"
    return _fill(expected, found)


def _check_counts(layer, expected, when):
    assert layer.built, f"the layer is not built {when}"
    _merge(expected, _counts(layer), f"{when}:")


def _check_outputs(outputs, shapes, dtypes, what):
    if shapes is not None:
        got = _shape_tree(outputs)
        assert _matches(got, shapes), f"{what} shapes {got}, expected {shapes}"
    if dtypes is not None:
        got = _dtype_tree(outputs)
        assert got == dtypes or (isinstance(dtypes, str) and all(
            d == dtypes for d in jax.tree_util.tree_leaves(got))), (
            f"{what} dtypes {got}, expected {dtypes}")


def _matches(shapes, expected):
    """Shape structures agree; None in `expected` matches any size."""
    if _is_shape(expected) and _is_shape(shapes):
        return len(shapes) == len(expected) and all(
            e is None or e == s for s, e in zip(shapes, expected))
    if isinstance(expected, dict) and isinstance(shapes, dict):
        return shapes.keys() == expected.keys() and all(
            _matches(shapes[k], expected[k]) for k in expected)
    if isinstance(expected, (list, tuple)) and isinstance(shapes, (list, tuple)):
        return len(shapes) == len(expected) and all(map(_matches, shapes, expected))
    return False


# ------------------------------------------------------------------- comparison with Keras


def _relative_paths(layer):
    return [(v.path.split("/", 1)[-1], tuple(v.shape)) for v in layer.weights]


def _compare_with_keras(layer, keras_layer, inputs, call_kwargs, weights_from,
                        compare_gradients, eager, rtol, atol):
    """Check 5 of `run_layer_test`; returns our output (eager when `eager`) and its losses,
    Keras's output, and both new non-trainable weights, with the weights both layers were
    given."""
    assert _relative_paths(layer) == _relative_paths(keras_layer), (
        f"weights {_relative_paths(layer)}, Keras's {_relative_paths(keras_layer)}")
    source = {"jkeras": layer, "keras": keras_layer}[weights_from]
    rng = np.random.default_rng(1)
    trainable = [v.trainable for v in source.weights]  # statistics (variances) kept valid
    weights = [w + 0.25 * rng.standard_normal(w.shape).astype(w.dtype)
               if np.issubdtype(w.dtype, np.floating) and t else w
               for w, t in zip(source.get_weights(), trainable)]
    layer.set_weights(weights)
    keras_layer.set_weights(weights)
    states = [([v.value for v in lib_layer.trainable_variables],
               [v.value for v in lib_layer.non_trainable_variables])
              for lib_layer in (layer, keras_layer)]
    run = jax.jit(lambda states, inputs: [
        _differentiated_call(lib_layer, state, inputs, call_kwargs, compare_gradients)
        for lib_layer, state in zip((layer, keras_layer), states)])
    ours, theirs = run(states, inputs)
    assert all(np.all(np.isfinite(y)) for y in _leaves(ours["output"])
               if jkeras.backend.is_float_dtype(_standardize(y.dtype))), "non-finite output"
    _check_outputs(ours["output"], None, _dtype_tree(theirs["output"]), "output vs Keras's")
    assert_close(ours["output"], theirs["output"], rtol, atol, "output (jitted) vs Keras's")
    new_state = (_weights_of(layer, ours["state"]), _weights_of(keras_layer, theirs["state"]))
    assert_close(*new_state, rtol, atol, "new non-trainable weights")
    if compare_gradients:
        assert_close(ours["gradients"], theirs["gradients"], rtol, atol, "gradients")
    if not eager:
        return ours["output"], ours["losses"], theirs["output"], new_state
    output = _call(layer, inputs, call_kwargs)  # after the jitted call: it may update state
    assert_close(output, theirs["output"], rtol, atol, "eager output vs Keras's")
    losses = layer.losses
    layer.set_weights(weights)  # both layers hold the same weights again
    return output, losses, theirs["output"], new_state


def _weights_of(layer, non_trainable_values):
    """The values of the non-trainable weights among those of `non_trainable_variables` (seed
    generators' states left out)."""
    weights = {id(w) for w in layer.non_trainable_weights}
    return [value for variable, value in zip(layer.non_trainable_variables, non_trainable_values)
            if id(variable) in weights]


def _differentiated_call(layer, state, inputs, call_kwargs, with_gradients):
    """The outputs, new non-trainable state and (`with_gradients`) the gradients of a fixed
    projection of the floating outputs with respect to the trainable weights and the
    floating inputs, from `layer.stateless_call`."""
    trainable, non_trainable = state
    is_float = [jkeras.backend.is_float_dtype(_standardize(x.dtype))
                for x in jax.tree_util.tree_leaves(inputs)]
    treedef = jax.tree_util.tree_structure(inputs)
    leaves = jax.tree_util.tree_leaves(inputs)

    def loss(trainable, float_leaves):
        floats = iter(float_leaves)
        rebuilt = treedef.unflatten([next(floats) if f else x for x, f in zip(leaves, is_float)])
        args, kwargs = _arguments(rebuilt, call_kwargs)
        output, new_state, losses = layer.stateless_call(trainable, non_trainable, *args,
                                                         return_losses=True, **kwargs)
        return _projection(output), {"output": output, "state": new_state, "losses": losses}

    float_leaves = [x for x, f in zip(leaves, is_float) if f]
    if not with_gradients:
        return loss(trainable, float_leaves)[1]
    gradients, results = jax.grad(loss, argnums=(0, 1), has_aux=True)(trainable, float_leaves)
    return {**results, "gradients": gradients}


def _projection(outputs):
    """A scalar that depends on every element of every floating output, differently."""
    total = 0.0
    for y in jax.tree_util.tree_leaves(outputs):
        if jkeras.backend.is_float_dtype(_standardize(y.dtype)):
            weights = jax.numpy.cos(jax.numpy.arange(y.size, dtype="float32")).reshape(y.shape)
            total = total + jax.numpy.sum(y.astype("float32") * weights)
    return total


# --------------------------------------------------------- training, mixed precision, saving


class _LayerModel(jkeras.Model):
    """A model around one layer whose loss is the mean square of the layer's floating outputs
    (plus the layer's own losses), so `fit` needs no targets."""

    def __init__(self, layer, call_kwargs):
        super().__init__()
        self.layer = layer
        self.call_kwargs = {k: v for k, v in call_kwargs.items() if k != "training"}

    def call(self, inputs):
        return _call(self.layer, inputs, self.call_kwargs)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = super().compute_loss(x, y, y_pred, sample_weight, training)
        for output in jax.tree_util.tree_leaves(y_pred):
            if jkeras.backend.is_float_dtype(_standardize(output.dtype)):
                loss = loss + jkeras.ops.mean(jkeras.ops.square(output))
        return loss


def _check_fit(layer, inputs, call_kwargs):
    model = _LayerModel(layer, call_kwargs)
    model(_symbolic_inputs(jkeras, inputs))  # builds it, whatever the inputs' structure
    model.compile(optimizer="sgd")
    before = layer.get_weights()
    batch = len(jax.tree_util.tree_leaves(inputs)[0])
    history = model.fit(inputs, batch_size=batch, epochs=1, shuffle=False, verbose=0)
    loss = history.history["loss"][0]
    assert np.isfinite(loss), f"fit's loss is {loss}"
    after = layer.get_weights()
    assert all(np.all(np.isfinite(w)) for w in after if np.issubdtype(w.dtype, np.floating))
    assert any(not np.array_equal(a, b) for a, b in zip(before, after)), (
        "one fit step changed no weight")
    layer.set_weights(before)  # what the test checks beside the helper sees the same weights


def _check_mixed_precision(layer_cls, init_kwargs, inputs, call_kwargs, policy, keras_cls):
    """Check 6 of `run_layer_test`: nothing compiles (the call is only traced)."""
    layer = layer_cls(**{**init_kwargs, "dtype": policy})
    _build(layer, _shapes(inputs))
    state = ([v.value for v in layer.trainable_variables],
             [v.value for v in layer.non_trainable_variables])

    def call(state, inputs):
        args, kwargs = _arguments(inputs, call_kwargs)
        return layer.stateless_call(*state, *args, **kwargs)[0]

    output = jax.eval_shape(call, state, inputs)

    def spec(x):
        dtype = _standardize(x.dtype)
        if layer.autocast and jkeras.backend.is_float_dtype(dtype):
            dtype = layer.compute_dtype
        return jkeras.Input(batch_shape=tuple(np.shape(x)), dtype=dtype)

    specs = jax.tree_util.tree_map(spec, inputs)
    if isinstance(specs, dict):
        output_spec = layer.compute_output_spec(**specs, **call_kwargs)
    else:
        output_spec = layer.compute_output_spec(specs, **call_kwargs)
    _check_outputs(output, None, _dtype_tree(output_spec), f"{policy} output")
    if keras_cls is not None:
        keras_layer = keras_cls(**{**init_kwargs, "dtype": policy})
        with keras.StatelessScope():  # no initial values needed
            expected = _call(keras_layer, _symbolic_inputs(keras, inputs), call_kwargs)
        _check_outputs(output, None, _dtype_tree(expected), f"{policy} output (Keras's)")
    for weight in layer.weights:
        dtype = _standardize(weight.dtype)
        assert not jkeras.backend.is_float_dtype(dtype) or dtype == "float32", (
            f"{policy}: weight {weight.path} is {dtype}")


def _check_saving(layer, inputs, call_kwargs, custom_objects, rtol, atol):
    symbolic = _symbolic_inputs(jkeras, inputs, batch_size=None)
    model = jkeras.Model(symbolic, _call(layer, symbolic, call_kwargs))
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "layer.keras")
        model.save(path)
        loaded = jkeras.saving.load_model(path, custom_objects=custom_objects)
    assert loaded.get_config() == model.get_config()
    assert_close(loaded(inputs), model(inputs), rtol, atol, "output after .keras save/load")
