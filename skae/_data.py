"""The fast data path: batches sliced from one in-memory tensor.

skorch's default path wraps arrays in a ``Dataset`` and lets a ``DataLoader``
fetch and collate rows one at a time, which costs 1.32x (batch 64) and 1.47x
(batch 256) a hand-written loop on MNIST (``benchmarks/fit_overhead.py``).
Here the whole array is one tensor and a batch is a single index (shuffled)
or slice (in order) of it. Both classes plug into
skorch's documented ``iterator_train`` / ``iterator_valid`` / ``train_split``
parameters, so skorch's own training loop runs unchanged.
"""

import mmap

import numpy as np
import torch
from torch.utils.data import Dataset

# Rows per chunk when training from a memory-mapped file: 65536 rows of 784
# float32 pixels are 200 MB in memory at a time.
CHUNK_ROWS = 65_536
# Rows per slice when a chunk is copied out of the file: only a slice's
# mapped pages are resident at once (4096 rows of 784 pixels: 13 MB), not the
# whole chunk's beside its copy.
COPY_ROWS = 4_096


class MappedPages:
    """Drop pages of a memory-mapped array from this process's resident memory.

    Reading a ``numpy.memmap`` maps its pages into the process, and they stay
    resident (and counted in its memory) until unmapped. After a chunk has been
    copied or used, :meth:`release` tells the kernel with ``madvise(DONTNEED)``
    that the process no longer needs it; the data stay in the file, and a later
    read maps them in again. This keeps training and inference on a file
    larger than memory within bounded memory.
    """

    def __init__(self, mapping: mmap.mmap):
        self.mapping = mapping
        self.start = np.frombuffer(mapping, dtype=np.uint8).ctypes.data
        self.size = len(mapping)

    @classmethod
    def of(cls, X) -> "MappedPages | None":
        """The pages behind the array ``X``, or None when it is not file-mapped."""
        base = X
        while base is not None and not isinstance(base, mmap.mmap):
            base = getattr(base, "base", None) if not isinstance(base, memoryview) else base.obj
        if base is None or not hasattr(base, "madvise"):
            return None
        return cls(base)

    def release(self, part) -> None:
        """Release the pages under ``part``, a contiguous view of the mapped array."""
        if isinstance(part, torch.Tensor):
            address, nbytes = part.data_ptr(), part.numel() * part.element_size()
        else:
            address, nbytes = part.ctypes.data, part.nbytes
        begin = max(address - self.start, 0)
        end = min(address - self.start + nbytes, self.size)
        begin -= begin % mmap.PAGESIZE  # madvise wants a page-aligned start
        if end > begin:
            self.mapping.madvise(mmap.MADV_DONTNEED, begin, end - begin)

    def copy(self, view: torch.Tensor) -> torch.Tensor:
        """A copy of ``view`` (rows of the mapped array), read ``COPY_ROWS`` rows at a
        time and each slice's pages released once copied."""
        copy = torch.empty_like(view)
        for start in range(0, len(view), COPY_ROWS):
            part = view[start : start + COPY_ROWS]
            copy[start : start + COPY_ROWS] = part
            self.release(part)
        return copy


class ArrayDataset(Dataset):
    """Rows of one tensor, with optional targets (autoencoders reconstruct X).

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
    y : torch.Tensor of shape (n_samples,), default=None
    pages : MappedPages, default=None
        Set when X shares memory with a memory-mapped file (no targets): it is
        then read a chunk at a time and never loaded whole.
    """

    def __init__(self, X: torch.Tensor, y: torch.Tensor | None = None, pages=None):
        self.X = X
        self.y = y
        self.pages = pages

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i):
        # Only used by code that insists on per-row access; BatchIterator never
        # calls it.
        return self.X[i], None if self.y is None else self.y[i]


