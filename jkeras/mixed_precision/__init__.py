"""Mixed precision: dtype policies and loss scaling, with Keras 3's names.

    jkeras.mixed_precision.set_global_policy("mixed_bfloat16")

makes layers created afterwards compute in bfloat16 while keeping float32 variables. See
docs/mixed_precision.md. The policies are `jkeras.dtype_policies`'s; `LossScaleOptimizer` is
`jkeras.optimizers`'s.
"""

from jkeras.dtype_policies.dtype_policy import (
    DTypePolicy,
    FloatDTypePolicy,
    deserialize,
    get,
    global_policy,
    serialize,
    set_global_policy,
)
from jkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer

Policy = DTypePolicy
dtype_policy = global_policy
set_dtype_policy = set_global_policy

__all__ = [
    "DTypePolicy",
    "FloatDTypePolicy",
    "LossScaleOptimizer",
    "Policy",
    "deserialize",
    "dtype_policy",
    "get",
    "global_policy",
    "serialize",
    "set_dtype_policy",
    "set_global_policy",
]
