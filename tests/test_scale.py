"""Scaling out: memory-mapped data, partial_fit over chunks, a Dask cluster."""

import gc
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV

import skae._data as skae_data
from skae import Autoencoder, ConvAE, LinearAE
from skae._data import COPY_ROWS, ArrayDataset, BatchIterator, MappedPages
from skae._inference import INFERENCE_BATCH_SIZE, as_tensor, batched_inference


@pytest.fixture
def mapped_digits(tmp_path, digits):
    """The digits training rows, tiled to 20000 rows in a float32 file, opened read-only."""
    X_train = digits[0]
    rows = np.tile(X_train, (20000 // len(X_train) + 1, 1))[:20000]
    path = tmp_path / "digits.f32"
    rows.astype(np.float32).tofile(path)
    return np.memmap(path, dtype=np.float32, mode="r", shape=rows.shape), path


def resident_kb(path) -> int:
    """Resident memory (kB) of this process's mappings of ``path``, from /proc/self/smaps."""
    total, inside = 0, False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
                inside = fields[-1] == str(path)
            elif inside and fields[0] == "Rss:":
                total += int(fields[1])
    return total


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")
def test_fit_and_transform_on_a_memmap_leave_the_file_out_of_memory(mapped_digits, digits):
    X, path = mapped_digits
    file_kb = X.nbytes // 1024
    np.asarray(X).sum()  # reading a mapping makes its pages resident...
    assert resident_kb(path) > 0.9 * file_kb
    MappedPages.of(X).release(np.asarray(X))  # ...until they are released
    assert resident_kb(path) < 0.1 * file_kb

    ae = Autoencoder(8, max_epochs=2, random_state=0).fit(X)
    assert resident_kb(path) < 0.1 * file_kb
    codes = ae.transform(X)
    assert resident_kb(path) < 0.1 * file_kb
    assert codes.shape == (len(X), 8) and np.isfinite(codes).all()
    # It learned from the file beyond its start, PCA(8)'s solution: on
    # held-out rows 0.015 against PCA(8)'s 0.025 (the same fit in memory: 0.015).
    X_test = digits[1]
    pca = PCA(8).fit(digits[0])
    pca_error = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    assert -ae.score(X_test) < 0.8 * pca_error


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")
def test_training_batches_copy_a_chunk_out_of_the_file_a_slice_at_a_time(tmp_path, monkeypatch):
    """Only a slice's pages of the file may be resident at once beside the chunk's
    copy, not the whole chunk's (a 15 MB file read as one chunk here)."""
    rows = np.random.default_rng(0).random((60_000, 64)).astype(np.float32)
    path = tmp_path / "rows.f32"
    rows.tofile(path)
    X = np.memmap(path, dtype=np.float32, mode="r", shape=rows.shape)
    resident_at_release = []
    release = MappedPages.release

    def recording(self, part):
        resident_at_release.append(resident_kb(path))
        release(self, part)

    monkeypatch.setattr(MappedPages, "release", recording)
    dataset = ArrayDataset(as_tensor(np.asarray(X)), pages=MappedPages.of(X))
    read = [batch.numpy().copy() for batch, _ in BatchIterator(dataset, 256)]
    # The kernel may map a file's pages in up to a huge page (2 MB) at a time.
    bound_kb = COPY_ROWS * X.shape[1] * X.itemsize / 1024 + 2048
    assert X.nbytes / 1024 > 4 * bound_kb  # a whole-chunk read would show
    assert max(resident_at_release) <= bound_kb, (max(resident_at_release), bound_kb)
    assert resident_kb(path) < 0.1 * X.nbytes / 1024
    assert np.array_equal(np.concatenate(read), rows)


def test_in_order_batches_of_a_mapped_file_hold_one_chunk_at_a_time(mapped_digits, monkeypatch):
    """While the caller holds a chunk's last batch (as a for loop does), the next chunk
    is read with no tensor left on the previous one's memory."""
    X, _ = mapped_digits
    monkeypatch.setattr(skae_data, "CHUNK_ROWS", 5000)
    copied, alive_at_copy = [], []
    copy = MappedPages.copy

    def storage(tensor):
        # Address and size: a freed chunk's address may be handed to a small
        # tensor (a batch's copy), which is not the chunk.
        memory = tensor.untyped_storage()
        return memory.data_ptr(), memory.nbytes()

    def recording(self, view):
        gc.collect()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecated aliases, met by the scan
            live = {storage(t) for t in gc.get_objects() if isinstance(t, torch.Tensor)}
        alive_at_copy.append(sum(chunk in live for chunk in copied))
        chunk = copy(self, view)
        copied.append(storage(chunk))
        return chunk

    monkeypatch.setattr(MappedPages, "copy", recording)
    dataset = ArrayDataset(as_tensor(np.asarray(X)), pages=MappedPages.of(X))
    read = []
    for batch, _ in BatchIterator(dataset, 64):
        read.append(batch.numpy().copy())
    assert len(alive_at_copy) == 4 and max(alive_at_copy) == 0, alive_at_copy
    assert np.array_equal(np.concatenate(read), np.asarray(X))


def test_read_only_arrays_reach_torch_quietly_and_leave_the_warning_filters_alone(monkeypatch):
    frozen = np.arange(6, dtype=np.float32).reshape(3, 2)
    frozen.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch's "not writable" warning would raise
        assert np.shares_memory(as_tensor(frozen).numpy(), frozen)
        # torch warns once per process, so later arrays need no filter: a swap
        # of the process-wide filters would race with concurrent transforms.
        swaps, catch_warnings = [], warnings.catch_warnings

        def counted(*args, **kwargs):
            swaps.append(args)
            return catch_warnings(*args, **kwargs)

        monkeypatch.setattr(warnings, "catch_warnings", counted)
        assert np.shares_memory(as_tensor(frozen).numpy(), frozen)
    assert swaps == []
    # Unless torch is told to warn every time: then every array is filtered.
    monkeypatch.setattr(torch, "is_warn_always_enabled", lambda: True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        swaps.clear()
        as_tensor(frozen)
    assert len(swaps) == 1


def test_batched_inference_fills_one_output_in_row_order():
    """Rows on every side of the inference batches' boundaries land in their place."""
    X = np.random.default_rng(0).random((2 * INFERENCE_BATCH_SIZE + 7, 16)).astype(np.float32)
    module = torch.nn.Linear(X.shape[1], 3)
    out = batched_inference(module, "cpu", lambda m, batch: m(batch), X)
    with torch.no_grad():
        expected = module(torch.from_numpy(X)).numpy()
    assert out.shape == (len(X), 3)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_batched_inference_of_no_rows_is_an_empty_output():
    module = torch.nn.Linear(16, 3)
    X = np.zeros((0, 16), np.float32)
    out = batched_inference(module, "cpu", lambda m, batch: m(batch), X)
    assert out.shape == (0, 3) and out.dtype == np.float32


def test_memmap_fit_with_early_stopping_and_bad_values(tmp_path, mapped_digits):
    X, _ = mapped_digits
    ae = Autoencoder(4, max_epochs=3, early_stopping=True, random_state=0).fit(X)
    assert len(ae.validation_scores_) == ae.n_iter_
    bad = np.array(X)
    bad[15000, 3] = np.nan
    bad.tofile(tmp_path / "bad.f32")
    mapped_bad = np.memmap(tmp_path / "bad.f32", dtype=np.float32, mode="r", shape=bad.shape)
    with pytest.raises(ValueError, match="NaN or infinity"):
        Autoencoder(max_epochs=1).fit(mapped_bad)


def test_partial_fit_over_chunks_of_an_iterable(mapped_digits, digits):
    X, _ = mapped_digits
    # partial_fit trains at a constant rate (no budget to anneal over): a
    # smaller one than the default's shows the improvement above the noise.
    ae = LinearAE(8, lr=1e-3, random_state=0)
    losses = []
    for _ in range(3):
        for start in range(0, len(X), 5000):  # any iterable of chunks works
            ae.partial_fit(X[start : start + 5000])
        losses.append(-ae.score(digits[1]))
    assert ae.n_iter_ == 12
    assert losses[-1] < losses[0]


def test_mixed_precision_is_accepted_and_ignored_on_cpu(small):
    X, _ = small
    plain = Autoencoder(2, max_epochs=2, random_state=0, device="cpu").fit(X)
    mixed = Autoencoder(
        2, max_epochs=2, random_state=0, device="cpu", net_params={"mixed_precision": True}
    ).fit(X)
    np.testing.assert_array_equal(plain.transform(X), mixed.transform(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 1 epoch
def test_gpu_check_runs_its_checks_with_the_cpu_in_the_gpus_place(monkeypatch):
    """``benchmarks/gpu_check.py`` has never run on a GPU: its checks run here with the
    CPU in the GPU's place, so that a bug in the script does not cost a lent GPU's
    minutes. Every variant fits, reloads with the same codes and exports to ONNX."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import gpu_check

    X = np.random.default_rng(0).random((200, 784), dtype=np.float32)
    rows = gpu_check.variant_rows(X, epochs=1, device="cpu")
    assert [row[0] for row in rows] == list(gpu_check.VARIANTS)
    assert [row[6] for row in rows] == [True] * len(rows)  # reloads, same codes
    # ONNX's codes against torch's: "max abs diff 1.2e-07"
    assert all(float(row[7].removeprefix("max abs diff ")) < 1e-4 for row in rows)
    lines = gpu_check.table(rows, "cpu", 1, len(X))
    assert len(lines) == 4 + len(rows) and all(line.count("|") == 9 for line in lines[2:])


# The Dask tests are marked slow (make test-slow, which CI runs), as the torchrun
# launch of test_distributed.py is: a cluster's two worker processes import torch
# beside the other pytest-xdist worker and oversubscribe the 2 cores (18 s of the
# fast suite's 5 minutes).
@pytest.fixture(scope="module")
def dask_client():
    """A client of a local Dask cluster of two single-threaded worker processes.

    One cluster serves the module's tests: starting one (two processes that
    import torch) is most of their time.
    """
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@contextmanager
def runs_on_the_cluster(client):
    """Asserts that the work done inside ran as tasks of the cluster's two workers.

    The task stream records which workers ran them. (Not
    ``scheduler_info()["workers"]``: distributed falls back to a cached identity
    without per-worker entries when its query fails, which failed a CI run.)
    """
    distributed = pytest.importorskip("distributed")
    with distributed.get_task_stream(client) as stream:
        yield
    workers = client.nthreads()  # asked of the scheduler, not a cache
    assert stream.data  # joblib may batch the fits, but some task ran
    assert {task["worker"] for task in stream.data} <= set(workers)
    assert len(workers) == 2


@pytest.mark.slow
def test_grid_search_on_a_dask_cluster_matches_the_in_process_search(small, dask_client):
    joblib = pytest.importorskip("joblib")
    X, _ = small
    grid = {"n_components": [2, 4]}

    def search():
        estimator = ConvAE(image_shape=(8, 8), channels=(4, 8), max_epochs=3, random_state=0)
        return GridSearchCV(estimator, grid, cv=2)

    local = search().fit(X)
    with runs_on_the_cluster(dask_client), joblib.parallel_backend("dask"):
        remote = search().set_params(n_jobs=2).fit(X)
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], rtol=1e-4
    )
    assert remote.best_params_ == local.best_params_


@pytest.mark.slow
def test_dask_ml_incremental_fit_and_parallel_post_fit_match_in_memory(small, dask_client):
    """dask-ml drives partial_fit over a dask array's chunks and transforms it in parallel."""
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, X_test = small
    in_memory = Autoencoder(4, batch_size=32, random_state=0)
    for chunk in np.array_split(X, 3):  # the dask array's chunks, in order
        in_memory.partial_fit(chunk)
    chunked = da.from_array(X, chunks=(100, X.shape[1]))
    incremental = wrappers.Incremental(
        Autoencoder(4, batch_size=32, random_state=0), shuffle_blocks=False
    ).fit(chunked)
    codes = wrappers.ParallelPostFit(in_memory).transform(
        da.from_array(X_test, chunks=(25, X.shape[1]))
    )
    assert codes.npartitions == 4
    with runs_on_the_cluster(dask_client):
        codes = codes.compute()
    assert incremental.estimator_.n_iter_ == 3
    np.testing.assert_array_equal(
        incremental.estimator_.transform(X_test), in_memory.transform(X_test)
    )
    # Each worker transforms one 25-row chunk: the in-memory model on the same
    # chunks does the same arithmetic (a 100-row product may round otherwise:
    # MKL's AVX2 kernels do, its AVX-512 ones do not).
    by_chunk = np.vstack([in_memory.transform(chunk) for chunk in np.array_split(X_test, 4)])
    np.testing.assert_array_equal(codes, by_chunk)
