"""Connectionist temporal classification: `ctc_loss` (the forward algorithm in log space) and
`ctc_decode` (greedy or beam search), with Keras 3's layouts: outputs are `(batch, time,
classes)` logits and `mask_index` is the blank class."""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.dtypes import result_type
from jkeras.ops.keras_op import keras_op

# Log-probability of an impossible state. Finite, so that gradients through unreachable states
# are 0 rather than NaN; infeasible targets (longer than the output allows) get a loss of
# about its magnitude instead of inf.
_LOG_ZERO = -1e5


def _check_batch(names, *tensors):
    sizes = [t.shape[0] for t in tensors]
    if len(set(sizes)) != 1:
        shapes = ", ".join(f"{n}.shape={t.shape}" for n, t in zip(names, tensors))
        raise ValueError(f"ctc_loss: {', '.join(names)} must have the same batch size: {shapes}.")


@keras_op
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss of each sequence: `-log p(target | output)` summed over all alignments.

    Args:
        target: `(batch, max_label_length)` integer labels; entries past `target_length` are
            ignored.
        output: `(batch, max_time, num_classes)` logits (log-softmaxed here).
        target_length: `(batch,)` label counts.
        output_length: `(batch,)` time step counts; later steps are ignored.
        mask_index: The blank class.

    Returns:
        `(batch,)` losses, in `output`'s dtype promoted to at least float32.
    """
    target = convert_to_tensor(target, "int32")
    output = convert_to_tensor(output)
    target_length = convert_to_tensor(target_length, "int32")
    output_length = convert_to_tensor(output_length, "int32")
    _check_batch(("target", "output"), target, output)
    _check_batch(("target_length", "target"), target_length, target)
    _check_batch(("output_length", "output"), output_length, output)
    output = output.astype(result_type(output.dtype, "float32"))
    return _ctc_loss(target, output, target_length, output_length, mask_index)


# The ops below are many small operations in loops: compiled as one program, an eager call
# dispatches once instead of once per operation.
@functools.partial(jax.jit, static_argnames="mask_index")
def _ctc_loss(target, output, target_length, output_length, mask_index):
    log_probs = jax.nn.log_softmax(output)
    batch, max_time, _ = output.shape
    # The extended label sequence: blank, l1, blank, l2, ..., lL, blank (S = 2L + 1 states).
    states = jnp.full((batch, 2 * target.shape[1] + 1), mask_index, jnp.int32)
    states = states.at[:, 1::2].set(target)
    emissions = jnp.take_along_axis(log_probs, states[:, None, :], axis=2)  # (B, T, S)
    previous_label = jnp.pad(states[:, :-2], ((0, 0), (2, 0)), constant_values=mask_index)
    can_skip = (states != mask_index) & (states != previous_label)
    log_zero = jnp.asarray(_LOG_ZERO, log_probs.dtype)

    def shift(alpha, steps):
        return jnp.pad(alpha[:, :-steps], ((0, 0), (steps, 0)), constant_values=_LOG_ZERO)

    def step(alpha, inputs):
        emission, active = inputs
        paths = jnp.stack([alpha, shift(alpha, 1), jnp.where(can_skip, shift(alpha, 2), log_zero)])
        updated = jax.nn.logsumexp(paths, axis=0) + emission
        return jnp.where(active[:, None], updated, alpha), None

    first = jnp.full(states.shape, log_zero).at[:, :2].set(emissions[:, 0, :2])
    active = jnp.arange(1, max_time)[:, None] < output_length[None, :]
    alpha, _ = jax.lax.scan(step, first, (jnp.swapaxes(emissions[:, 1:], 0, 1), active))
    last = 2 * target_length  # the final blank; the final label is just before it
    ends = jnp.stack([last, jnp.maximum(last - 1, 0)], axis=1)
    final = jnp.take_along_axis(alpha, ends, axis=1)
    final = final.at[:, 1].set(jnp.where(target_length > 0, final[:, 1], log_zero))
    return -jnp.logaddexp(final[:, 0], final[:, 1])


@keras_op
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Decode CTC outputs into label sequences.

    Args:
        inputs: `(batch, max_time, num_classes)` logits.
        sequence_lengths: `(batch,)` time step counts.
        strategy: "greedy" (the best class at each step) or "beam_search".
        beam_width: The number of beams kept ("beam_search").
        top_paths: How many decodings to return ("beam_search"; greedy returns one).
        merge_repeated: Whether greedy decoding merges repeated classes.
        mask_index: The blank class.

    Returns:
        `(decoded, scores)`: `decoded` is `(top_paths, batch, max_time)` int32 labels, padded
        with -1; `scores` is `(batch, top_paths)`: for greedy, minus the sum of the chosen
        logits; for beam search, each path's log-probability.
    """
    inputs = convert_to_tensor(inputs)
    inputs = inputs.astype(result_type(inputs.dtype, "float32"))
    sequence_lengths = convert_to_tensor(sequence_lengths, "int32")
    if strategy == "greedy":
        return _greedy_decode(inputs, sequence_lengths, merge_repeated, mask_index)
    if strategy == "beam_search":
        return _beam_search_decode(inputs, sequence_lengths, beam_width, top_paths, mask_index)
    raise ValueError(
        f"ctc_decode: `strategy` must be 'greedy' or 'beam_search'. Received: strategy={strategy!r}"
    )


