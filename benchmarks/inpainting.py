"""Inpainting: complete images from their visible pixels, skae against scikit-learn's imputers.

Two masks hide pixels of every held-out image: the lower half, and a random
half of the pixels (a new draw per image). Each method completes the hidden
pixels from the visible ones:

- skae: ``EncoderDecoderRegressor`` (``n_components`` 16 on digits, 32 on
  MNIST), trained to map the visible part to the whole image. For the lower
  half its input is the upper half, at the regressor's defaults. For the
  random mask its input is the masked image (hidden pixels at 0) beside the
  mask itself, read as two channels of one image by the regressor's
  convolutions (``architecture="conv"``, the context encoder's layout), and
  every training image appears under many random masks, as many copies as
  make ``--masked-rows`` rows (160,000: 178 masks per image on digits, 32 on
  MNIST). The number of rows is fixed rather than the number of masks per
  image because the fit's budget is: its 80,000 steps of 64 rows (the step
  cap) visit each of 160,000 masked rows 32 times on either set. With 32
  masks per image, digits' 898 images made 28,736 rows, each visited 100
  times (the budget's 100 epochs), and the network overfitted its training
  images (on one draw, squared error 0.0153 on them under fresh masks, 0.0238 on
  held-out images). The random-half fit stops at ``--random-half-steps``
  (20,000, a quarter of the cap): on digits' validation images the MLP
  completes as well at 20,000 steps as at 80,000 (0.0220 against 0.0218),
  the convolutions were chosen at 20,000 steps (on MNIST's validation images
  squared error 0.0092 against the MLP's 0.0160, both judges higher; on
  digits a little worse, 0.0225 against 0.0220 and judges about a point
  lower), and on a 2-core host the convolutions' 80,000 steps take
  27 to 52 minutes a draw. The quarter budget has a cost: at 80,000 steps
  the convolutions complete digits' validation images better (0.0213
  against 0.0225, judges 0.911 and 0.914 against 0.889 and 0.901), and
  its held-out draws too (``--datasets digits --random-half-steps 80000
  --output inpainting_digits_full_budget``: error 0.0206 against 0.0219,
  judges 0.911 and 0.921 against 0.903 and 0.916), so
  ``--random-half-steps 80000`` is the setting where time allows (on MNIST
  it adds nothing: one draw, ``--output inpainting_mnist_full_budget``,
  error 0.0094 and judges 0.899 and 0.971 against 0.0090, 0.900 and 0.971). The
  choices were made on validation images carved from the training images
  (``inpainting_mask_trials.py``; the figures are the paired-targets user
  guide's).
- ``KNNImputer`` (5 neighbours among the complete training images).
- ``IterativeImputer`` with ``BayesianRidge``, fitted on the complete
  training images beside the same images under the mask (it only learns to
  impute features that miss in its training data), bounded to [0, 1]. On MNIST:
  ``n_nearest_features=50, max_iter=5``, so that it runs in minutes.
- PCA completion: the code that best explains the visible pixels under
  ``PCA(n_components)`` fitted on complete training images (least squares),
  decoded.

Measures, on the held-out images: the mean squared error on the hidden pixels
and the accuracy of two judges, a logistic regression and an MLP, applied to
the completed images (their accuracy on the originals is the ceiling). The
judges are trained on real images that no imputer saw: MNIST's training images
beyond the imputers' ``--mnist-rows``, and on digits a third of the training
split (the imputers get the other two thirds). A judge trained on the images
KNNImputer averages rewards copying them: on MNIST, a logistic judge trained on
the imputers' 5,000 images recognised KNNImputer's completions *more* often
than the original images (0.883 against 0.867). Figure: originals, masked,
each method's completion (the first draw).

Each dataset is drawn several times (``--seeds``, ``--mnist-seeds``): a draw
takes its own split (digits), masks and seeds, and the tables give each
measure's mean over draws with its standard error, and skae's margin over the
best other method draw by draw. Digits' 450 held-out images make one draw's
accuracy uncertain by about 1.4 points, the size of the differences measured,
so digits is drawn 5 times; MNIST keeps its split (its 2,000 held-out images)
and draws masks and seeds 3 times, at about 24 minutes a draw on a 2-core AMD
EPYC host (``results/inpainting.md`` was made with 2, ``--mnist-seeds 0 1``,
for time).

    python benchmarks/inpainting.py [--datasets digits mnist] [--mnist-rows 5000]
        [--masked-rows 160000] [--random-half-steps 20000] [--seeds 0 1 2 3 4]
        [--mnist-seeds 0 1 2] [--output inpainting]
"""

