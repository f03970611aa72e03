"""`BatchNormalization`: normalize with batch statistics in training, moving ones at inference."""

import jax
import jax.numpy as jnp

from jkeras import constraints, initializers, regularizers
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer


class BatchNormalization(Layer):
    """Normalizes its inputs per feature: `gamma * (x - mean) / sqrt(var + epsilon) + beta`.

    With `training=True` (as in `fit`) the mean and variance are the current batch's, and the
    non-trainable moving statistics are updated (Keras 3's formula):

        moving_mean = moving_mean * momentum + mean(batch) * (1 - momentum)
        moving_variance = moving_variance * momentum + var(batch) * (1 - momentum)

    Otherwise (`evaluate`, `predict`, plain calls) the moving statistics are used. The updates
    are `assign`s, so in a pure call (`stateless_call`, `apply`, the jitted train step) they come
    back as the new non-trainable state. As in Keras, a layer with `trainable=False` always runs
    in inference mode and never updates its statistics.

    Args:
        axis: the feature axis (e.g. `1` after a channels_first convolution).
        momentum: momentum of the moving averages.
        epsilon: added to the variance before the square root.
        center / scale: whether to add `beta` / multiply by `gamma`.
        beta_initializer / gamma_initializer: default `"zeros"` / `"ones"`.
        moving_mean_initializer / moving_variance_initializer: default `"zeros"` / `"ones"`.
        beta_regularizer / gamma_regularizer, beta_constraint / gamma_constraint: optional.
        renorm: use Batch Renormalization (Ioffe, 2017): adds the non-trainable weights
            `moving_stddev`, `renorm_mean` and `renorm_stddev`, as Keras.
        renorm_clipping: dict with optional `"rmax"`, `"rmin"`, `"dmax"` clipping the renorm
            correction.
        renorm_momentum: momentum of the renorm statistics.
        synchronized: only `False` (Keras supports `True` on TensorFlow only).

    Call arguments:
        inputs: a tensor of any rank.
        training: whether to use (and update) the batch statistics.
        mask: optional boolean tensor of the input's shape without the feature axis; masked
            entries are left out of the batch statistics.

    Input shape: any; the size of `axis` must be known. Output shape: same as input.

    Example:
        >>> layer = jkeras.layers.BatchNormalization()
        >>> y = layer(np.random.rand(8, 3), training=True)   # updates the moving statistics
        >>> [w.name for w in layer.weights]
        ['gamma', 'beta', 'moving_mean', 'moving_variance']
    """

    def rows_independent(self, training):
        return not training  # training normalizes with the batch's statistics

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        renorm=False,
        renorm_clipping=None,
        renorm_momentum=0.99,
        synchronized=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.axis = int(axis)
        if synchronized:
            raise ValueError(
                f"Argument synchronized=True of layer '{self.name}' is only supported with "
                "Keras's TensorFlow backend; with JAX, shard the batch with `jax.sharding` "
                "instead. Received: synchronized=True"
            )
        self.synchronized = False
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.renorm = renorm
        if renorm:
            renorm_clipping = dict(renorm_clipping or {})
            unknown = set(renorm_clipping) - {"rmax", "rmin", "dmax"}
            if unknown:
                raise ValueError(
                    f"Received invalid keys for `renorm_clipping` argument of layer "
                    f"'{self.name}': {renorm_clipping}. Supported values: "
                    "['rmax', 'rmin', 'dmax']."
                )
            rmax, rmin = renorm_clipping.get("rmax"), renorm_clipping.get("rmin")
            dmax = renorm_clipping.get("dmax")
            if rmax is not None and rmin is not None and rmax < rmin:
                raise ValueError(
                    f"rmax should be greater than rmin in the `renorm_clipping` argument of "
                    f"layer '{self.name}'. Received: rmax={rmax}, rmin={rmin}."
                )
            if dmax is not None and dmax < 0:
                raise ValueError(
                    f"dmax should be non-negative in the `renorm_clipping` argument of layer "
                    f"'{self.name}'. Received: dmax={dmax}."
                )
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.gamma = None
        self.beta = None
        self.moving_mean = None
        self.moving_variance = None
        self._reduction_axes = None

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(
                f"Axis {self.axis} of layer '{self.name}' is out of bounds for input shape "
                f"{tuple(input_shape)}."
            )
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Layer '{self.name}' needs a known size on axis {self.axis}, received input "
                f"shape {tuple(input_shape)}."
            )
        shape = (dim,)
        # autocast=False: under a mixed policy the weights and statistics are read in float32
        # (the layer computes in float32 and casts its output, as Keras).
        if self.scale:
            self.gamma = self.add_weight(
                autocast=False,
                shape=shape,
                name="gamma",
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                autocast=False,
                shape=shape,
                name="beta",
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        self.moving_mean = self.add_weight(
            autocast=False,
            shape=shape, name="moving_mean", initializer=self.moving_mean_initializer,
            trainable=False,
        )
        self.moving_variance = self.add_weight(
            autocast=False,
            shape=shape, name="moving_variance",
            initializer=self.moving_variance_initializer, trainable=False,
        )
        if self.renorm:
            self._build_renorm(shape)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        self._reduction_axes = [i for i in range(ndim) if i != self.axis % ndim]

    def _build_renorm(self, shape):
        """The batch-renormalization statistics (`renorm=True`): the moving standard deviation
        and the renormalization mean and standard deviation, all non-trainable."""
        variance_initializer = self.moving_variance_initializer

        def moving_stddev_initializer(shape, dtype=None):
            return jnp.sqrt(variance_initializer(shape, dtype=dtype))

        self.moving_stddev = self.add_weight(
            autocast=False,
            shape=shape, name="moving_stddev", initializer=moving_stddev_initializer,
            trainable=False,
        )
        self.renorm_mean = self.add_weight(
            autocast=False,
            shape=shape, name="renorm_mean", initializer=self.moving_mean_initializer,
            trainable=False,
        )
        self.renorm_stddev = self.add_weight(
            autocast=False,
            shape=shape, name="renorm_stddev", initializer=moving_stddev_initializer,
            trainable=False,
        )

    def _set_trainable(self, value):
        Layer.trainable.fset(self, value)
        # The base setter flips every own variable; the statistics must stay state.
        for name in _STATE_NAMES:
            if getattr(self, name, None) is not None:
                getattr(self, name).trainable = False

    trainable = property(Layer.trainable.fget, _set_trainable)

    def compute_output_shape(self, input_shape):
        if not -len(input_shape) <= self.axis < len(input_shape):
            raise ValueError(
                f"Axis {self.axis} of layer '{self.name}' is out of bounds for input shape "
                f"{tuple(input_shape)}."
            )
        return tuple(input_shape)

    def call(self, inputs, training=None, mask=None):
        inputs = jnp.asarray(inputs)
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError(
                f"The mask given to layer '{self.name}' should have one dimension less than the "
                f"inputs. Received: mask.shape={mask.shape}, inputs.shape={inputs.shape}"
            )
        dtype = jnp.result_type(inputs.dtype, jnp.float32)
        inputs = inputs.astype(dtype)
        moving_mean = self.moving_mean.value.astype(dtype)
        moving_variance = self.moving_variance.value.astype(dtype)
        gamma = self.gamma.value.astype(dtype) if self.scale else None
        beta = self.beta.value.astype(dtype) if self.center else None

        if training and self.trainable:
            mean, variance = self._moments(inputs, mask)
            if self.renorm:
                r, d = self._renorm_correction(mean, variance)
                gamma, beta = _compose_transforms(r, d, gamma, beta, dtype)
                self._update_renorm_statistics(mean, variance)
            else:
                self.moving_mean.assign(moving_mean * self.momentum + mean * (1.0 - self.momentum))
                self.moving_variance.assign(
                    moving_variance * self.momentum + variance * (1.0 - self.momentum)
                )
        else:
            mean, variance = moving_mean, moving_variance

        outputs = _batch_normalization(
            inputs, mean, variance, self.axis, beta, gamma, self.epsilon
        )
        return outputs.astype(self.compute_dtype)

    def _moments(self, inputs, mask):
        axes = tuple(self._reduction_axes)
        if mask is None:
            return jnp.mean(inputs, axes), jnp.var(inputs, axis=axes)
        # Keras's masked moments: the mask covers every axis but the last (feature) one.
        epsilon = 1e-7
        weights = jnp.broadcast_to(jnp.expand_dims(mask, -1), inputs.shape).astype(bool)
        count = jnp.sum(weights.astype(inputs.dtype), axes, keepdims=True)
        mean = jnp.sum(jnp.where(weights, inputs, 0), axes, keepdims=True) / (count + epsilon)
        squares = jnp.square(jnp.where(weights, inputs - mean, 0))
        variance = jnp.sum(squares, axes, keepdims=True) / (count + epsilon)
        size = inputs.shape[self.axis]
        return jnp.reshape(mean, (size,)), jnp.reshape(variance, (size,))

    def _renorm_correction(self, mean, variance):
        stddev = jnp.sqrt(variance + self.epsilon)
        renorm_mean = self.renorm_mean.value.astype(mean.dtype)
        renorm_stddev = jnp.maximum(
            self.renorm_stddev.value.astype(mean.dtype),
            jnp.sqrt(jnp.asarray(self.epsilon, mean.dtype)),
        )
        r = stddev / renorm_stddev
        d = (mean - renorm_mean) / renorm_stddev
        clipping = self.renorm_clipping
        if clipping.get("rmin") is not None:
            r = jnp.maximum(r, clipping["rmin"])
        if clipping.get("rmax") is not None:
            r = jnp.minimum(r, clipping["rmax"])
        if clipping.get("dmax") is not None:
            d = jnp.clip(d, -clipping["dmax"], clipping["dmax"])
        return r, d

    def _update_renorm_statistics(self, mean, variance):
        stddev = jnp.sqrt(variance + self.epsilon)
        renorm_mean = self.renorm_mean.value.astype(mean.dtype)
        renorm_stddev = self.renorm_stddev.value.astype(mean.dtype)
        momentum = self.renorm_momentum
        self.renorm_mean.assign(renorm_mean * momentum + mean * (1.0 - momentum))
        self.renorm_stddev.assign(renorm_stddev * momentum + stddev * (1.0 - momentum))
        moving_mean = self.moving_mean.value.astype(mean.dtype)
        moving_stddev = self.moving_stddev.value.astype(mean.dtype)
        self.moving_mean.assign(moving_mean * self.momentum + mean * (1.0 - self.momentum))
        new_stddev = moving_stddev * self.momentum + stddev * (1.0 - self.momentum)
        self.moving_stddev.assign(new_stddev)
        self.moving_variance.assign(jax.nn.relu(new_stddev * new_stddev - self.epsilon))

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer
            ),
            "beta_regularizer": _serialize(regularizers, self.beta_regularizer),
            "gamma_regularizer": _serialize(regularizers, self.gamma_regularizer),
            "beta_constraint": _serialize(constraints, self.beta_constraint),
            "gamma_constraint": _serialize(constraints, self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }


