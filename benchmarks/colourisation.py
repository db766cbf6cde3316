"""Colourisation: learn grey → colour on one photograph, colourise the other.

scikit-learn's two bundled photographs (``load_sample_images``: a Chinese
temple and a flower, 427 × 640) are cut into 8 × 8 tiles. A convolutional
``EncoderDecoderRegressor`` learns, on the tiles of the training photograph,
to map each grey tile (luminance, 1 × 8 × 8) to its colour tile (3 × 8 × 8),
then colourises the other photograph tile by tile. Its target is each
channel's offset from the luminance (what the grey image lacks), so that
"no colour" is its zero. Its per-pixel squared
error against the true colours is compared with two baselines: the grey image
itself (R = G = B = luminance) and the mean colour of each grey level on the
training photograph (64 levels). Both directions are run.

    python benchmarks/colourisation.py
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _common import RESULTS, write_result  # noqa: E402
from sklearn.datasets import load_sample_images  # noqa: E402

from skae import EncoderDecoderRegressor  # noqa: E402

TILE = 8
LEVELS = 64


def luminance(image: np.ndarray) -> np.ndarray:
    return image @ np.array([0.299, 0.587, 0.114])


def tiles(image: np.ndarray) -> np.ndarray:
    """(n_tiles, channels · TILE · TILE) rows, channels first, from an (H, W, C) image."""
    h, w, c = image.shape
    blocks = image.reshape(h // TILE, TILE, w // TILE, TILE, c)
    return blocks.transpose(0, 2, 4, 1, 3).reshape(-1, c * TILE * TILE).astype(np.float32)


def untile(rows: np.ndarray, shape) -> np.ndarray:
    h, w, c = shape
    blocks = rows.reshape(h // TILE, w // TILE, c, TILE, TILE)
    return blocks.transpose(0, 3, 1, 4, 2).reshape(h, w, c)


def mean_colour_by_level(grey_train, colour_train, grey_test) -> np.ndarray:
    levels = np.minimum((grey_train * LEVELS).astype(int), LEVELS - 1).ravel()
    table = np.zeros((LEVELS, 3))
    overall = colour_train.reshape(-1, 3).mean(axis=0)
    for level in range(LEVELS):
        pixels = colour_train.reshape(-1, 3)[levels == level]
        table[level] = pixels.mean(axis=0) if len(pixels) else overall
    return table[np.minimum((grey_test * LEVELS).astype(int), LEVELS - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    photographs = [image[: 427 // TILE * TILE].astype(np.float64) / 255
                   for image in load_sample_images().images]  # fmt: skip
    names = ["temple", "flower"]
    rows, panels = [], []
    for train, test in ((0, 1), (1, 0)):
        colour_train, colour_test = photographs[train], photographs[test]
        grey_train, grey_test = luminance(colour_train), luminance(colour_test)
        model = EncoderDecoderRegressor(
            32,
            architecture="conv",
            image_shape=(1, TILE, TILE),
            output_image_shape=(3, TILE, TILE),
            random_state=args.seed,
        )
        # The target is what the grey image lacks: each channel's offset from
        # the luminance (zero for a grey pixel), not the colour itself.
        offsets_train = colour_train - grey_train[..., None]
        model.fit(tiles(grey_train[..., None]), tiles(offsets_train))
        offsets = untile(model.predict(tiles(grey_test[..., None])), colour_test.shape)
        predicted = np.clip(grey_test[..., None] + offsets, 0, 1)
        baseline = mean_colour_by_level(grey_train, colour_train, grey_test)
        grey = np.repeat(grey_test[..., None], 3, axis=2)
        errors = {
            "grey (R = G = B = luminance)": np.mean((grey - colour_test) ** 2),
            f"mean colour of each of {LEVELS} grey levels": np.mean((baseline - colour_test) ** 2),
            "skae EncoderDecoderRegressor (conv)": np.mean((predicted - colour_test) ** 2),
        }
        for method, error in errors.items():
            rows.append((names[train], names[test], method, error))
            print(rows[-1], flush=True)
        panels.append((names[test], grey, colour_test, baseline, predicted))
    fig, axes = plt.subplots(2, 4, figsize=(12, 4.6))
    titles = ["grey input", "true colours", "mean colour per grey level", "skae"]
    for row, (name, *images) in enumerate(panels):
        for col, image in enumerate(images):
            axes[row, col].imshow(image)
            axes[row, col].set_axis_off()
            axes[row, col].set_title(f"{name}: {titles[col]}", fontsize=8)
    fig.tight_layout()
    path = RESULTS / "colourisation.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    lines = [
        "Mean squared error per pixel and channel (colours in [0, 1]) on the photograph not "
        "trained on.",
        "",
        "| trained on | colourised | method | squared error |",
        "|---|---|---|---:|",
        *(f"| {a} | {b} | {m} | {e:.4f} |" for a, b, m, e in rows),
        "",
        f"![colourisation]({path.name})",
    ]
    write_result("colourisation", "\n".join(lines))


if __name__ == "__main__":
    main()
