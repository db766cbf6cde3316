"""The trials behind ``inpainting.py``'s random-half recipe, scored on validation images only.

For the random mask, ``inpainting.py`` trains ``EncoderDecoderRegressor`` on
each training image under many random masks. How many is a choice: this
script makes it without the benchmark's held-out images. On digits, in each
of the benchmark's first draws, the imputers' training images are split
75 / 25; the candidates train on the 75 and complete the 25 under a random
half mask, judged as in the benchmark (squared error on the hidden pixels,
accuracy of the logistic and MLP judges trained on the judge images).
KNNImputer, on the same 75, is the reference.

The candidates:

- 32 masks per image, the benchmark's earlier setting (28,736 rows on
  digits' 898 images; 21,536 on the 673 here);
- as many masks per image as make 160,000 rows (238 here): the fit's budget,
  80,000 steps of 64 rows, then visits each masked row 32 times, as it does
  on MNIST's 5,000 images under 32 masks. This is the benchmark's recipe.

Two more candidates ask whether the network's variance is what ties it with
KNNImputer on the judges (the network reconstructs its fitted images under
fresh masks about twice as well as new ones), each at 160,000 rows:

- shifted copies: each fitted image also shifted by one pixel up, down, left
  and right (5 times the images; blank pixels enter at the edge), a standard
  augmentation of digit images; KNNImputer is also given the shifted copies;
- the mean of 3 networks trained from different seeds on different masks,
  a deep ensemble (Lakshminarayanan et al., 2017), at 3 times the cost.

Two candidates ask whether the ensemble needs the full budget:

- one network trained 20,000 steps (a quarter of the step cap);
- the mean of 3 such networks, which costs three quarters of one network
  at the cap.

Two ask whether the code is too narrow (KNNImputer keeps everything its
neighbours hold, a 16-unit code may not): the network at 32 and at 64 code
units (64 is digits' pixel count).

Three ask whether the network's kind is, each at 20,000 steps:

- ``loss="bce"``: pixel intensities in [0, 1] read as Bernoulli means, the
  decoder's output through a sigmoid;
- ``architecture="conv"``: the masked image and its mask as two channels of
  one image, the regressor's strided convolutions over them (the
  context-encoder's layout), a one-channel image out;
- the same convolutions at the full budget (80,000 steps).

An 8 x 8 image leaves little for a convolution's locality to use, so
``--dataset mnist`` tries the MLP and the convolutions on MNIST's 28 x 28
images: the benchmark's 5,000 imputer images split 75 / 25, its judges, 32
code units.

Every candidate of a draw trains on masks drawn from the same random stream,
so a candidate's figures are the same whichever candidates run beside it.
What the trials found, and what ``inpainting.py`` took from them, is in the
paired-targets user guide (``docs/user_guide/paired_targets.md``).

    python benchmarks/inpainting_mask_trials.py [--dataset digits] [--seeds 0 1 2]
        [--candidates NAME ...] [--output NAME]

Writes ``results/inpainting_mask_trials.md`` (every candidate; ``--output``
names another file). MNIST's file was made by ``--dataset mnist --seeds 0 1
--candidates "160,000 rows, 20,000 steps" "160,000 rows, 20,000 steps, conv"
--output inpainting_architecture_trials_mnist``.
"""

import argparse
import time

import numpy as np
from _common import load_mnist_flat, write_result
from inpainting import (
    CODE_SIZES,
    conv_shapes,
    digits_split,
    judges,
    knn_completion,
    mask_copies,
    measure,
    random_half,
    skae_completion,
)
from sklearn.model_selection import train_test_split


def side_of(images: np.ndarray) -> int:
    """The side of the square images that the rows flatten."""
    return int(round(np.sqrt(images.shape[1])))


def shifted_copies(images: np.ndarray) -> np.ndarray:
    """The images, then each shifted one pixel down, up, right and left (blank edge)."""
    side = side_of(images)
    square = images.reshape(-1, side, side)
    copies = [images]
    for axis, step in ((1, 1), (1, -1), (2, 1), (2, -1)):
        moved = np.roll(square, step, axis=axis)
        edge = [slice(None)] * 3
        edge[axis] = 0 if step == 1 else -1
        moved[tuple(edge)] = 0
        copies.append(moved.reshape(len(images), -1))
    return np.vstack(copies)


def completion(
    n_masks,
    augment=lambda X: X,
    n_networks=1,
    max_steps="auto",
    n_components=None,
    **params,
):
    """A candidate: ``(masks per image, complete)`` for ``n_masks(n_images)`` masks per
    image of the ``augment``-ed fitted images, the mean of ``n_networks`` networks
    of ``n_components`` code units (None: the benchmark's for the dataset) trained
    ``max_steps`` steps each (with the regressor's ``params``)."""

    def complete(X_fit, X_val, hidden, rng, seed, benchmark_components):
        images = augment(X_fit)
        copies = n_masks(len(images))
        side = side_of(X_fit)
        shapes = conv_shapes(side) if params.get("architecture") == "conv" else {}
        completed = skae_completion(
            n_components or benchmark_components,
            images,
            X_val,
            hidden,
            "random half",
            side,
            rng,
            seed,
            copies,
            n_networks,
            max_steps,
            **params,
            **shapes,
        )  # fmt: skip
        return copies, completed

    return complete


