"""`get_state_tree`/`set_state_tree`: a model's variables as nested dicts keyed by the parts of
their paths (`{"trainable_variables": {"model": {"dense": {"kernel": ...}}}, ...}`), as
Keras 3 writes them."""

import numpy as np


def nested_values(variables, value_format):
    """`{path part: ... {name: value}}` of `variables` (paths must be unique)."""
    if value_format not in ("backend_tensor", "numpy_array"):
        raise ValueError(
            "Invalid `value_format` argument. Expected one of {'numpy_array', "
            f"'backend_tensor'}}. Received: value_format={value_format}"
        )
    tree, seen = {}, set()
    for variable in variables:
        if variable.path in seen:
            raise ValueError(
                f"The following variable path is found twice in the model: '{variable.path}'. "
                "`get_state_tree()` can only be called when all variable paths are unique. "
                "Make sure to give unique names to your layers (and other objects)."
            )
        seen.add(variable.path)
        *parents, name = variable.path.split("/")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[name] = (variable.value if value_format == "backend_tensor"
                      else np.array(variable.value))
    return tree


def flat_values(tree, prefix=""):
    """`{path: value}` of a nested dict written by `nested_values`."""
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flat_values(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


class StateTree:
    """The mixin of `Trainer` with Keras 3's state-tree API."""

    def _state_groups(self):
        optimizer = getattr(self, "optimizer", None)
        return {"trainable_variables": self.trainable_variables,
                "non_trainable_variables": self.non_trainable_variables,
                "optimizer_variables": optimizer.variables if optimizer is not None else [],
                "metrics_variables": self.metrics_variables}

    def get_state_tree(self, value_format="backend_tensor"):
        """The model's variables as `{group: nested dict by path}` for the groups
        "trainable_variables", "non_trainable_variables", "optimizer_variables" and
        "metrics_variables"; leaves are JAX arrays (`"backend_tensor"`) or numpy arrays
        (`"numpy_array"`)."""
        return {group: nested_values(variables, value_format)
                for group, variables in self._state_groups().items()}

    def set_state_tree(self, state_tree):
        """Assign the values of a `get_state_tree()`-shaped dict (any subset of its groups
        and paths) to the variables with those paths."""
        groups = self._state_groups()
        for group, tree in state_tree.items():
            if group not in groups:
                raise ValueError(f"Unknown variable name: {group}")
            by_path = {variable.path: variable for variable in groups[group]}
            for path, value in flat_values(tree).items():
                if path in by_path:
                    by_path[path].assign(value)
