"""`Callback`: hooks into `fit`/`evaluate`/`predict`, and `CallbackList` that dispatches them."""


class Callback:
    """Base class of callbacks. Override any `on_*` hook; `self.model` is the trained model and
    `self.params` holds `verbose`, `epochs` and `steps`.

    Batch hooks receive logs whose values may be device arrays; convert with `float()` only when
    needed (each conversion waits for the device).
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_batch_begin(self, batch, logs=None):
        """Keras's older name for `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """Keras's older name for `on_train_batch_end`."""

    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


_BATCH_HOOKS = (
    "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
    "on_predict_batch_begin", "on_predict_batch_end", "on_batch_begin", "on_batch_end",
)


def overrides_batch_hooks(callback):
    """Whether `callback` defines any per-batch hook beyond the base class's no-ops (as a
    method or, like LambdaCallback, as an instance attribute)."""
    return any(
        getattr(type(callback), hook) is not getattr(Callback, hook) or hook in vars(callback)
        for hook in _BATCH_HOOKS
    )


class CallbackList(Callback):
    """Calls each hook on every callback in order.

    Args:
        callbacks: list of Callback.
        model: set on each callback.
        on_sync: called before batch hooks when a user callback defines one, so the trainer can
            write its device state back into the model's variables first (epoch hooks always
            see synced variables).
    """

    def __init__(self, callbacks, model=None, params=None, on_sync=None):
        super().__init__()
        self.callbacks = list(callbacks)
        self._on_sync = on_sync
        self._batch_readers = [c for c in self.callbacks if not getattr(c, "_internal", False)
                               and overrides_batch_hooks(c)]
        for callback in self.callbacks:
            if model is not None:
                callback.set_model(model)
            if params is not None:
                callback.set_params(params)

    # As Keras 3, every hook receives a dict (empty when there is nothing to report): epoch
    # and run hooks positionally, batch hooks as `logs=`; each dispatch gets its own copy,
    # which its callbacks share (a `LearningRateScheduler` adding "learning_rate" to an
    # epoch's logs adds it to History's, not to the logs `on_train_end` gets).
    def _dispatch(self, hook, *args, logs=None):
        logs = {} if logs is None else dict(logs)
        for callback in self.callbacks:
            getattr(callback, hook)(*args, logs)

    def _dispatch_batch(self, hook, batch_index, logs=None):
        if self._batch_readers and self._on_sync is not None:
            self._on_sync()
        logs = {} if logs is None else dict(logs)
        for callback in self.callbacks:
            getattr(callback, hook)(batch_index, logs=logs)


def _make_hook(name, batch):
    if batch:
        def hook(self, batch_index, logs=None):
            self._dispatch_batch(name, batch_index, logs)
    elif name.startswith("on_epoch"):
        def hook(self, epoch, logs=None):
            self._dispatch(name, epoch, logs=logs)
    else:
        def hook(self, logs=None):
            self._dispatch(name, logs=logs)
    hook.__name__ = name
    return hook


for _name in [n for n in vars(Callback)
              if n.startswith("on_") and n not in ("on_batch_begin", "on_batch_end")]:
    setattr(CallbackList, _name, _make_hook(_name, _name in _BATCH_HOOKS))
