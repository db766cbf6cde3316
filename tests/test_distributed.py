"""Data-parallel training for real: two processes on this machine (gloo), through Accelerate."""

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from skorch import NeuralNet

from skae._data import ArrayDataset, BatchIterator
from skae._net import AutoencoderNet

sys.path.insert(0, str(Path(__file__).parent))
import data_parallel_fit  # noqa: E402

NAMES = [*data_parallel_fit.ESTIMATORS, "classifier"]


# The tests on the launched run are marked slow (make test-slow, which CI runs):
# the launch takes 37-53 s on 2 cores, over the ~30 s the data-parallel issue
# (#16) set for the fast suite, and its two processes beside the other
# pytest-xdist worker oversubscribe the cores.
@pytest.fixture(scope="module")
def launched(tmp_path_factory):
    """Run tests/data_parallel_fit.py in two processes under torchrun; its output folder."""
    pytest.importorskip("accelerate")
    out = tmp_path_factory.mktemp("data_parallel")
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        data_parallel_fit.__file__,
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def _load(out, name, rank):
    return dict(np.load(out / f"{name}-{rank}.npz"))


def _weights(record):
    return {k: v for k, v in record.items() if k.startswith("weight/")}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_both_processes_hold_identical_weights_after_fit(launched, name):
    first, second = _load(launched, name, 0), _load(launched, name, 1)
    assert first["n_iter"] == second["n_iter"]
    for key, value in _weights(first).items():
        np.testing.assert_array_equal(value, second[key], err_msg=key)


@pytest.mark.slow
def test_two_processes_match_one_at_the_same_global_batch_and_epochs(launched):
    X_train, X_test = data_parallel_fit.digits()
    one = data_parallel_fit.ESTIMATORS["autoencoder"]().fit(X_train)
    one_error = np.mean((one.inverse_transform(one.transform(X_test)) - X_test) ** 2)
    two_error = float(_load(launched, "autoencoder", 0)["held_out_mse"])
    assert abs(two_error - one_error) <= 0.02 * one_error, (two_error, one_error)
    # Not a copy of the one-process run: the processes split every batch.
    two = _weights(_load(launched, "autoencoder", 0))
    assert any(
        not np.array_equal(v.cpu().numpy(), two[f"weight/{k}"])
        for k, v in one.net_.module_.state_dict().items()
    )


@pytest.mark.slow
def test_the_same_seed_gives_the_same_data_parallel_fit(launched):
    first = _weights(_load(launched, "autoencoder", 0))
    again = _weights(_load(launched, "autoencoder_again", 1))
    for key, value in first.items():
        np.testing.assert_array_equal(value, again[key], err_msg=key)


@pytest.mark.slow
def test_fine_tuning_runs_data_parallel_with_its_autoencoder(launched):
    accuracy = float(_load(launched, "classifier", 0)["accuracy"])
    assert accuracy > 0.8  # ten classes: chance is 0.1


@pytest.mark.slow
def test_standardisation_is_taken_over_all_rows(launched):
    X_train, _ = data_parallel_fit.digits()
    for rank in (0, 1):
        mean = _load(launched, "autoencoder", rank)["weight/mean"]
        np.testing.assert_allclose(mean, X_train.mean(axis=0), atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["early_stopping", "stall"])
def test_stopping_rules_stop_every_process_at_the_same_epoch(launched, name):
    first, second = _load(launched, name, 0), _load(launched, name, 1)
    assert first["n_iter"] == second["n_iter"] < 20  # stopped before the cap
    np.testing.assert_array_equal(first["train_loss"], second["train_loss"])


@pytest.mark.slow
def test_dead_units_are_judged_on_the_rows_of_every_process(launched):
    # partial_fit waits for 40 rows before it judges; a process that counted
    # its own 15 rows a chunk would judge at other chunks than one process does.
    _, revived_alone = data_parallel_fit.revival_over_chunks()
    assert revived_alone == [0, 0, 0, 10]
    first, second = (_load(launched, "revival_over_chunks", rank) for rank in (0, 1))
    assert first["revived"].tolist() == second["revived"].tolist() == revived_alone
    for key, value in _weights(first).items():
        np.testing.assert_array_equal(value, second[key], err_msg=key)


@pytest.mark.slow
def test_divergence_is_reported_by_every_process(launched):
    for rank in (0, 1):
        assert "The fit diverged" in (launched / f"divergence-{rank}.txt").read_text()


@pytest.mark.slow
def test_the_saved_estimators_are_ordinary_and_load_on_one_cpu_process(launched):
    estimators = pickle.loads((launched / "estimators.pkl").read_bytes())
    X_train, X_test = data_parallel_fit.digits()
    for name, model in estimators.items():
        assert type(model.net_) is (NeuralNet if name == "classifier" else AutoencoderNet), name
        assert str(model.net_.device) == "cpu"
        saved = _weights(_load(launched, name, 0))
        for key, value in model.net_.module_.state_dict().items():
            np.testing.assert_array_equal(value.numpy(), saved[f"weight/{key}"])
        outputs = model.predict_proba(X_test) if name == "classifier" else model.transform(X_test)
        assert np.isfinite(outputs).all()


def test_shards_split_every_global_batch_and_draw_the_same_permutation():
    X = torch.arange(10.0).reshape(-1, 1)
    batches = []
    for rank in (0, 1):
        generator = torch.Generator().manual_seed(3)
        iterator = BatchIterator(
            ArrayDataset(X), 4, shuffle=True, shard=(rank, 2), generator=generator
        )
        batches.append([b[0].flatten().tolist() for b in iterator])
    assert len(batches[0]) == len(batches[1]) == 3
    for first, second in zip(*batches, strict=True):
        assert len(first) == len(second) and not set(first) & set(second)
    assert sorted(sum(batches[0] + batches[1], [])) == list(range(10))