def rows_of(n_images: int) -> int:
    return mask_copies(160_000, n_images)


CANDIDATES = {
    "32 masks per image": completion(lambda n: 32),
    "160,000 rows": completion(rows_of),
    "160,000 rows, shifted copies": completion(rows_of, shifted_copies),
    "160,000 rows, mean of 3 networks": completion(rows_of, n_networks=3),
    "160,000 rows, 20,000 steps": completion(rows_of, max_steps=20_000),
    "160,000 rows, mean of 3 networks of 20,000 steps": completion(
        rows_of, n_networks=3, max_steps=20_000
    ),
    "160,000 rows, 32 code units": completion(rows_of, n_components=32),
    "160,000 rows, 64 code units": completion(rows_of, n_components=64),
    "160,000 rows, 20,000 steps, loss='bce'": completion(rows_of, max_steps=20_000, loss="bce"),
    "160,000 rows, 20,000 steps, conv": completion(rows_of, max_steps=20_000, architecture="conv"),
    "160,000 rows, conv": completion(rows_of, architecture="conv"),
}


def validation_draw(dataset, seed, mnist_rows=5000):
    """One draw's imputer images split 75 / 25 into fitted and validation images, its
    judges and the benchmark's code size: digits' training split, or MNIST's first
    ``mnist_rows`` training images (the judges' images are the benchmark's)."""
    if dataset == "digits":
        X_train, y_train, _, _, X_judge, y_judge = digits_split(seed)
    else:
        X_all, y_all, _, _ = load_mnist_flat()
        X_train, y_train = X_all[:mnist_rows], y_all[:mnist_rows]
        X_judge, y_judge = X_all[mnist_rows:], y_all[mnist_rows:]
    X_fit, X_val, _, y_val = train_test_split(X_train, y_train, test_size=0.25, random_state=seed)
    return X_fit, X_val, y_val, judges(X_judge, y_judge, seed), CODE_SIZES[dataset]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["digits", "mnist"], default="digits")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--candidates", nargs="+", choices=list(CANDIDATES), default=list(CANDIDATES)
    )
    parser.add_argument("--output", default="inpainting_mask_trials", help="results file name")
    args = parser.parse_args()
    candidates = {name: CANDIDATES[name] for name in args.candidates}
    rows = {name: [] for name in ["KNNImputer", "KNNImputer, shifted copies", *candidates]}
    copies = {}
    for seed in args.seeds:
        X_fit, X_val, y_val, classifiers, n_components = validation_draw(args.dataset, seed)
        rng = np.random.default_rng(seed)
        hidden = random_half(len(X_val), side_of(X_val), rng)
        # Every candidate draws its training masks from a copy of the same stream, so
        # its figures do not depend on which candidates ran before it, and candidates
        # that differ in one setting are compared on the same masks.
        masks_state = rng.bit_generator.state
        masked = np.where(hidden, np.nan, X_val)
        for name, images in (
            ("KNNImputer", X_fit),
            ("KNNImputer, shifted copies", shifted_copies(X_fit)),
        ):
            knn = np.clip(knn_completion(images, masked), 0, 1)
            rows[name].append(measure(knn, X_val, y_val, hidden, classifiers) + [0.0])
        for name, complete in candidates.items():
            start = time.perf_counter()
            masks_rng = np.random.default_rng()
            masks_rng.bit_generator.state = masks_state
            copies[name], completed = complete(X_fit, X_val, hidden, masks_rng, seed, n_components)
            seconds = time.perf_counter() - start
            completed = np.clip(completed, 0, 1)
            rows[name].append(measure(completed, X_val, y_val, hidden, classifiers) + [seconds])
            print(seed, name, rows[name][-1], flush=True)
    lines = [
        f"{args.dataset}, random half; validation images of draws {args.seeds} "
        f"({len(X_fit)} fitted, {len(X_val)} validation images per draw). "
        "Cells: the mean over draws, then each draw.",
        "",
        "| method | masks per image | MSE on hidden pixels | accuracy, logistic judge "
        "| accuracy, MLP judge | seconds |",
        "|---|---:|---|---|---|---:|",
    ]
    for name, values in rows.items():
        values = np.array(values)
        cells = [
            f"{values[:, c].mean():{form}} ({' '.join(f'{v:{form}}' for v in values[:, c])})"
            for c, form in enumerate((".4f", ".3f", ".3f"))
        ]
        masks = copies.get(name, "–")
        lines.append(f"| {name} | {masks} | {' | '.join(cells)} | {values[:, 3].mean():.0f} |")
    write_result(args.output, "\n".join(lines))


if __name__ == "__main__":
    main()
