"""Checks and dense conversion of the `{"boxes", "labels"}` dicts the image layers take."""

import jax.numpy as jnp


def validate_bounding_boxes(bounding_boxes, layer_name="bounding_boxes"):
    """ValueError unless `bounding_boxes` is a dict of `"boxes"` (rank 2 or 3, or nested
    lists) and `"labels"` of a matching rank."""
    if not isinstance(bounding_boxes, dict) or not {"boxes", "labels"} <= set(bounding_boxes):
        raise ValueError(
            f"{layer_name}: expected `bounding_boxes` to be a dict with keys 'boxes' and "
            f"'labels'. Received: bounding_boxes={bounding_boxes}"
        )
    boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
    if isinstance(boxes, list):
        if not isinstance(labels, list) or len(boxes) != len(labels):
            raise ValueError(
                f"{layer_name}: when `bounding_boxes['boxes']` is a list, "
                "`bounding_boxes['labels']` must be a list of the same length. Received: "
                f"boxes={boxes}, labels={labels}"
            )
        return
    box_rank, label_rank = jnp.ndim(boxes), jnp.ndim(labels)
    if box_rank not in (2, 3):
        raise ValueError(
            f"{layer_name}: expected `bounding_boxes['boxes']` to have rank 2 or 3, with shape "
            "(num_boxes, 4) or (batch_size, num_boxes, 4). Received: "
            f"bounding_boxes['boxes'].shape={jnp.shape(boxes)}"
        )
    if label_rank not in (box_rank - 1, box_rank):
        raise ValueError(
            f"{layer_name}: found bounding_boxes['boxes'].shape={jnp.shape(boxes)} and expected "
            f"bounding_boxes['labels'] to have rank {box_rank - 1} or {box_rank}, but received: "
            f"bounding_boxes['labels'].shape={jnp.shape(labels)}"
        )


def _pad_lists(boxes, labels, count, box_fill, label_fill):
    """Per-image box and label lists cut or padded to `count` entries."""
    dense_boxes, dense_labels = [], []
    for image_boxes, image_labels in zip(boxes, labels):
        missing = max(count - len(image_boxes), 0)
        dense_boxes.append(list(image_boxes)[:count] + [[box_fill] * 4] * missing)
        dense_labels.append(list(image_labels)[:count] + [label_fill] * missing)
    return dense_boxes, dense_labels


def densify_bounding_boxes(bounding_boxes, is_batched=False, max_boxes=None,
                           boxes_default_value=0, labels_default_value=-1, name="bounding_boxes"):
    """`bounding_boxes` with `"boxes"` as a float32 array and `"labels"` as an array.

    Nested lists (a batch with different numbers of boxes per image) are padded to
    `max_boxes` (default: the most boxes of any image) with `boxes_default_value` boxes and
    `labels_default_value` labels.
    """
    validate_bounding_boxes(bounding_boxes, name)
    boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
    result = dict(bounding_boxes)
    if isinstance(boxes, list) and boxes and isinstance(boxes[0], (list, tuple)) and (
        is_batched or (boxes[0] and isinstance(boxes[0][0], (list, tuple)))
    ):
        count = max_boxes if max_boxes is not None else max(len(b) for b in boxes)
        boxes, labels = _pad_lists(
            boxes, labels, count, boxes_default_value, labels_default_value
        )
        result["labels"] = jnp.asarray(labels, "int32")
    else:
        result["labels"] = jnp.asarray(labels)
    result["boxes"] = jnp.asarray(boxes, "float32")
    return result
