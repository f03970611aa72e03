"""benchmarks/ops.py runs and reports every op it times, for both libraries."""

import importlib
import pathlib

BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"


def test_ops_benchmark_reports_each_op(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench = importlib.import_module("ops")
    assert len(bench.CALLS) >= 20
    for name, call in bench.CALLS.items():  # The same call works on both namespaces.
        ours, theirs = (call(namespace) for namespace in bench.LIBRARIES.values())
        assert (ours.shape, ours.dtype) == (theirs.shape, theirs.dtype), name
    assert bench.main(["--rounds", "2", "--calls", "2", "--ops", "add,argmax"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[2:4]] == ["add", "argmax"]
