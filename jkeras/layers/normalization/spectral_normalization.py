"""`SpectralNormalization` (Miyato et al., 2018): divide a layer's kernel by its largest
singular value, estimated by power iteration."""

import jax
import jax.numpy as jnp

from jkeras import initializers
from jkeras.layers.core.wrapper import Wrapper
from jkeras.layers.input_spec import InputSpec
from jkeras.ops.nn import normalize


class SpectralNormalization(Wrapper):
    """Constrains the spectral norm of the wrapped layer's kernel (GAN discriminators).

    In training, each call runs `power_iterations` steps of power iteration from the
    non-trainable `vector_u` (updated in place) and assigns `kernel / sigma` to the wrapped
    layer's kernel (`embeddings` for an `Embedding`) before calling it; an all-zero kernel is
    left as it is. Inside a compiled train step the assignment only feeds this call, as in
    Keras on JAX: the trained variable keeps the optimizer's update. Weights and their order
    are Keras's (the kernel is also one of the wrapper's own weights).

    Args:
        layer: a layer with a `kernel` (e.g. `Dense`, `Conv2D`) or `embeddings` weight.
        power_iterations: int >= 1, the power-iteration steps per call.

    Example:
        >>> layer = jkeras.layers.SpectralNormalization(jkeras.layers.Dense(10))
        >>> layer(np.ones((1, 4)), training=True).shape
        (1, 10)
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError(
                f"Layer '{self.name}': `power_iterations` should be greater than zero. "
                f"Received: `power_iterations={power_iterations}`"
            )
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        if hasattr(self.layer, "kernel"):
            self.kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            self.kernel = self.layer.embeddings
        else:
            raise ValueError(
                f"{type(self.layer).__name__} object has no attribute 'kernel' nor "
                "'embeddings'"
            )
        self.kernel_shape = tuple(self.kernel.shape)
        self.vector_u = self.add_weight(
            shape=(1, self.kernel_shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            name="vector_u",
            dtype=self.kernel.dtype,
        )

    def call(self, inputs, training=False):
        if training:
            kernel = self.kernel.value
            new_vector_u, new_kernel = jax.lax.cond(
                jnp.all(kernel == 0),
                # Both branches in the variables' dtypes (under a mixed policy their values
                # read in the compute dtype).
                lambda: (self.vector_u.value.astype(self.vector_u.dtype),
                         kernel.astype(self.kernel.dtype)),
                self.normalized_weights,
            )
            self.vector_u.assign(new_vector_u)
            self.kernel.assign(new_kernel)
        return self.layer(inputs).astype(inputs.dtype)

    def normalized_weights(self):
        """`(new vector_u, kernel / sigma)` from `power_iterations` power-iteration steps."""
        kernel = self.kernel.value
        weights = jnp.reshape(kernel, (-1, self.kernel_shape[-1]))
        vector_u = self.vector_u.value
        for _ in range(self.power_iterations):
            vector_v = normalize(jnp.matmul(vector_u, weights.T), axis=None)
            vector_u = normalize(jnp.matmul(vector_v, weights), axis=None)
        vector_u = jax.lax.stop_gradient(vector_u)
        vector_v = jax.lax.stop_gradient(vector_v)
        sigma = jnp.matmul(jnp.matmul(vector_v, weights), vector_u.T)
        new_kernel = jnp.reshape(kernel / sigma, self.kernel_shape)
        return vector_u.astype(self.vector_u.dtype), new_kernel.astype(self.kernel.dtype)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
