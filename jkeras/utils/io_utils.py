"""`print_msg`: where jkeras's messages go, following the interactive-logging switch of
`jkeras.config` (stdout when on, `absl.logging` at INFO level when off)."""

import sys

from absl import logging

from jkeras.config import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)

__all__ = [
    "disable_interactive_logging",
    "enable_interactive_logging",
    "is_interactive_logging_enabled",
    "print_msg",
]


def print_msg(message, line_break=True):
    """Writes `message` to stdout (with a line break unless `line_break=False`), or logs it
    with `absl.logging.info` when interactive logging is disabled."""
    message = str(message)
    if not is_interactive_logging_enabled():
        logging.info(message)
        return
    sys.stdout.write(f"{message}\n" if line_break else message)
    sys.stdout.flush()
