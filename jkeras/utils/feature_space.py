"""`FeatureSpace`: preprocessing and encoding of structured data from a dict of features.

Each feature has a preprocessing layer (lookup, hashing, normalization, discretization...) and
an encoding; crosses hash pairs of preprocessed features together. Outputs are one vector
(`"concat"`) or a dict of encoded features (`"dict"`). Layouts, names, configs and `.keras`
files are Keras 3's. The lookup and hashing layers run on the host (see
`jkeras.layers.preprocessing.host_layer`): a model built from `get_inputs()` and
`get_encoded_features()` runs them in its host stage before the compiled step.
"""

import jax.numpy as jnp
import numpy as np

from jkeras import layers
from jkeras.core import naming
from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.layer import Layer
from jkeras.layers.preprocessing import adapt_data
from jkeras.layers.preprocessing.tf_data_bridge import any_tf_tensor, call_on_tf_tensors
from jkeras.layers.registry import LAYERS
from jkeras.layers.registry import deserialize as deserialize_layer
from jkeras.layers.registry import serialize as serialize_layer
from jkeras.saving import saving_lib

_KERAS_MODULE = "keras.src.layers.preprocessing.feature_space"
_ADAPT_BATCH_SIZE = 32  # Keras batches unbatched features by 32 to adapt


class TFDIdentity(Layer):
    """The identity: the preprocessor of `"float"` features (Keras 3's name)."""

    def call(self, inputs):
        return inputs


