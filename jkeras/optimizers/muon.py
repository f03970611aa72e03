"""Muon: momentum orthogonalized by Newton-Schulz (Jordan 2024; Liu et al. 2025)."""

import re

import optax

from jkeras.optimizers import transforms
from jkeras.optimizers.base_optimizer import _SHARED_ARGS, Optimizer, updated_variables

MUON, ADAM, NO_DECAY = "muon", "adam", "none"


class Muon(Optimizer):
    """Optimizer that implements the Muon algorithm, with AdamW for the other variables.

    A 2D variable gets SGD momentum (`m = momentum * m + g`, Nesterov by default) whose
    Newton-Schulz orthogonalization, scaled by `sqrt(max(rows, cols)) * rms_rate`, is the
    update. Every other variable (not 2D, with "embedding" in its path when
    `exclude_embeddings`, or whose path matches a pattern of `exclude_layers`) gets Keras's
    Adam update with learning rate `learning_rate * adam_lr_ratio`. Muon variables decay by
    `weight_decay`, Adam ones by `adam_weight_decay`.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001`.
        adam_beta_1: float, Adam's first moment decay. Defaults to `0.9`.
        adam_beta_2: float, Adam's second moment decay. Defaults to `0.999`.
        adam_weight_decay: float or None, the weight decay of the Adam variables.
            Defaults to `0.004`.
        epsilon: float, Adam's epsilon and the normalisation epsilon. Defaults to `1e-7`.
        exclude_layers: list of regular expressions; variables whose path matches one use Adam.
        exclude_embeddings: bool, whether embedding variables use Adam. Defaults to `True`.
        muon_a, muon_b, muon_c: the quintic Newton-Schulz coefficients.
        adam_lr_ratio: float, Adam's learning rate relative to `learning_rate`. Defaults to 1.
        momentum: float, the SGD momentum of the Muon variables. Defaults to `0.95`.
        ns_steps: int, Newton-Schulz iterations. Defaults to 5.
        nesterov: bool, Nesterov momentum. Defaults to `True`.
        rms_rate: float or None, the RMS-matching scale (None: unscaled). Defaults to `0.2`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.Muon(learning_rate=0.02, exclude_layers=["output"])
    """

    def __init__(
        self,
        learning_rate=0.001,
        adam_beta_1=0.9,
        adam_beta_2=0.999,
        adam_weight_decay=0.004,
        epsilon=1e-7,
        weight_decay=0.004,
        name=None,
        exclude_layers=None,
        exclude_embeddings=True,
        muon_a=3.4445,
        muon_b=-4.7750,
        muon_c=2.0315,
        adam_lr_ratio=1,
        momentum=0.95,
        ns_steps=5,
        nesterov=True,
        rms_rate=0.2,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, name=name,
                         **kwargs)
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate
        self._labels = None

    def uses_adam(self, variable):
        """Whether `variable` gets the Adam update (Keras's rule, see the class docstring)."""
        if len(variable.shape) != 2:
            return True
        path = getattr(variable, "path", getattr(variable, "name", ""))
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, var_list):
        var_list = list(var_list)
        if not self.built:
            self._labels = [ADAM if self.uses_adam(v) else MUON
                            for v in updated_variables(var_list)]
        super().build(var_list)

    def _param_labels(self, params):
        # Before `build` (the pure `init`/`update` on any pytree): by shape alone.
        if self._labels is not None:
            return list(self._labels)
        return [MUON if len(p.shape) == 2 else ADAM for p in params]

    def update_rule(self, learning_rate, iteration):
        muon = optax.chain(
            optax.trace(decay=self.momentum, nesterov=self.nesterov),
            transforms.orthogonalize_newton_schulz(
                (self.muon_a, self.muon_b, self.muon_c), self.ns_steps, 1e-7
            ),
            transforms.scale_by_matrix_size(self.rms_rate),
            optax.scale(-learning_rate),
        )
        adam = optax.chain(
            transforms.scale_by_keras_adam(
                self.adam_beta_1, self.adam_beta_2, self.epsilon, False, iteration
            ),
            optax.scale(-learning_rate * self.adam_lr_ratio),
        )
        return optax.partition({MUON: muon, ADAM: adam}, self._param_labels)

    def decay_rule(self, learning_rate):
        """Muon variables decay by `weight_decay`, Adam ones by `adam_weight_decay` (both
        times the learning rate); variables excluded from weight decay by neither."""
        rates = {MUON: self.weight_decay, ADAM: self.adam_weight_decay}
        if not any(rates.values()):
            return None
        mask = self._weight_decay_mask

        def labels(params):
            return [
                label if (mask is None or mask[i]) and rates[label] else NO_DECAY
                for i, label in enumerate(self._param_labels(params))
            ]

        decays = {k: optax.add_decayed_weights(-learning_rate * r) for k, r in rates.items() if r}
        return optax.partition({**decays, NO_DECAY: optax.identity()}, labels)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "adam_beta_1": self.adam_beta_1,
                "adam_beta_2": self.adam_beta_2,
                "epsilon": self.epsilon,
                "exclude_layers": self.exclude_layers,
                "muon_a": self.muon_a,
                "muon_b": self.muon_b,
                "muon_c": self.muon_c,
                "adam_lr_ratio": self.adam_lr_ratio,
                "momentum": self.momentum,
                "ns_steps": self.ns_steps,
                "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings,
                "adam_weight_decay": self.adam_weight_decay,
                "rms_rate": self.rms_rate,
            }
        )
        return config


Muon.__doc__ = Muon.__doc__.replace("{shared_args}", _SHARED_ARGS)
