"""`MonitorCallback`: the shared "is this value an improvement?" logic of EarlyStopping,
ReduceLROnPlateau and ModelCheckpoint (Keras 3's rules for `mode` and `min_delta`)."""

import operator
import warnings

from jkeras.callbacks.callback import Callback


class MonitorCallback(Callback):
    """Base class for callbacks that watch one logged quantity.

    Args:
        monitor: the log key to watch (default "val_loss").
        mode: "min", "max", or "auto" (loss-like names minimize; metrics maximize or minimize
            by their direction).
        baseline: initial best value (None: the first observed value).
        min_delta: the smallest change that counts as an improvement.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=2,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss" or name.endswith("_loss"):
                self.monitor_op = operator.lt
            metrics = []
            for metric in getattr(self.model, "metrics", []):
                # `compile_metrics` stands for the compiled metrics (as Keras 3's).
                metrics += getattr(metric, "metrics", None) or [metric]
            for metric in metrics:
                if metric.name == name and getattr(metric, "direction", None) is not None:
                    self.monitor_op = operator.gt if metric.direction == "up" else operator.lt
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "jkeras isn't able to automatically determine whether that metric should "
                    "be maximized or minimized. Pass `mode='max'` in order to monitor based on "
                    "the highest metric value, or pass `mode='min'` in order to use the lowest "
                    "value."
                )
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        return self.monitor_op(value - self.min_delta, reference)

    def _monitored(self, logs, what):
        """The monitored value from `logs`, or None with Keras's warning listing the keys."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"{what} conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(list(logs.keys()))}",
                stacklevel=3,
            )
        return value
