"""`Bidirectional`: runs a recurrent layer forwards and a copy of it backwards, and merges."""

import jax.numpy as jnp

from jkeras.core.autocast_scope import is_float_dtype
from jkeras.layers import registry
from jkeras.layers.layer import Layer
from jkeras.layers.rnn.cell import RecurrentCell
from jkeras.layers.rnn.rnn import RNN

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _merge(mode, forward, backward):
    if mode == "concat":
        return jnp.concatenate([forward, backward], axis=-1)
    if mode == "sum":
        return forward + backward
    if mode == "ave":
        return (forward + backward) / 2
    if mode == "mul":
        return forward * backward
    return (forward, backward)


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    The forward layer is a fresh copy of `layer` (from its config, named `forward_<name>`);
    the backward layer is `backward_layer`, or a copy of `layer` with `go_backwards=True`
    (named `backward_<name>`). With `return_sequences`, the backward outputs are flipped back
    to input order before merging, and both layers output zeros at masked steps (as Keras).

    Args:
        layer: an `RNN` instance (e.g. `LSTM`, `GRU`), or any layer with `go_backwards`,
            `return_sequences` and `return_state` attributes.
        merge_mode: `"concat"` (default), `"sum"`, `"mul"`, `"ave"` or None (a pair).
        weights: optional initial weights, forward layer's first.
        backward_layer: optional layer for the backward direction (its `go_backwards` must
            differ from `layer`'s).

    Call arguments:
        sequences: `(batch, timesteps, features)`.
        initial_state: optional list: the forward layer's states, then the backward layer's.
        mask: optional boolean `(batch, timesteps)`.
        training: passed to both layers.

    Output shape: the wrapped layer's output, its last axis doubled for `"concat"`; with
    `return_state`, followed by the forward states, then the backward states.

    Example:
        >>> layer = jkeras.layers.Bidirectional(jkeras.layers.LSTM(10, return_sequences=True))
        >>> layer(np.ones((4, 5, 3))).shape
        (4, 5, 20)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                "Please initialize `Bidirectional` layer with a `jkeras.layers.Layer` "
                f"instance. Received: {layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "`backward_layer` need to be a `jkeras.layers.Layer` instance. "
                f"Received: {backward_layer}"
            )
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        super().__init__(**kwargs)
        self.forward_layer = _copy(layer, name=f"forward_{layer.name.removeprefix('forward_')}")
        if backward_layer is None:
            backward_layer = _copy(
                layer,
                name=f"backward_{layer.name.removeprefix('backward_')}",
                go_backwards=True,
            )
        self.backward_layer = backward_layer
        self._verify_layer_config()
        for direction in (self.forward_layer, self.backward_layer):
            if getattr(direction, "zero_output_for_mask", None) is not None:
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = weights
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _verify_layer_config(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value. "
                f"Received: forward_layer.go_backwards {forward.go_backwards}, "
                f"backward_layer.go_backwards={backward.go_backwards}"
            )
        for attribute in ("stateful", "return_sequences", "return_state"):
            forward_value = getattr(forward, attribute)
            backward_value = getattr(backward, attribute)
            if forward_value != backward_value:
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value for "
                    f'attribute "{attribute}", got "{forward_value}" for forward layer and '
                    f'"{backward_value}" for backward layer'
                )

    def build(self, sequences_shape, initial_state_shape=None):
        for direction in (self.forward_layer, self.backward_layer):
            if not direction.built:
                direction.build(tuple(sequences_shape))
        if self._initial_weights:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        kwargs = {"training": training, "mask": mask}
        projections = self._joint_projections(sequences, training)
        if projections is None:
            y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
            y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        else:
            y = self.forward_layer.call_projected(projections[0], forward_state, **kwargs)
            y_rev = self.backward_layer.call_projected(projections[1], backward_state, **kwargs)
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = jnp.flip(y_rev, axis=1)
        output = _merge(self.merge_mode, y, y_rev)
        if self.return_state:
            return (*output, *states) if self.merge_mode is None else (output, *states)
        return output

    def _joint_projections(self, sequences, training):
        """Both directions' input projections (`RNN.call_projected`) from one matrix product
        with the two input kernels side by side, where both layers are `RNN`s whose cells
        hoist it, with no input dropout and no activity regularizer (which their own call
        would apply); else None."""
        pair = (self.forward_layer, self.backward_layer)
        cells = [getattr(layer, "cell", None) for layer in pair]
        if not all(isinstance(layer, RNN) and isinstance(cell, RecurrentCell)
                   and cell.hoists_input_projection and layer.activity_regularizer is None
                   and not (training and cell.dropout > 0)
                   for layer, cell in zip(pair, cells)):
            return None
        if cells[0].compute_dtype != cells[1].compute_dtype:
            return None
        (forward_kernel, forward_bias), (backward_kernel, backward_bias) = (
            cell.input_kernel_and_bias() for cell in cells)
        kernel = jnp.concatenate([forward_kernel, backward_kernel], axis=-1)
        sequences = jnp.asarray(sequences)
        if is_float_dtype(sequences.dtype):
            sequences = sequences.astype(cells[0].compute_dtype)
        projected = jnp.matmul(sequences, kernel)
        if forward_bias is not None or backward_bias is not None:
            projected = projected + jnp.concatenate([
                jnp.zeros(k.shape[-1:], k.dtype) if b is None else b
                for k, b in ((forward_kernel, forward_bias), (backward_kernel, backward_bias))])
        return jnp.split(projected, [forward_kernel.shape[-1]], axis=-1)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shapes = ()
        if self.return_state:
            output_shape, state_shapes = output_shape[0], tuple(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = tuple(output_shape[:-1]) + (output_shape[-1] * 2,)
        if self.merge_mode is None:
            return (output_shape, output_shape) + state_shapes * 2
        if self.return_state:
            return (output_shape,) + state_shapes * 2
        return output_shape

    def compute_mask(self, inputs, previous_mask):
        """The input mask with `return_sequences`, else None (one mask for all outputs)."""
        if isinstance(previous_mask, (list, tuple)):
            previous_mask = previous_mask[0]
        return previous_mask if self.return_sequences else None

    def get_config(self):
        return {
            **super().get_config(),
            "merge_mode": self.merge_mode,
            "layer": registry.serialize(self.forward_layer),
            "backward_layer": registry.serialize(self.backward_layer),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = registry.deserialize(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = registry.deserialize(config["backward_layer"], custom_objects)
        return cls(**config)


def _copy(layer, **overrides):
    """A fresh, unbuilt layer from `layer`'s config with `overrides` (Keras clones this way)."""
    return type(layer).from_config({**layer.get_config(), **overrides})
