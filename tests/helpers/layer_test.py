"""`run_layer_test` and `run_config_test`: the checks every layer test runs, modelled on Keras 3's
`keras.src.testing.TestCase.run_layer_test`, on jkeras's public API, with Keras 3 itself as the
reference."""

import contextlib
import json
import types

import jax
import keras

import jkeras
from tests.helpers.arrays import assert_close
from tests.helpers.layer_calls import (
    arguments,
    build,
    build_shapes,
    call,
    check_outputs,
    dtype_tree,
    random_inputs,
    shape_tree,
    symbolic_inputs,
)
from tests.helpers.layer_checks import (
    check_against_keras,
    check_fit,
    check_mixed_precision,
    check_saving,
)


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
    inputs = random_inputs(input_shape, input_dtype) if input_data is None else input_data
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
        output, losses, keras_output, new_state = check_against_keras(
            layer, keras_layer, inputs, call_kwargs, weights_from, compare_gradients,
            run_eager_check, rtol, atol)
    else:
        output, losses = _run_call(layer, inputs, call_kwargs, run_eager_check)
    _check_call_outputs(layer, output, losses, symbolic, expected, rtol, atol)
    if run_mixed_precision_check:
        check_mixed_precision(layer_cls, init_kwargs, inputs, call_kwargs,
                               mixed_precision_policy, keras_cls)
    if run_saving_check:
        check_saving(layer, inputs, call_kwargs, custom_objects, rtol, atol)
    if run_training_check and layer.trainable_weights:  # else nothing to train
        check_fit(layer, inputs, call_kwargs)
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
            build(keras_layer, build_shapes(inputs))
        else:
            symbolic = call(keras_layer, symbolic_inputs(keras, inputs), call_kwargs)
            expected.keras_shape = shape_tree(symbolic)
            expected.keras_dtype = dtype_tree(symbolic)
    expected.counts = _fill(expected.counts, _counts(keras_layer))
    if expected.masking is None:
        expected.masking = keras_layer.supports_masking
    return keras_layer


def _check_build_and_symbolic_call(layer_cls, init_kwargs, inputs, call_kwargs, expected):
    """Checks 2 and 3 of `run_layer_test`; returns the layer built by the symbolic call and
    its symbolic outputs."""
    built = layer_cls(**init_kwargs)
    build(built, build_shapes(inputs))
    assert built.built, f"{layer_cls.__name__}.build() did not mark the layer built"
    expected.counts = _merge(expected.counts, _counts(built), "after build():")

    layer = layer_cls(**init_kwargs)
    symbolic = call(layer, symbolic_inputs(jkeras, inputs), call_kwargs)
    _check_counts(layer, expected.counts, "after a symbolic call")
    check_outputs(symbolic, expected.shape, expected.dtype, "symbolic output")
    if hasattr(expected, "keras_shape"):  # explicit expectations take precedence
        check_outputs(symbolic, None if expected.shape else expected.keras_shape,
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
        output = call(layer, inputs, call_kwargs)
        return output, layer.losses
    state = ([v.value for v in layer.trainable_variables],
             [v.value for v in layer.non_trainable_variables])
    output, _, losses = jax.jit(lambda state, inputs: layer.stateless_call(
        *state, *arguments(inputs, call_kwargs)[0], return_losses=True,
        **arguments(inputs, call_kwargs)[1]))(state, inputs)
    return output, losses


def _check_call_outputs(layer, output, losses, symbolic, expected, rtol, atol):
    """Check 4 of `run_layer_test`."""
    check_outputs(output, shape_tree(symbolic), dtype_tree(symbolic), "output")
    if expected.output is not None:
        assert_close(output, expected.output, rtol=rtol, atol=atol, err_msg="output")
    if expected.losses is not None:
        assert len(losses) == expected.losses, f"{len(losses)} losses, expected {expected.losses}"
    _check_counts(layer, expected.counts, "after a call")


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
