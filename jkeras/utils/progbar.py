"""`Progbar`: Keras's console progress bar, rendered by time so it never syncs per step.

Values passed to `update` may be device arrays; they are converted to Python floats only when
a line is actually drawn (at most every `interval` seconds, and at the end). With interactive
logging disabled (`jkeras.config.disable_interactive_logging()`), the bar is not redrawn in
place and its lines go to `absl.logging` instead of stdout.
"""

import math
import os
import sys
import time

from jkeras.utils import io_utils


class Progbar:
    """Displays `current/target ━━━━ ETA time/step - name: value ...`.

    Args:
        target: total number of steps, or None if unknown.
        width: bar width in characters.
        verbose: 1 = live bar, 2 = one line at the end, 0 = silent.
        interval: minimum seconds between redraws.
        unit_name: the unit in the time-per-unit display ("step").
        stream: where to write; None: stdout, or the log when interactive logging is off.
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, unit_name="step", stream=None):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stream = stream
        console = stream or sys.stdout
        self._dynamic = (stream is not None or io_utils.is_interactive_logging_enabled()) and (
            getattr(console, "isatty", lambda: False)() or "ipykernel" in sys.modules
            or "PYCHARM_HOSTED" in os.environ
        )
        self._values = {}
        self._start = time.time()
        self._last_update = 0.0
        self._first_step_time = None
        self._seen = 0
        self._previous_width = 0

    def update(self, current, values=None, finalize=None):
        """Record progress `current` and the latest `values` (a dict or (name, value) pairs)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in (values.items() if isinstance(values, dict) else values or []):
            self._values[name] = value
        now = time.time()
        if self._first_step_time is None and current > 0:
            self._first_step_time = now
        self._seen = current
        # Without a terminal to redraw in place, only the final line is written (no log flood).
        redraw = self._dynamic and now - self._last_update >= self.interval
        if self.verbose == 1 and (finalize or redraw):
            self._draw_live(current, now, finalize)
            self._last_update = now
        elif self.verbose == 2 and finalize:
            self._write(f"{self._counter(current)} - {now - self._start:.0f}s -"
                        f"{self._time_per_unit(current, now)}{self._metrics()}\n")

    def _counter(self, current):
        if self.target is None or self.target <= 0:
            return f"{current:7d}/Unknown"
        digits = int(math.log10(self.target)) + 1
        return f"{current:{digits}d}/{self.target}"

    def _draw_live(self, current, now, finalize):
        line = self._counter(current)
        if self.target:
            filled = int(self.width * current / self.target)
            line += " " + "━" * filled + "─" * (self.width - filled)
        if self.target and not finalize:
            eta = self._step_duration(current, now) * (self.target - current)
            line += f" {self._format_duration(eta)}"
        else:
            line += f" {now - self._start:.0f}s"
        line += self._time_per_unit(current, now) + self._metrics()
        padding = " " * max(0, self._previous_width - len(line))
        self._previous_width = len(line)
        prefix = "\r" if self._dynamic else ""
        suffix = "\n" if finalize or not self._dynamic else ""
        self._write(prefix + line + padding + suffix)

    def _step_duration(self, current, now):
        # The first step includes compilation; estimate from the steps after it.
        if current > 1 and self._first_step_time is not None:
            return (now - self._first_step_time) / (current - 1)
        return (now - self._start) / max(current, 1)

    def _time_per_unit(self, current, now):
        seconds = self._step_duration(current, now) if current else 0.0
        if seconds >= 1 or seconds == 0:
            return f" {seconds:.0f}s/{self.unit_name}"
        if seconds >= 1e-3:
            return f" {seconds * 1e3:.0f}ms/{self.unit_name}"
        return f" {seconds * 1e6:.0f}us/{self.unit_name}"

    @staticmethod
    def _format_duration(seconds):
        if seconds > 3600:
            return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
        if seconds > 60:
            return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
        return f"{seconds:.0f}s"

    def _metrics(self):
        text = ""
        for name, value in self._values.items():
            value = float(value)
            text += f" - {name}: {value:.4f}" if abs(value) > 1e-3 else f" - {name}: {value:.4e}"
        return text

    def _write(self, text):
        if self.stream is None:
            io_utils.print_msg(text.strip("\r\n") if not self._dynamic else text,
                               line_break=not self._dynamic)
            return
        self.stream.write(text)
        self.stream.flush()
