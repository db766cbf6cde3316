"""Data-parallel fits, run by tests/test_distributed.py under torchrun.

    python -m torch.distributed.run --nproc_per_node 2 tests/data_parallel_fit.py OUT

Every process fits the same estimators on the same data with
``net_params={"accelerator": True}``, and writes what it holds after each fit
to ``OUT/<name>-<rank>.npz``; the first process also pickles the estimators.
"""

import os
import pickle
import sys
from pathlib import Path

import numpy as np
import torch

from skae import VAE, Autoencoder, ContractiveAE, DivergenceError, EncoderClassifier, SparseAE

# The estimators, fitted data-parallel; tests/test_distributed.py fits the
# first one in one process too.
DISTRIBUTED = {"accelerator": True}
ESTIMATORS = {
    "autoencoder": lambda: Autoencoder(8, max_epochs=10, batch_size=64, random_state=0),
    # Both stop on their own before the cap of 20 epochs (patience 5, a quarter
    # of the planned epochs): at 13 epochs in one process.
    "early_stopping": lambda: Autoencoder(
        8, max_epochs=20, early_stopping=True, n_iter_no_change=2, tol=0.1, random_state=0
    ),
    "stall": lambda: Autoencoder(8, max_epochs=20, n_iter_no_change=2, tol=0.1, random_state=0),
    "sparse_topk": lambda: SparseAE(max_epochs=5, random_state=0),
    "sparse_kl": lambda: SparseAE(sparsity="kl", max_epochs=5, random_state=0),
    "contractive": lambda: ContractiveAE(8, max_epochs=5, random_state=0),
    "vae": lambda: VAE(8, max_epochs=5, random_state=0),
    "unseeded": lambda: Autoencoder(8, max_epochs=3),
}


def digits(labels=False):
    """Digits in [0, 1]: X_train, X_test (and y_train, y_test with ``labels``)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    # Half the rows for training (898): the processes fit eleven estimators.
    split = train_test_split(
        (X / 16).astype(np.float32), y, train_size=0.5, test_size=0.25, random_state=0
    )
    return split if labels else split[:2]


def revival_over_chunks(net_params=None):
    """A top-k SparseAE trained by partial_fit on four chunks of 30 rows, ten units killed.

    After the first chunk, units 0-9 get a bias no row overcomes, so they stop
    firing. ``partial_fit`` judges dead units once 40 rows are seen (ten per
    unit at its share, 64 of 256): a chunk of 30 rows (15 per process in a
    data-parallel fit) waits for the next, so the judgements fall on the
    second chunk (which still counts the first, where units 0-9 fired) and on
    the fourth, which revives them. Returns the model and the units revived
    at each chunk.
    """
    X_train, _ = digits()
    chunks = np.array_split(X_train[:120], 4)
    model = SparseAE(random_state=0, net_params=net_params).partial_fit(chunks[0])
    code_layer = [layer for layer in model.net_.module_.encoder if hasattr(layer, "bias")][-1]
    with torch.no_grad():
        code_layer.bias[:10] = -1e3
    for chunk in chunks[1:]:
        model.partial_fit(chunk)
    return model, [epoch.get("revived_units", 0) for epoch in model.history_]


def _save(path: Path, model, **extra):
    module = model.net_.module_
    weights = {f"weight/{k}": v.cpu().numpy() for k, v in module.state_dict().items()}
    np.savez(path, n_iter=model.n_iter_, **extra, **weights)


def main(out: Path):
    rank = int(os.environ.get("RANK", 0))
    X_train, X_test, y_train, y_test = digits(labels=True)
    fitted = {}
    for name, make in [*ESTIMATORS.items(), ("autoencoder_again", ESTIMATORS["autoencoder"])]:
        model = make().set_params(net_params=DISTRIBUTED).fit(X_train)
        error = float(np.mean((model.inverse_transform(model.transform(X_test)) - X_test) ** 2))
        loss = np.array(model.loss_curve_)
        _save(out / f"{name}-{rank}.npz", model, held_out_mse=error, train_loss=loss)
        fitted[name] = model
    # Fine-tuning follows its autoencoder's fit onto the processes.
    autoencoder = Autoencoder(8, max_epochs=5, random_state=0, net_params=DISTRIBUTED)
    classifier = EncoderClassifier(autoencoder, max_epochs=10, random_state=0)
    classifier.fit(X_train, y_train)
    accuracy = classifier.score(X_test, y_test)
    _save(out / f"classifier-{rank}.npz", classifier, accuracy=accuracy)
    fitted["classifier"] = classifier
    model, revived = revival_over_chunks(DISTRIBUTED)
    _save(out / f"revival_over_chunks-{rank}.npz", model, revived=revived)
    diverging = Autoencoder(8, optimizer="sgd", lr=1e6, max_epochs=5, random_state=0)
    try:
        diverging.set_params(net_params=DISTRIBUTED).fit(X_train * 1e3)
        diverged = "no"
    except DivergenceError as error:
        diverged = str(error)
    (out / f"divergence-{rank}.txt").write_text(diverged)
    if rank == 0:
        (out / "estimators.pkl").write_bytes(pickle.dumps(fitted))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
