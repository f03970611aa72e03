"""benchmarks/RESULTS.md: one current table per device, each replaced when run_all.py runs there.

The page is a short preamble followed by one section per device. A section starts with a
`<!-- device: KEY -->` marker (KEY names the hardware) and runs to the next marker; writing a
run's section replaces the one with the same key and keeps every other device's. Tables of the
other benchmark scripts (quantization.py, remat.py) sit in sections keyed `DEVICE: name`.
"""

import os
import pathlib
import platform
import re

PATH = pathlib.Path(__file__).resolve().parent / "RESULTS.md"
PREAMBLE = """# Benchmark results

One table per device, written by `python benchmarks/run_all.py --markdown` (a run replaces its
own device's table and keeps the others). Each row is the best of the run's rounds; ratios are
against Keras 3 (JAX backend) measured in the same run. How to read them, and the design behind
them: [docs/performance.md](../docs/performance.md).
"""
_MARKER = re.compile(r"^<!-- device: (.+?) -->$", flags=re.MULTILINE)


def cpu_model():
    """The host CPU's model name (Linux's /proc/cpuinfo), else what `platform` reports."""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hardware(device):
    """The device a run measured, from the harness's `device_info()` fields: the key of its
    section. CPUs are named by model and core count; accelerators by count and kind."""
    cpus = device.get("cpus") or os.cpu_count()
    if device.get("platform", "cpu") == "cpu":
        return f"{cpus}-core CPU ({cpu_model()})"
    return f"{device.get('device_count', 1)} × {device.get('device_kind', '?')} ({cpus} CPU cores)"


def section(key, date, versions, command, table, notes=()):
    """One device's section: heading, date and versions, the command that ran, the table."""
    lines = [
        f"<!-- device: {key} -->",
        f"## {key}",
        "",
        f"Measured {date}; " + ", ".join(f"{name} {version}" for name, version in versions.items())
        + ".",
        "",
        f"`{command}`",
        "",
        table,
    ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def sections(text):
    """`{key: section text}` of a page, in page order."""
    found = list(_MARKER.finditer(text))
    ends = [m.start() for m in found[1:]] + [len(text)]
    return {m.group(1): text[m.start():end].rstrip("\n") + "\n" for m, end in zip(found, ends)}


def update(text, key, new_section):
    """The page `text` with `key`'s section replaced by `new_section` (appended when new)."""
    page = sections(text)
    page[key] = new_section
    return PREAMBLE + "".join("\n" + body for body in page.values())


def write(key, new_section, path=PATH):
    path = pathlib.Path(path)
    old = path.read_text() if path.exists() else ""
    path.write_text(update(old, key, new_section))
