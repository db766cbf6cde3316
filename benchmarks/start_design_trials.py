"""Two designs of the Autoencoder's linear start, on the panel's and the carry-over's cells.

``Autoencoder`` starts at PCA (its linear path at PCA's solution, the hidden
layers' output at zero) and its judge falls back to that start unless the
trained network beats it on held-out rows. The other design, from
``judge_calibration.py``, ``init="random"``: the network starts at random,
and PCA's solution is only the judge's reference, the state it falls back
to. Here both meet the bar of the defaults panel (held-out MSE within 1.02x
of ``PCA(k)``) on the cells of ``defaults_panel.py`` (iris, wine, breast
cancer, diabetes, digits) and ``defaults_carry_over.py`` (the eight ODDS
tables): 70/30 splits at seeds 0-2, every k in 1..min(5, d - 1), the same
splits and seeds.

    python benchmarks/start_design_trials.py [--jobs 2]

Writes ``results/start_design_trials.md``.
"""

import argparse
import warnings
from functools import partial

import numpy as np
import torch
from _common import write_result
from defaults_carry_over import DEFAULT_ODDS, TABLES, odds_split
from defaults_panel import SETS, held_out_mse, split
from joblib import Parallel, delayed
from sklearn.decomposition import PCA

from skae import Autoencoder

BAR = 1.02
DESIGNS = {
    "PCA start (the default)": Autoencoder,
    "random start, PCA as reference": partial(Autoencoder, init="random"),
}


def cell(table, seed):
    """Each design's held-out MSE ratio to PCA(k) at every k on one split."""
    warnings.simplefilter("ignore")
    torch.set_num_threads(1)  # two processes on two cores
    X_train, X_test = split(table, seed) if table in SETS else odds_split(DEFAULT_ODDS, table, seed)
    ratios = {design: [] for design in DESIGNS}
    for k in range(1, min(5, X_train.shape[1] - 1) + 1):
        pca_error = held_out_mse(PCA(k).fit(X_train), X_test)
        for design, cls in DESIGNS.items():
            model = cls(n_components=k, random_state=seed).fit(X_train)
            ratios[design].append(held_out_mse(model, X_test) / pca_error)
    return table, ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    tables = [*SETS, *TABLES]
    results = Parallel(n_jobs=args.jobs)(
        delayed(cell)(table, seed) for table in tables for seed in range(3)
    )
    by_table = {table: {design: [] for design in DESIGNS} for table in tables}
    for table, ratios in results:
        for design, values in ratios.items():
            by_table[table][design].extend(values)
    header = " | ".join(f"{design}: worst / mean / cells over {BAR}" for design in DESIGNS)
    lines = [
        f"Held-out MSE ratio to PCA(k); seeds 0-2, every k in 1..min(5, d − 1). Bar: {BAR}.",
        "",
        f"| table | {header} |",
        "|---|" + "---:|" * len(DESIGNS),
    ]
    totals = {design: [] for design in DESIGNS}
    for table, ratios in by_table.items():
        cells = []
        for design, values in ratios.items():
            values = np.array(values)
            totals[design].extend(values)
            over = int((values > BAR).sum())
            cells.append(f"{values.max():.3f} / {values.mean():.3f} / {over} of {len(values)}")
        lines.append(f"| {table} | " + " | ".join(cells) + " |")
    lines.append("")
    for design, values in totals.items():
        values = np.array(values)
        lines.append(
            f"- {design}: {int((values > BAR).sum())} of {len(values)} cells over {BAR}, "
            f"mean ratio {values.mean():.3f}."
        )
    write_result("start_design_trials", "\n".join(lines))


if __name__ == "__main__":
    main()
