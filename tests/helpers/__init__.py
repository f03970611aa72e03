"""Helpers shared by the tests: `assert_close` for arrays and structures of arrays, small
datasets and models (`classification_data`, `regression_data`, `mlp`), `.keras` files across
the libraries (`load_both_ways`), and `run_layer_test` / `run_config_test`, the checks every
layer test runs (see DEVELOPERS.md, "Testing a layer")."""

from tests.helpers.arrays import assert_close
from tests.helpers.data import classification_data, mlp, regression_data
from tests.helpers.files import load_both_ways
from tests.helpers.layer_test import run_config_test, run_layer_test

__all__ = ["assert_close", "classification_data", "load_both_ways", "mlp", "regression_data",
           "run_config_test", "run_layer_test"]