@functools.partial(jax.jit, static_argnames=("merge_repeated", "mask_index"))
def _greedy_decode(inputs, sequence_lengths, merge_repeated, mask_index):
    _, max_time, num_classes = inputs.shape
    blank = num_classes - 1 if mask_index is None else mask_index
    past_end = jnp.arange(max_time)[None, :] >= sequence_lengths[:, None]
    labels = jnp.where(past_end, blank, jnp.argmax(inputs, axis=-1))
    scores = jnp.where(past_end, 0.0, jnp.max(inputs, axis=-1))
    if merge_repeated:
        repeated = jnp.pad(labels[:, 1:] == labels[:, :-1], ((0, 0), (1, 0)))
        labels = jnp.where(repeated, blank, labels)
    dropped = labels == blank
    # Move the kept labels to the front, in order; -1 fills the rest.
    order = jnp.argsort(jnp.where(dropped, max_time, jnp.arange(max_time)), axis=-1)
    labels = jnp.take_along_axis(jnp.where(dropped, -1, labels), order, axis=-1)
    return labels[None], -jnp.sum(scores, axis=1, keepdims=True)


def _merge(scores, groups):
    """Log-sum-exp of `scores` within each group (`groups` maps entries to group ids)."""
    peak = jnp.max(scores)
    summed = jnp.zeros_like(scores).at[groups].add(jnp.exp(scores - peak))
    return jnp.log(summed) + peak


def _unique_paths(paths):
    """The distinct rows of `paths` (sorted, then rows of -1 up to the input's row count) and
    each input row's index among them."""
    unique, groups = jnp.unique(paths, return_inverse=True, size=paths.shape[0], axis=0,
                                fill_value=-1)
    return unique, groups.reshape(-1)


def _extend(paths, scores, masked, step_log_probs, candidates):
    """Every hypothesis followed by every class (`candidates`, the blank as -1): a blank, or a
    repeat of the last label right after it, leaves the path unchanged."""
    num_classes = step_log_probs.shape[0]
    paths, scores, masked = (jnp.repeat(a, num_classes, axis=0) for a in (paths, scores, masked))
    tail_position = jnp.argmax(paths == -1, axis=1)
    rows = jnp.arange(paths.shape[0])
    tails = jnp.where(tail_position == 0, -1, paths[rows, tail_position - 1])
    added = jnp.where(~masked & (tails == candidates), -1, candidates)
    paths = paths.at[rows, tail_position].set(added)
    step_scores = jnp.tile(step_log_probs, paths.shape[0] // num_classes)
    return paths, scores + step_scores, candidates == -1


def _prune(paths, scores, masked, beam_width):
    """The `beam_width` best distinct paths by total probability, each once unmasked (its
    emitting score) and once masked (its blank score)."""
    paths, groups = _unique_paths(paths)
    emitted = _merge(jnp.where(masked, -jnp.inf, scores), groups)
    blanked = _merge(jnp.where(masked, scores, -jnp.inf), groups)
    best = jnp.argsort(jnp.logaddexp(emitted, blanked))[-beam_width:]
    masked = jnp.arange(2 * beam_width) >= beam_width
    return (jnp.tile(paths[best], (2, 1)), jnp.concatenate([emitted[best], blanked[best]]),
            masked)


@functools.partial(jax.jit, static_argnames=("beam_width", "top_paths", "mask_index"))
def _beam_search_decode(inputs, sequence_lengths, beam_width, top_paths, mask_index):
    """Beam search over label prefixes, Keras 3's JAX algorithm (its ties included).

    Each of `2 * beam_width` hypotheses is a label path (padded with -1) whose last step was
    blank ("masked") or not. A step extends every hypothesis by every class, merges equal paths
    (separately for masked and unmasked, by log-sum-exp) and keeps the `beam_width` best
    paths by total probability, each once masked and once not. Classes are processed in
    reversed order so that ties resolve as in TensorFlow."""
    _, max_time, num_classes = inputs.shape
    log_probs = jnp.flip(jax.nn.log_softmax(inputs), axis=2)
    blank = num_classes - 1 - (num_classes - 1 if mask_index is None else mask_index)
    width = 2 * beam_width
    finished = jnp.arange(max_time)[None, :] >= sequence_lengths[:, None]
    classes = np.arange(num_classes)
    classes[blank] = -1
    candidates = jnp.asarray(np.tile(classes, width))

    def step(state, inputs):
        step_log_probs, done = inputs
        advanced = _prune(*_extend(*state, step_log_probs, candidates), beam_width)
        return jax.lax.cond(done, lambda: state, lambda: advanced), None

    def decode(log_probs, finished):
        count = min(num_classes, beam_width)
        first = jnp.argsort(log_probs[0])[-count:]
        paths = jnp.full((width, max_time), -1, jnp.int32)
        paths = paths.at[:count, 0].set(jnp.where(first == blank, -1, first))
        scores = jnp.full((width,), -jnp.inf, log_probs.dtype).at[:count].set(
            log_probs[0, first])
        state = (paths, scores, paths[:, 0] == -1)
        (paths, scores, _), _ = jax.lax.scan(step, state, (log_probs[1:], finished[1:]))
        paths, groups = _unique_paths(paths)
        scores = _merge(scores, groups)
        best = jnp.argsort(scores)[-top_paths:][::-1]
        return paths[best], scores[best]

    paths, scores = jax.vmap(decode)(log_probs, finished)
    paths = jnp.where(paths == -1, -1, num_classes - 1 - paths)  # undo the class reversal
    return jnp.swapaxes(paths, 0, 1), scores
