"""`LoRA`: low-rank adaptation of a layer's main weight (Keras 3's `lora_rank`, `enable_lora`).

`enable_lora(rank)` freezes the weight `W` and adds two trainable float32 factors `A`
(`W.shape[:-1] + (rank,)`, He-uniform) and `B` (`(rank, W.shape[-1])`, zeros); the layer then
computes with `W + (lora_alpha / rank) * A @ B`. Names, shapes, initializers and the saved
layout are Keras's: a `.keras` or `.weights.h5` file stores the merged weight in `W`'s place
and no factors, and loading one assigns `W` and resets the factors to zero, so files move
between jkeras and Keras 3 either way. A quantized `W` (quantized_layer.py) keeps its integer
form: the factors have the float weight's shape and the layer adds their product's
contribution to its quantized output (`lora_update`).
"""

import jax.numpy as jnp
import numpy as np

from jkeras import initializers


class LoRA:
    """Mixin for a `Layer` whose adapted weight is `self._<lora_weight>`.

    The class sets `lora_weight` (`"kernel"` or `"embeddings"`: the factors are
    `lora_<lora_weight>_a/_b`, regularized by `<lora_weight>_regularizer`, and LoRA refuses a
    `<lora_weight>_constraint`), calls `_init_lora` in `__init__` and `_build_lora` at the end
    of `build`, and computes with `adapted_weight()`; a quantizable class also defines
    `weight_product(inputs, weight)` (its product of the inputs with a weight-like array).
    """

    lora_weight = "kernel"
    # Set by `enable_lora` (bound methods, nothing to track): only a layer with LoRA saves and
    # loads through Keras's hooks; any other takes weights_io's checked, all-or-nothing path.
    untracked_attributes = ("save_own_variables", "load_own_variables")

    def _init_lora(self, lora_rank, lora_alpha):
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False

    def _build_lora(self):
        if self.lora_rank:
            self.built = True  # `build` is finishing; `enable_lora` needs a built layer
            self.enable_lora(self.lora_rank, lora_alpha=self.lora_alpha)

    def _base_weight(self):
        return getattr(self, f"_{self.lora_weight}")

    def enable_lora(self, rank, lora_alpha=None, a_initializer="he_uniform",
                    b_initializer="zeros"):
        """Freeze the weight and train a rank-`rank` update of it instead.

        Args:
            rank: the rank of the update `A @ B`.
            lora_alpha: the update is scaled by `lora_alpha / rank`; default `rank`.
            a_initializer, b_initializer: of the factors `A` and `B`.
        """
        kind = self.lora_weight
        if getattr(self, f"{kind}_constraint", None):
            noun = "kernel" if kind == "kernel" else "embedding"
            raise ValueError(
                f"Lora is incompatible with {noun} constraints (layer '{self.name}'). In order "
                f"to enable lora on this layer, remove the `{kind}_constraint` argument."
            )
        if not self.built:
            raise ValueError(
                f"Cannot enable lora on a layer that isn't yet built (layer '{self.name}')."
            )
        if self.lora_enabled:
            raise ValueError(
                f"lora is already enabled on layer '{self.name}'. This can only be done once "
                "per layer."
            )
        shape = self.lora_weight_shape()
        regularizer = getattr(self, f"{kind}_regularizer", None)
        factors = {"a": (shape[:-1] + (rank,), a_initializer),
                   "b": ((rank, shape[-1]), b_initializer)}
        for suffix, (factor_shape, initializer) in factors.items():
            name = f"lora_{kind}_{suffix}"
            setattr(self, name, self.add_weight(
                name=name, shape=factor_shape, initializer=initializers.get(initializer),
                dtype="float32", regularizer=regularizer))
        self._base_weight().trainable = False
        self.lora_enabled = True
        self._install_saving_hooks()
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank

    def lora_weight_shape(self):
        """The shape of the float weight `W` that `A @ B` updates (a quantized layer's
        logical shape, not its packed one: the quantizing class overrides this)."""
        return tuple(self._base_weight().shape)

    def _install_saving_hooks(self):
        self.save_own_variables = self._save_merged_variables
        self.load_own_variables = self._load_merged_variables

    def _lora_factors(self):
        kind = self.lora_weight
        return getattr(self, f"lora_{kind}_a"), getattr(self, f"lora_{kind}_b")

    def lora_delta(self):
        """`(lora_alpha / rank) * A @ B`: the update of the weight, float32."""
        a, b = self._lora_factors()
        return (self.lora_alpha / self.lora_rank) * jnp.matmul(a.value, b.value)

    def lora_update(self, inputs):
        """The update's contribution to the output, `(lora_alpha / rank) *
        weight_product(inputs, A) @ B` (Keras's form in quantized calls)."""
        a, b = self._lora_factors()
        projected = jnp.matmul(self.weight_product(inputs, a.value), b.value)
        return (self.lora_alpha / self.lora_rank) * projected

    def adapted_weight(self):
        """The weight the layer computes with: `W`, or with LoRA `W + alpha / rank * A @ B`
        in the compute dtype (Keras's `kernel`/`embeddings` property)."""
        base = self._base_weight()
        if not self.lora_enabled:
            return base.value
        return (base.value + self.lora_delta()).astype(self.compute_dtype)

    def _property_weight(self):
        """The weight Keras's `kernel`/`embeddings` property starts from: the `Variable` (a
        quantizing class returns an int4 weight unpacked)."""
        return self._base_weight()

    def _lora_property(self):
        """What Keras's `kernel`/`embeddings` property returns: the weight itself (see
        `_property_weight`), or with LoRA that weight plus the update, in the compute dtype."""
        if not self.built:
            raise AttributeError(
                f"You must build the layer before accessing `{self.lora_weight}`."
            )
        weight = self._property_weight()
        if not self.lora_enabled:
            return weight
        return (jnp.asarray(weight) + self.lora_delta()).astype(self.compute_dtype)

    # ------------------------------------------------------------------------ saving

    def _saved_variables(self):
        """Keras's stored weights: the own weights without the LoRA factors."""
        factors = {id(v) for v in self._lora_factors()} if self.lora_enabled else set()
        return [v for v in self.own_weights if id(v) not in factors]

    def _save_merged_variables(self, store):
        """Write the weights as Keras does: the merged weight in place of `W`."""
        base = self._base_weight()
        for index, variable in enumerate(self._saved_variables()):
            value = self.adapted_weight() if variable is base else variable.value
            store[str(index)] = np.asarray(jnp.asarray(value).astype(variable.dtype))

    def _load_merged_variables(self, store):
        """Read weights written by `save_own_variables` (or by Keras); with LoRA the factors
        restart from zero, since the file's weight already includes their update."""
        variables = self._saved_variables()
        for variable, array in zip(variables, stored_arrays(self, variables, store)):
            variable.assign(array)
        self._reset_lora_factors()

    def _reset_lora_factors(self):
        """Zero the factors (after loading a weight that already holds their update)."""
        if self.lora_enabled:
            for factor in self._lora_factors():
                factor.assign(jnp.zeros(factor.shape, factor.dtype))

    def _lora_config(self):
        if not self.lora_rank:
            return {}
        return {"lora_rank": self.lora_rank, "lora_alpha": self.lora_alpha}


def stored_arrays(layer, variables, store):
    """The arrays `store["0"]`, `store["1"]`, ... for `layer`'s `variables`, after checking
    their count and shapes (a ValueError naming the layer and the variable otherwise)."""
    if len(store) != len(variables):
        raise ValueError(
            f"Layer '{layer.name}' expected {len(variables)} variables, but received "
            f"{len(store)} variables during loading. Expected: {[v.name for v in variables]}"
        )
    arrays = [store[str(index)] for index in range(len(variables))]
    for variable, array in zip(variables, arrays):
        if tuple(array.shape) != tuple(variable.shape):
            raise ValueError(
                f"Layer '{layer.name}': shape mismatch for variable '{variable.path}': the "
                f"layer expects shape {tuple(variable.shape)}, the file holds shape "
                f"{tuple(array.shape)}."
            )
    return arrays