_STATE_NAMES = ("moving_mean", "moving_variance", "moving_stddev", "renorm_mean", "renorm_stddev")


def _batch_normalization(x, mean, variance, axis, offset, scale, epsilon):
    """Keras 3's JAX `ops.batch_normalization`, operation for operation (same rounding)."""
    shape = [1] * x.ndim
    shape[axis] = mean.shape[0]
    inv = jax.lax.rsqrt(jnp.reshape(variance, shape) + epsilon)
    if scale is not None:
        inv = inv * jnp.reshape(scale, shape)
    res = -jnp.reshape(mean, shape) * inv
    if offset is not None:
        res = res + jnp.reshape(offset, shape)
    return x * inv + res


def _compose_transforms(r, d, gamma, beta, dtype):
    """`(x * r + d) * gamma + beta` as one scale and offset; no gradient through r and d."""
    r, d = jax.lax.stop_gradient(r), jax.lax.stop_gradient(d)
    if gamma is not None:
        effective_gamma, effective_beta = r * gamma, d * gamma
    else:
        effective_gamma, effective_beta = r.astype(dtype), d.astype(dtype)
    if beta is not None:
        effective_beta = effective_beta + beta
    return effective_gamma, effective_beta


def _serialize(module, obj):
    return None if obj is None else module.serialize(obj)
