"""`fit`, `evaluate` and `predict` take a `torch.utils.data.DataLoader` and Grain datasets and
loaders, as Keras 3 does, with the same results as Keras 3 on the same batches."""

import grain
import keras
import pytest
import torch

import jkeras
from tests.helpers import assert_close, mlp, regression_data

X, Y = regression_data(16)


def _torch_loader():
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    return torch.utils.data.DataLoader(dataset, batch_size=4, shuffle=False)


def _grain_map_dataset():
    return grain.MapDataset.source([(X[i], Y[i]) for i in range(len(X))]).batch(4)


def _grain_iter_dataset():
    return _grain_map_dataset().to_iter_dataset()


def _grain_loader():
    source = [(X[i], Y[i]) for i in range(len(X))]
    return grain.DataLoader(data_source=source, sampler=grain.samplers.SequentialSampler(
        len(source), grain.sharding.NoSharding()), operations=[grain.transforms.Batch(4)],
        worker_count=0)


SOURCES = [_torch_loader, _grain_map_dataset, _grain_iter_dataset, _grain_loader]


def _run(library, make_data, weights):
    model = mlp(library, inputs=4, hidden=(3,), outputs=1)
    model.set_weights(weights)
    model.compile(optimizer=library.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    history = model.fit(make_data(), epochs=2, verbose=0).history
    evaluation = model.evaluate(make_data(), verbose=0, return_dict=True)
    predictions = model.predict(make_data(), verbose=0)
    return history, evaluation, predictions


@pytest.mark.parametrize("make_data", SOURCES, ids=lambda f: f.__name__.strip("_"))
def test_torch_and_grain_inputs_train_as_in_keras(make_data):
    weights = mlp(jkeras, inputs=4, hidden=(3,), outputs=1).get_weights()
    results = _run(jkeras, make_data, weights)
    expected = _run(keras, make_data, weights)
    assert_close(results, expected, rtol=1e-4, atol=1e-6)
    assert results[2].shape == (16, 1)
