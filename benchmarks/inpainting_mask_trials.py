"""The trial behind ``inpainting.py``'s masks per image, scored on validation images only.

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
  on MNIST's 5,000 images under 32 masks.

    python benchmarks/inpainting_mask_trials.py [--seeds 0 1 2]

Writes ``results/inpainting_mask_trials.md``.
"""

import argparse
import time

import numpy as np
from _common import write_result
from inpainting import (
    digits_split,
    judges,
    knn_completion,
    mask_copies,
    measure,
    random_half,
    skae_completion,
)
from sklearn.model_selection import train_test_split

CANDIDATES = {"32 masks per image": lambda n: 32, "160,000 rows": lambda n: mask_copies(160_000, n)}
SIDE, N_COMPONENTS = 8, 16  # digits' image side and the benchmark's code size for it


def validation_draw(seed):
    """One draw's training images split into fitted and validation images, and its judges."""
    X_train, y_train, _, _, X_judge, y_judge = digits_split(seed)
    X_fit, X_val, _, y_val = train_test_split(X_train, y_train, test_size=0.25, random_state=seed)
    return X_fit, X_val, y_val, judges(X_judge, y_judge, seed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    rows = {name: [] for name in ["KNNImputer", *CANDIDATES]}
    copies = {}
    for seed in args.seeds:
        X_fit, X_val, y_val, classifiers = validation_draw(seed)
        rng = np.random.default_rng(seed)
        hidden = random_half(len(X_val), SIDE, rng)
        knn = np.clip(knn_completion(X_fit, np.where(hidden, np.nan, X_val)), 0, 1)
        rows["KNNImputer"].append(measure(knn, X_val, y_val, hidden, classifiers) + [0.0])
        for name, n_masks in CANDIDATES.items():
            copies[name] = n_masks(len(X_fit))
            start = time.perf_counter()
            completed = skae_completion(
                N_COMPONENTS, X_fit, X_val, hidden, "random half", SIDE, rng, seed, copies[name]
            )
            seconds = time.perf_counter() - start
            completed = np.clip(completed, 0, 1)
            rows[name].append(measure(completed, X_val, y_val, hidden, classifiers) + [seconds])
            print(seed, name, rows[name][-1], flush=True)
    lines = [
        f"digits, random half; validation images of draws {args.seeds} "
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
    write_result("inpainting_mask_trials", "\n".join(lines))


if __name__ == "__main__":
    main()