class BatchIterator:
    """Yield ``(X_batch, y_batch)`` from an :class:`ArrayDataset` (``y_batch`` None without y).

    Parameters
    ----------
    dataset : ArrayDataset
    batch_size : int
    shuffle : bool, default=False
        Draw a new permutation (from torch's current RNG) on every pass.
    shard : (int, int), default=(0, 1)
        ``(rank, world size)`` of a data-parallel fit (:mod:`skae._distributed`):
        each batch of ``batch_size`` rows is a global batch, of which this
        process yields every ``world``-th row from its ``rank``-th.
    generator : torch.Generator, default=None
        Draws the permutations; ``None`` uses torch's global RNG. A
        data-parallel fit gives every process a generator seeded alike, so
        that they all draw the same permutation whatever else draws random
        numbers (corruption noise, on shards of different sizes).
    """

    def __init__(
        self,
        dataset: ArrayDataset,
        batch_size: int,
        shuffle: bool = False,
        shard=(0, 1),
        generator: torch.Generator | None = None,
    ):
        self.X = dataset.X
        self.y = dataset.y
        self.pages = getattr(dataset, "pages", None)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rank, self.world = shard
        self.generator = generator

    def _permutation(self, n: int) -> torch.Tensor:
        return torch.randperm(n, generator=self.generator)

    def _local(self, index):
        """This process's strided share of a global batch's rows (all of them alone).

        A batch too small to give every process a row is skipped by all of
        them, so that no process waits on a gradient another never sends.
        """
        if self.world == 1:
            return index
        if len(index) < self.world:
            return None
        return index[self.rank :: self.world]

    def __len__(self) -> int:
        return -(-len(self.X) // self.batch_size)

    def __iter__(self):
        n, size, y = len(self.X), self.batch_size, self.y
        if self.pages is not None:
            yield from self._mapped_batches()
            return
        if self.shuffle:
            order = self._permutation(n)
            for start in range(0, n, size):
                index = self._local(order[start : start + size])
                if index is not None:
                    yield self.X[index], None if y is None else y[index]
        elif self.world > 1:
            for start in range(0, n, size):
                index = self._local(torch.arange(start, min(start + size, n)))
                if index is not None:
                    yield self.X[index], None if y is None else y[index]
        else:
            for start in range(0, n, size):
                yield self.X[start : start + size], None if y is None else y[start : start + size]

    def _mapped_batches(self):
        """Batches of a memory-mapped X: one chunk in memory at a time.

        Shuffled passes visit the chunks in a random order and shuffle the
        rows within each chunk (rows of different chunks never share a
        batch, so a file sorted by class should be shuffled once on disk).
        """
        n, size = len(self.X), self.batch_size
        starts = torch.arange(0, n, CHUNK_ROWS)
        if self.shuffle:
            starts = starts[self._permutation(len(starts))]
        for chunk_start in starts.tolist():
            chunk = self.pages.copy(self.X[chunk_start : chunk_start + CHUNK_ROWS])
            order = self._permutation(len(chunk)) if self.shuffle else None
            for start in range(0, len(chunk), size):
                if order is None and self.world == 1:
                    # The chunk's last batch is a copy: a view would keep the
                    # whole chunk alive beside the next one while the caller
                    # still holds it. (No local name for it either, which
                    # would keep the chunk alive in this frame.)
                    last = start + size >= len(chunk)
                    yield (
                        chunk[start : start + size].clone()
                        if last
                        else chunk[start : start + size],
                        None,
                    )
                    continue
                rows = torch.arange(start, min(start + size, len(chunk)))
                index = self._local(rows if order is None else order[rows])
                if index is not None:
                    yield chunk[index], None
            del chunk  # before the next chunk is read: one in memory at a time


class HoldoutSplit:
    """Hold out a random ``fraction`` of rows for validation (skorch ``train_split``).

    Parameters
    ----------
    fraction : float
        Share of rows held out, in (0, 1).
    seed : int
        Seed of the permutation, so that the same ``random_state`` always
        holds out the same rows.
    """

    def __init__(self, fraction: float, seed: int):
        self.fraction = fraction
        self.seed = seed

    def validation_rows(self, n: int) -> int:
        """Rows held out of ``n``."""
        return int(round(self.fraction * n))

    def __call__(self, dataset: ArrayDataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = self.validation_rows(n)
        if n_valid < 1 or n_valid >= n:
            raise ValueError(
                f"validation_fraction={self.fraction} leaves {n_valid} of {n} rows "
                "for validation; early_stopping needs at least one row on each "
                "side. Pass more rows, change validation_fraction, or set "
                "early_stopping=False."
            )
        X = dataset.X
        if getattr(dataset, "pages", None) is not None:
            # A random subset of a mapped file would load it whole: hold out
            # its last rows instead, as views of the file.
            pages = dataset.pages
            return (
                ArrayDataset(X[: n - n_valid], pages=pages),
                ArrayDataset(X[n - n_valid :], pages=pages),
            )
        order = torch.from_numpy(np.random.default_rng(self.seed).permutation(n))
        train, valid = order[n_valid:], order[:n_valid]
        y = dataset.y
        if y is None:
            return ArrayDataset(X[train]), ArrayDataset(X[valid])
        return ArrayDataset(X[train], y[train]), ArrayDataset(X[valid], y[valid])
