"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019)."""

from jkeras.optimizers.adam import Adam
from jkeras.optimizers.base_optimizer import _SHARED_ARGS


class AdamW(Adam):
    """Optimizer that implements the AdamW algorithm: Adam with decoupled weight decay.

    Each step first decays every variable by `variable * weight_decay * learning_rate`, then
    applies the Adam update.

    Args:
        learning_rate: float, the learning rate. Defaults to `0.001`.
        weight_decay: float, the decoupled weight decay. Defaults to `0.004`.
        beta_1: float, the decay rate of the first moment estimates. Defaults to `0.9`.
        beta_2: float, the decay rate of the second moment estimates. Defaults to `0.999`.
        epsilon: small constant for numerical stability ("epsilon hat"). Defaults to `1e-7`.
        amsgrad: bool, whether to apply the AMSGrad variant. Defaults to `False`.
        {shared_args}

    Example:
        >>> opt = jkeras.optimizers.AdamW(learning_rate=1e-3, weight_decay=1e-2)
    """

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            name=name,
            **kwargs,
        )
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


# AdamW documents its own `weight_decay` (default 0.004), so the shared entry is left out.
AdamW.__doc__ = AdamW.__doc__.replace(
    "{shared_args}", _SHARED_ARGS[_SHARED_ARGS.index("clipnorm:") :]
)