class TFDConcat(Layer):
    """Concatenation along `axis`: FeatureSpace's `"concat"` output (Keras 3's name)."""

    def __init__(self, axis, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return jnp.concatenate([jnp.asarray(x, dtype="float32") for x in inputs],
                               axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


_OWN_LAYERS = {"TFDIdentity": TFDIdentity, "TFDConcat": TFDConcat}


def _serialize(obj, config):
    return {"module": _KERAS_MODULE, "class_name": type(obj).__name__, "config": config,
            "registered_name": type(obj).__name__}


def _serialize_preprocessor(layer):
    config = serialize_layer(layer)
    if type(layer).__name__ in _OWN_LAYERS:
        config.update(module=_KERAS_MODULE, registered_name=type(layer).__name__)
    # Keras's lookup layers write an empty build config; others their (batch, 1) input shape.
    lookup = isinstance(layer, (layers.StringLookup, layers.IntegerLookup))
    config["build_config"] = {"input_shape": [None, 1]} if layer.built and not lookup else {}
    return config


def _deserialize(config, custom_objects=None):
    """A `Feature`, `Cross` or layer from its serialized dict (what `get_config` writes)."""
    class_name = config.get("class_name")
    if class_name in ("Feature", "Cross"):
        cls = Feature if class_name == "Feature" else Cross
        return cls.from_config(config["config"])
    layer = deserialize_layer(config, {**_OWN_LAYERS, **(custom_objects or {})})
    input_shape = (config.get("build_config") or {}).get("input_shape")
    if input_shape is not None and not layer.built:
        layer.build(tuple(input_shape))
    return layer


class Cross:
    """A cross of features hashed into `crossing_dim` bins (`FeatureSpace.cross`)."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in {"int", "one_hot"}:
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of {'int', "
                f"'one_hot'}}. Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self):
        return "_X_".join(self.feature_names)

    def get_config(self):
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Feature:
    """A feature's input dtype, preprocessing layer and encoding (`FeatureSpace.feature`)."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in {"int", "one_hot", "float"}:
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot', "
                f"'float'}}. Received: output_mode={output_mode}")
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = _deserialize(preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self):
        return {"dtype": self.dtype, "preprocessor": _serialize_preprocessor(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _auto_name(prefix, name):
    return name or naming.auto_name(prefix)


class FeatureSpace(Layer):
    """Preprocesses and encodes a dict of structured features, as Keras 3's `FeatureSpace`.

    Args:
        features: dict from feature name to its type: a name (`"float"`, `"float_normalized"`,
            `"float_rescaled"`, `"float_discretized"`, `"integer_categorical"`,
            `"string_categorical"`, `"integer_hashed"`, `"string_hashed"`) or a `Feature` from
            the class methods (`FeatureSpace.string_categorical(max_tokens=10)`, ...).
        output_mode: `"concat"` (one float vector) or `"dict"` (a dict of encoded features).
        crosses: tuples of feature names, or `FeatureSpace.cross(...)`, hashed together.
        crossing_dim: default number of bins of a cross.
        hashing_dim: default number of bins of hashed features.
        num_discretization_bins: default number of bins of `"float_discretized"` features.
        name: the layer's name.

    Call it on a dict of arrays (or, inside `tf.data.Dataset.map`, of tensors) after `adapt`.

    Example:
        >>> space = jkeras.utils.FeatureSpace(
        ...     {"age": "float_normalized", "city": "string_categorical"})
        >>> space.adapt({"age": np.array([20.0, 40.0]), "city": np.array(["a", "b"])})
        >>> space({"age": np.array([30.0]), "city": np.array(["b"])}).shape
        (1, 4)
    """

    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        name = _auto_name("float", name)
        return Feature("float32", TFDIdentity(dtype="float32", name=f"{name}_preprocessor"),
                       "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        name = _auto_name("float_rescaled", name)
        layer = layers.Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor")
        return Feature("float32", layer, "float")

    @classmethod
    def float_normalized(cls, name=None):
        name = _auto_name("float_normalized", name)
        return Feature("float32", layers.Normalization(axis=-1, name=f"{name}_preprocessor"),
                       "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
        name = _auto_name("float_discretized", name)
        layer = layers.Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries,
                                      name=f"{name}_preprocessor")
        return Feature("float32", layer, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                            name=None):
        name = _auto_name("integer_categorical", name)
        layer = layers.IntegerLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                     num_oov_indices=num_oov_indices)
        return Feature("int32", layer, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                           name=None):
        name = _auto_name("string_categorical", name)
        layer = layers.StringLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                    num_oov_indices=num_oov_indices)
        return Feature("string", layer, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = _auto_name("string_hashed", name)
        return Feature("string", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins),
                       output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = _auto_name("integer_hashed", name)
        return Feature("int32", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins),
                       output_mode)

    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32,
                 hashing_dim=32, num_discretization_bins=32, name=None, **kwargs):
        super().__init__(name=name, **{k: v for k, v in kwargs.items() if k == "dtype"})
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {name: self._standardize_feature(name, value)
                         for name, value in features.items()}
        self.crosses = [self._standardize_cross(cross, features) for cross in crosses or []]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        if output_mode not in {"dict", "concat"}:
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of {'dict', 'concat'}. "
                f"Received: output_mode={output_mode}")
        self.output_mode = output_mode
        self.inputs = {name: layers.Input(shape=(1,), dtype=feature.dtype, name=name)
                       for name, feature in self.features.items()}
        self.preprocessors = {name: f.preprocessor for name, f in self.features.items()}
        self.encoded_features = None
        self.crossers = {cross.name: layers.HashedCrossing(cross.crossing_dim, name=cross.name)
                         for cross in self.crosses}
        self.one_hot_encoders = {}
        self._is_adapted = False
        self.concat = None
        self._preprocessed_features_names = None
        self._crossed_features_names = None
        self._sublayers_built = False

    def _standardize_feature(self, name, feature):
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return _deserialize(feature)
        makers = {
            "float": lambda: self.float(name=name),
            "float_normalized": lambda: self.float_normalized(name=name),
            "float_rescaled": lambda: self.float_rescaled(name=name),
            "float_discretized": lambda: self.float_discretized(
                name=name, num_bins=self.num_discretization_bins),
            "integer_categorical": lambda: self.integer_categorical(name=name),
            "string_categorical": lambda: self.string_categorical(name=name),
            "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
            "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name),
        }
        if feature not in makers:
            raise ValueError(f"Invalid feature type: {feature}")
        return makers[feature]()

    def _standardize_cross(self, cross, features):
        if isinstance(cross, dict):
            cross = _deserialize(cross)
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError(
                "When specifying `crosses`, the argument `crossing_dim` (dimensionality of the "
                "crossing space) should be specified as well.")
        unknown = [key for key in cross if key not in features]
        if unknown:
            raise ValueError(
                "All features referenced in the `crosses` argument should be present in the "
                f"`features` dict. Received unknown features: {cross}")
        return Cross(cross, crossing_dim=self.crossing_dim)

    # -------------------------------------------------------------------------- adapt

    def _list_adaptable_preprocessors(self):
        names = []
        for name in self.features:
            preprocessor = self.preprocessors[name]
            if isinstance(preprocessor, layers.Normalization) and (
                    preprocessor.input_mean is not None):
                continue
            if isinstance(preprocessor, layers.TextVectorization) and (
                    preprocessor.has_input_vocabulary):
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset):
        """Adapt every adaptable preprocessor to its feature in `dataset`: a dict of arrays (or
        lists) or a `tf.data.Dataset` of dicts, batched or not."""
        columns = _feature_batches(dataset)
        for name in self._list_adaptable_preprocessors():
            self.preprocessors[name].adapt(iter(columns[name]))
        self._is_adapted = True
        self.get_encoded_features()  # finish building the layer
        self.built = True
        self._sublayers_built = True

    def get_inputs(self):
        """The dict of `jkeras.Input`s, one `(None, 1)` input per feature."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The symbolic encoded features computed from `get_inputs()` (for a functional
        model)."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = self._preprocess_features(self.inputs)
            crossed = self._cross_features(preprocessed)
            self.encoded_features = self._merge_features(preprocessed, crossed)
        return self.encoded_features

    def _preprocess_features(self, features):
        return {name: self.preprocessors[name](features[name]) for name in features}

    def _cross_features(self, features):
        return {cross.name: self.crossers[cross.name](
            [features[name] for name in cross.feature_names]) for cross in self.crosses}

    def _merge_features(self, preprocessed, crossed):
        if not self._preprocessed_features_names:
            self._preprocessed_features_names = sorted(preprocessed)
            self._crossed_features_names = sorted(crossed)
        names = self._preprocessed_features_names + self._crossed_features_names
        values = [preprocessed[n] for n in self._preprocessed_features_names] + [
            crossed[n] for n in self._crossed_features_names]
        if not self._sublayers_built:
            return self._build_encoders(names, values)
        encoded = {}
        for name, value in zip(names, values):
            encoder = self.one_hot_encoders.get(name)
            encoded[name] = encoder(value) if encoder else value
        if self.output_mode == "dict":
            return encoded
        return self.concat([encoded[name] for name in names])

    def _build_encoders(self, names, values):
        """The first, symbolic merge: create the one-hot encoders and the concatenation."""
        specs = [self.features[n] for n in self._preprocessed_features_names] + [
            self.crosses_by_name[n] for n in self._crossed_features_names]
        encoded = {}
        for name, value, spec in zip(names, values, specs):
            if spec.output_mode == "one_hot":
                value = self._one_hot(name, value)
            if self.output_mode == "concat" and (
                    value.dtype.startswith("int") or value.dtype == "string"):
                raise ValueError(
                    f"Cannot concatenate features because feature '{name}' has not been "
                    f"encoded (it has dtype {value.dtype}). Consider using "
                    "`output_mode='dict'`.")
            encoded[name] = value
        if self.output_mode == "dict":
            return encoded
        self.concat = TFDConcat(axis=-1)
        return self.concat([encoded[name] for name in names])

    def _one_hot(self, name, value):
        preprocessor = self.preprocessors.get(name) or self.crossers.get(name)
        if not value.dtype.startswith("int"):
            raise ValueError(
                f"Feature '{name}' has `output_mode='one_hot'`. Thus its preprocessor should "
                f"return an integer dtype. Instead it returns a {value.dtype} dtype.")
        if isinstance(preprocessor, (layers.IntegerLookup, layers.StringLookup)):
            cardinality = preprocessor.vocabulary_size()
        elif isinstance(preprocessor, layers.CategoryEncoding):
            cardinality = preprocessor.num_tokens
        elif isinstance(preprocessor, (layers.Discretization, layers.HashedCrossing,
                                       layers.Hashing)):
            cardinality = preprocessor.num_bins
        else:
            raise ValueError(  # noqa: TRY004 (Keras's type)
                f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard "
                "feature and the dimensionality of its output space is not known, thus it "
                "cannot be one-hot encoded. Try using `output_mode='int'`.")
        if cardinality is None:
            return value
        encoder = layers.CategoryEncoding(num_tokens=cardinality, output_mode="multi_hot")
        self.one_hot_encoders[name] = encoder
        return encoder(value)

    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._list_adaptable_preprocessors():
                raise ValueError(
                    "You need to call `.adapt(dataset)` on the FeatureSpace before you can "
                    "start using it.")
            self._is_adapted = True

    def _check_if_built(self):
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    # --------------------------------------------------------------------------- call

    def __call__(self, data):
        if any_tf_tensor(data):  # inside `tf.data.Dataset.map`
            return call_on_tf_tensors(self, (data,), {})
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError(  # noqa: TRY004 (Keras's type)
                f"A FeatureSpace can only be called with a dict. Received: data={data} (of type "
                f"{type(data)}")
        data = {key: np.asarray(value) for key, value in data.items()}
        rebatched = any(x.ndim == 0 for x in data.values())
        data = {key: x.reshape(1, 1) if x.ndim == 0 else x[:, None] if x.ndim == 1 else x
                for key, x in data.items()}
        preprocessed = self._preprocess_features(data)
        merged = self._merge_features(preprocessed, self._cross_features(preprocessed))
        if rebatched:
            if self.output_mode == "concat":
                return merged[0]
            return {name: x[0] if x.ndim == 2 and x.shape[0] == 1 else x
                    for name, x in merged.items()}
        return merged

    def compute_output_spec(self, data):
        """The encoded features' shapes and dtypes for symbolic inputs `data` (a dict)."""
        self._check_if_built()
        unbatched = any(len(x.shape) == 0 for x in data.values())

        def spec(tensor):
            shape = tensor.shape[1:] if unbatched else tensor.shape
            return KerasTensor(shape, tensor.dtype)

        encoded = self.get_encoded_features()
        if isinstance(encoded, dict):
            return {name: spec(tensor) for name, tensor in encoded.items()}
        return spec(encoded)

    # ------------------------------------------------------------------ config, saving

    def get_config(self):
        return {
            "features": {name: _serialize(f, f.get_config()) for name, f in self.features.items()},
            "output_mode": self.output_mode,
            "crosses": [_serialize(cross, cross.get_config()) for cross in self.crosses],
            "crossing_dim": self.crossing_dim,
            "hashing_dim": self.hashing_dim,
            "num_discretization_bins": self.num_discretization_bins,
        }

    def get_build_config(self):
        """Keras's build config: each preprocessor's, `{"input_shape": [None, 1]}` for those
        with weights to build."""
        return {name: _serialize_preprocessor(f.preprocessor)["build_config"]
                for name, f in self.features.items()}

    def build_from_config(self, config):
        """Build the preprocessors as a saved (adapted) FeatureSpace had them."""
        for name, build_config in config.items():
            preprocessor = self.features[name].preprocessor
            input_shape = (build_config or {}).get("input_shape")
            if input_shape is not None and not preprocessor.built:
                preprocessor.build(tuple(input_shape))
        self._is_adapted = True

    def save(self, filepath):
        """Save the FeatureSpace to a `.keras` file (`jkeras.models.load_model` reads it, and
        Keras 3's)."""
        saving_lib.save_model(self, filepath)


