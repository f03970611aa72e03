"""`Initializer`: the base class of every jkeras initializer."""


class Initializer:
    """Base class: an object called as `initializer(shape, dtype=None)` that returns an array.

    Subclasses implement `__call__` and, when they take arguments, `get_config` returning the
    constructor's keyword arguments (so the default `from_config` rebuilds them).

    Example:
        >>> class ExampleRandomNormal(Initializer):
        ...     def __init__(self, mean, stddev):
        ...         self.mean, self.stddev = mean, stddev
        ...     def __call__(self, shape, dtype=None):
        ...         return jkeras.random.normal(shape, self.mean, self.stddev, dtype=dtype)
        ...     def get_config(self):
        ...         return {"mean": self.mean, "stddev": self.stddev}
    """

    def __call__(self, shape, dtype=None):
        """A `jax.Array` of `shape` and `dtype` (default `jkeras.config.floatx()`)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__call__(self, shape, dtype=None)`."
        )

    def get_config(self):
        """The constructor's arguments, as a JSON-serializable dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """An initializer built from the output of `get_config()`."""
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