import argparse
import time
from functools import partial

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _common import RESULTS, load_mnist_flat, write_result  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.experimental import enable_iterative_imputer  # noqa: E402, F401
from sklearn.impute import IterativeImputer, KNNImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from skae import EncoderDecoderRegressor  # noqa: E402

SKAE = "skae EncoderDecoderRegressor"
CODE_SIZES = {"digits": 16, "mnist": 32}  # skae's n_components on each dataset
# The measures of each completion, in the columns of a method's scores: name,
# +1 where higher is better (-1: lower), format.
MEASURES = (("MSE", -1, ".4f"), ("logistic judge", 1, ".3f"), ("MLP judge", 1, ".3f"))


def lower_half(n_images: int, side: int, rng) -> np.ndarray:
    """True where a pixel is hidden: the lower half of every image."""
    hidden = np.zeros((side, side), bool)
    hidden[side // 2 :] = True
    return np.broadcast_to(hidden.ravel(), (n_images, side * side)).copy()


def random_half(n_images: int, side: int, rng) -> np.ndarray:
    """True where a pixel is hidden: a random half of the pixels, a new draw per image."""
    return rng.random((n_images, side * side)) < 0.5


def pca_completion(pca: PCA, images: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Decode, for each image, the code that best fits its visible pixels (least squares)."""
    completed = images.copy()
    components, mean = pca.components_.T, pca.mean_
    for i, (image, mask) in enumerate(zip(images, hidden, strict=True)):
        visible = ~mask
        code, *_ = np.linalg.lstsq(components[visible], image[visible] - mean[visible], rcond=None)
        completed[i, mask] = (mean + components @ code)[mask]
    return completed


def conv_shapes(side: int) -> dict:
    """The regressor's image shapes for random holes: the masked image and its mask as two
    channels in, the whole image out."""
    return {"image_shape": (2, side, side), "output_image_shape": (1, side, side)}


def beside_mask(images, hidden):
    """The network's input for random holes: the image with its holes at 0, beside the mask."""
    return np.hstack([np.where(hidden, 0, images), hidden]).astype(np.float32)


def mask_copies(masked_rows: int, n_images: int) -> int:
    """Masks per training image that make about ``masked_rows`` rows."""
    return max(1, round(masked_rows / n_images))


def skae_completion(
    n_components,
    X_train,
    X_test,
    hidden_test,
    mask_name,
    side,
    rng,
    seed,
    copies,
    networks=1,
    max_steps="auto",
    **params,
):
    """Each hidden pixel of ``X_test``: the mean of ``networks`` regressors' answers, each
    trained ``max_steps`` steps from its own seed (and, for random holes, its own masks);
    ``params`` are more of the regressor's parameters (the benchmark's random half: the
    convolutions and their step budget)."""
    if mask_name == "lower half":
        visible = ~lower_half(1, side, rng)[0]
    else:  # the copies each network masks afresh
        copied = np.vstack([X_train] * copies)
    answers = []
    for i in range(networks):
        model = EncoderDecoderRegressor(
            n_components, max_steps=max_steps, random_state=seed + 1000 * i, **params
        )
        if mask_name == "lower half":
            model.fit(X_train[:, visible], X_train)
            answers.append(model.predict(X_test[:, visible]))
        else:
            train_masks = random_half(len(copied), side, rng)
            model.fit(beside_mask(copied, train_masks), copied)
            answers.append(model.predict(beside_mask(X_test, hidden_test)))
    return np.where(hidden_test, np.mean(answers, axis=0), X_test)


def knn_completion(X_train, masked):
    return KNNImputer().fit(X_train).transform(masked)


def iterative_completion(X_train, train_hidden, masked, seed, params):
    # Complete images beside masked ones: it learns to impute only features
    # that miss in its training data, and needs them observed too.
    training = np.vstack([X_train, np.where(train_hidden, np.nan, X_train)]).astype(np.float64)
    # Pixels lie in [0, 1]; unbounded, its chained regressions overflow on MNIST.
    imputer = IterativeImputer(random_state=seed, min_value=0.0, max_value=1.0, **params)
    return imputer.fit(training).transform(masked.astype(np.float64))


def judges(X_judge, y_judge, seed):
    """Classifiers of real digits, trained on images that no imputer sees."""
    return {
        "logistic": LogisticRegression(max_iter=1000).fit(X_judge, y_judge),
        "MLP": MLPClassifier((256,), random_state=seed).fit(X_judge, y_judge),
    }


def run(name, data, side, n_components, iterative_params, seed, copies, random_half_steps):
    X_train, X_test, y_test, X_judge, y_judge = data
    rng = np.random.default_rng(seed)
    classifiers = judges(X_judge, y_judge, seed)
    ceiling = {judge: c.score(X_test, y_test) for judge, c in classifiers.items()}
    pca = PCA(n_components, random_state=seed).fit(X_train)
    rows, examples = [], {}
    network = {  # the regressor's parameters beyond the defaults, for each mask
        "lower half": {},
        "random half": {
            "architecture": "conv",
            "max_steps": random_half_steps,
            **conv_shapes(side),
        },
    }
    for mask_name, make_mask in (("lower half", lower_half), ("random half", random_half)):
        hidden = make_mask(len(X_test), side, rng)
        masked = np.where(hidden, np.nan, X_test)
        train_hidden = make_mask(len(X_train), side, rng)
        methods = {
            SKAE: partial(
                skae_completion,
                n_components,
                X_train,
                X_test,
                hidden,
                mask_name,
                side,
                rng,
                seed,
                copies,
                **network[mask_name],
            ),  # fmt: skip
            "KNNImputer": partial(knn_completion, X_train, masked),
            "IterativeImputer (BayesianRidge)": partial(
                iterative_completion, X_train, train_hidden, masked, seed, iterative_params
            ),
            f"PCA({n_components}) completion": partial(pca_completion, pca, X_test, hidden),
        }
        examples[mask_name] = {"original": X_test, "masked": np.where(hidden, 0.5, X_test)}
        for method, complete in methods.items():
            start = time.perf_counter()
            completed = np.clip(complete(), 0, 1)
            seconds = time.perf_counter() - start
            rows.append(
                (
                    mask_name,
                    method,
                    *measure(completed, X_test, y_test, hidden, classifiers),
                    seconds,
                )
            )
            examples[mask_name][method] = completed
            print(name, rows[-1], flush=True)
    return rows, ceiling, examples


def measure(completed, X_test, y_test, hidden, classifiers) -> list:
    """The squared error on the hidden pixels, then each judge's accuracy."""
    error = float(np.mean((completed - X_test)[hidden] ** 2))
    return [error, *(c.score(completed, y_test) for c in classifiers.values())]


def figure(name, examples, side, path):
    masks = list(examples)
    methods = list(examples[masks[0]])
    fig, axes = plt.subplots(
        len(masks) * len(methods), 8, figsize=(8, 1.05 * len(masks) * len(methods))
    )
    for m, mask in enumerate(masks):
        for k, method in enumerate(methods):
            row = m * len(methods) + k
            for j in range(8):
                ax = axes[row, j]
                ax.imshow(
                    examples[mask][method][j].reshape(side, side), cmap="gray", vmin=0, vmax=1
                )
                ax.set_xticks([])
                ax.set_yticks([])
            axes[row, 0].set_ylabel(
                f"{mask}\n{method.split(' ')[0]}", rotation=0, ha="right", va="center", fontsize=7
            )
    fig.suptitle(f"Inpainting on {name}: originals, masked (grey), completions")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def digits_split(seed):
    """Digits in [0, 1]: training, held-out and judge images, each with its labels."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.25, random_state=seed)
    X_train, X_judge, y_train, y_judge = train_test_split(
        X_rest, y_rest, test_size=1 / 3, random_state=seed
    )
    return X_train, y_train, X_test, y_test, X_judge, y_judge


def load(name, seed, mnist_rows):
    """The data ``(X_train, X_test, y_test, X_judge, y_judge)``, image side, code size and
    IterativeImputer's settings of one draw."""
    if name == "digits":
        X_train, _, X_test, y_test, X_judge, y_judge = digits_split(seed)
        return (X_train, X_test, y_test, X_judge, y_judge), 8, CODE_SIZES[name], {}
    X_all, y_all, X_test, y_test = load_mnist_flat()
    X_train, X_judge, y_judge = X_all[:mnist_rows], X_all[mnist_rows:], y_all[mnist_rows:]
    data = (X_train, X_test[:2000], y_test[:2000], X_judge, y_judge)
    return data, 28, CODE_SIZES[name], {"n_nearest_features": 50, "max_iter": 5}


def standard_error(values: np.ndarray) -> float:
    return values.std(ddof=1) / np.sqrt(len(values))


def mean_and_error(values: np.ndarray, form: str) -> str:
    """The mean over draws, with its standard error where there are several."""
    if len(values) == 1:
        return f"{values[0]:{form}}"
    return f"{values.mean():{form}} ± {standard_error(values):{form}}"


def table(name, draws, output):
    """The markdown section of one dataset: every measure's mean over the draws."""
    seeds = list(draws)
    X_train, X_judge = draws[seeds[0]]["sizes"]
    ceilings = {
        judge: np.mean([draw["ceiling"][judge] for draw in draws.values()])
        for judge in draws[seeds[0]]["ceiling"]
    }
    lines = [
        f"## {name}: {X_train} training, {X_judge} judge-training and "
        f"{draws[seeds[0]]['n_test']} held-out images; "
        + (f"draws with seeds {seeds}" if len(seeds) > 1 else f"one draw, seed {seeds[0]}"),
        "",
        (
            "Each draw takes its own split, masks and seeds. "
            if name == "digits"
            else "Each draw takes its own masks and seeds. "
        )
        + (
            "Cells: the mean over draws ± its standard error."
            if len(seeds) > 1
            else "Cells: one draw."
        )
        + f" For the random half, skae trains on each image under {draws[seeds[0]]['copies']}"
        " random masks.",
        "Judges on the original held-out images: accuracy "
        + ", ".join(f"{judge} {score:.3f}" for judge, score in ceilings.items())
        + ".",
        "",
        "| mask | method | MSE on hidden pixels | accuracy, logistic judge "
        "| accuracy, MLP judge | seconds |",
        "|---|---|---:|---:|---:|---:|",
    ]
    margins = []
    for mask in ("lower half", "random half"):
        methods = [m for (k, m) in draws[seeds[0]]["scores"] if k == mask]
        scores = {
            method: np.array([draw["scores"][mask, method] for draw in draws.values()])
            for method in methods
        }  # method -> draws x (MSE, logistic, MLP, seconds)
        means = {method: s.mean(axis=0) for method, s in scores.items()}
        best = [
            sign * max(sign * m[column] for m in means.values())
            for column, (_, sign, _) in enumerate(MEASURES)
        ]
        for method, s in scores.items():
            cells = []
            for column, (_, _, form) in enumerate(MEASURES):
                cell = mean_and_error(s[:, column], form)
                cells.append(f"**{cell}**" if means[method][column] == best[column] else cell)
            lines.append(f"| {mask} | {method} | {' | '.join(cells)} | {means[method][3]:.1f} |")
        margins.append(paired_margins(mask, scores))
    lines += ["", *margins, "", f"![inpainting on {name}]({output}_{name}.png)", ""]
    return "\n".join(lines)


def paired_margins(mask, scores) -> str:
    """skae against the best other method on each measure, draw by draw."""
    skae = scores[SKAE]
    others = {m: s for m, s in scores.items() if m != SKAE}
    parts = []
    for column, (measure, sign, _) in enumerate(MEASURES):
        rival = max(others, key=lambda m: sign * others[m][:, column].mean())
        difference = skae[:, column] - others[rival][:, column]
        ahead = int(np.sum(sign * difference > 0))
        spread = f" ± {standard_error(difference):.4f}" if len(difference) > 1 else ""
        parts.append(
            f"{measure}: {difference.mean():+.4f}{spread} against {rival.split(' ')[0]}, "
            f"skae ahead in {ahead} of {len(difference)} draws"
        )
    return f"- {mask}, skae − the best other method: " + "; ".join(parts) + "."


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist"])
    parser.add_argument("--mnist-rows", type=int, default=5000)
    parser.add_argument("--masked-rows", type=int, default=160_000)
    parser.add_argument("--random-half-steps", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--mnist-seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--output", default="inpainting", help="results/<output>.md and its figures"
    )
    args = parser.parse_args()
    sections = []
    for name in args.datasets:
        draws = {}
        for seed in args.seeds if name == "digits" else args.mnist_seeds:
            data, side, n_components, iterative = load(name, seed, args.mnist_rows)
            copies = mask_copies(args.masked_rows, len(data[0]))
            rows, ceiling, examples = run(
                name, data, side, n_components, iterative, seed, copies, args.random_half_steps
            )
            if not draws:  # the figure shows the first draw
                figure(name, examples, side, RESULTS / f"{args.output}_{name}.png")
            draws[seed] = {
                "sizes": (len(data[0]), len(data[3])),
                "copies": copies,
                "n_test": len(data[1]),
                "ceiling": ceiling,
                "scores": {(mask, method): scores for mask, method, *scores in rows},
            }
        sections.append(table(name, draws, args.output))
    write_result(args.output, "\n".join(sections))


if __name__ == "__main__":
    main()
