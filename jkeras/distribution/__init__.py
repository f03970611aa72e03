"""`jkeras.distribution`: Keras 3's distribution API (data and model parallelism) on
`jax.sharding`. See docs/distribution.md."""

from jkeras.distribution import placement
from jkeras.distribution.distribution_lib import (
    DataParallel,
    DeviceMesh,
    Distribution,
    LayoutMap,
    ModelParallel,
    TensorLayout,
    distribute_tensor,
    distribution,
    get_device_count,
    initialize,
    list_devices,
    set_distribution,
)
