"""`HostLayer`: the base of layers that compute on the host, in numpy and Python.

XLA has no strings and no hash tables, so text, lookup and hashing layers run on the host: called
eagerly they take numpy arrays, lists or JAX arrays and return numpy arrays (Keras's dtypes:
`int64` indices); in a model they form the model's host stage, which the trainer runs on each
batch before the compiled step (`jkeras.models.host_stage`); in `tf.data.Dataset.map` they run
through `tf.numpy_function`. They cannot be traced: under `jax.jit` or a gradient they raise.
"""

import jax
import numpy as np

from jkeras.core.keras_tensor import KerasTensor, any_symbolic
from jkeras.core.variable import Variable
from jkeras.layers.layer import Layer
from jkeras.layers.preprocessing.tf_data_bridge import any_tf_tensor, call_on_tf_tensors


def to_numpy(x):
    """A host numpy array for an array-like (lists, JAX arrays, Variables); texts (`str`, or
    bytes from tf.data and `np.bytes_` arrays, decoded as UTF-8) become a `str` array, also
    from an object array such as `text_dataset_from_directory`'s batches."""
    if isinstance(x, Variable):
        x = x.value
    array = np.asarray(x)
    if array.dtype.kind == "S":
        return np.char.decode(array, "utf-8")
    if array.dtype == object and array.size and all(
            isinstance(item, (str, bytes)) for item in array.flat):
        texts = [item.decode("utf-8") if isinstance(item, bytes) else item
                 for item in array.flat]
        return np.array(texts, dtype=str).reshape(array.shape)
    return array


def is_string_array(array):
    return array.dtype.kind in "US" or array.dtype == object


class HostLayer(Layer):
    """A layer whose `call` computes on numpy arrays on the host.

    Subclasses implement `call(inputs)` on numpy arrays and `compute_output_spec(inputs)` for
    KerasTensor inputs (shapes and dtypes, without tracing). They hold no `Variable`s: their
    state (vocabularies, weights such as TF-IDF's) lives in numpy attributes, saved through
    `save_own_variables` and `save_assets` as Keras saves it.
    """

    runs_on_host = True
    _convert_input_args = False

    def __call__(self, *args, **kwargs):
        if any_tf_tensor(args, kwargs):  # inside `tf.data.Dataset.map`
            return call_on_tf_tensors(self, args, kwargs)
        if any_symbolic(args, kwargs):
            return super().__call__(*args, **kwargs)
        for leaf in jax.tree_util.tree_leaves((args, kwargs)):
            if isinstance(leaf, jax.core.Tracer):
                raise ValueError(  # noqa: TRY004 (Keras's type)
                    f"Layer '{self.name}' ({type(self).__name__}) runs on the host, in numpy: it "
                    "cannot be traced by `jax.jit` or differentiated. In a model, place it "
                    "where it takes the model's inputs (or other host layers' outputs), so the "
                    "trainer runs it before the compiled step; or apply it in the input "
                    "pipeline (e.g. `dataset.map(layer)`)."
                )
        kwargs.pop("training", None)
        self.built = True
        return self.call(*args, **kwargs)

    def _symbolic_call(self, *args, **kwargs):
        kwargs.pop("training", None)
        return super()._symbolic_call(*args, **kwargs)

    def build(self, input_shape=None):
        self.built = True

    def compute_output_spec(self, inputs):
        return KerasTensor(self.compute_output_shape(tuple(inputs.shape)), self.output_dtype)

    @property
    def output_dtype(self):
        """The dtype of the outputs (symbolic tensors carry it)."""
        return "int64"