def _feature_batches(dataset):
    """`{feature: [batches]}` as Keras 3 adapts each preprocessor: unbatched scalar features
    grouped by 32, every batch of rank 0 or 1 given a last axis of size 1."""
    if adapt_data.is_tf_dataset(dataset):
        elements = list(dataset.as_numpy_iterator())
    elif isinstance(dataset, dict):
        columns = {name: np.asarray(values) for name, values in dataset.items()}
        count = len(next(iter(columns.values())))
        elements = [{name: column[i] for name, column in columns.items()} for i in range(count)]
    else:
        raise ValueError(
            "`adapt()` can only be called on a tf.data.Dataset or a dict of arrays/lists. "
            f"Received instead: {dataset} (of type {type(dataset)})")
    if not elements:
        raise ValueError("`adapt()` received an empty dataset.")
    batches = {}
    for name in elements[0]:
        values = [np.asarray(element[name]) for element in elements]
        if values[0].ndim == 0:
            values = [np.stack(values[i:i + _ADAPT_BATCH_SIZE])
                      for i in range(0, len(values), _ADAPT_BATCH_SIZE)]
        batches[name] = [v[:, None] if v.ndim == 1 else v for v in values]
    return batches


# Saved as a model: Keras 3 exports it as `keras.utils.FeatureSpace`.
LAYERS.register(FeatureSpace, module="keras.utils")
