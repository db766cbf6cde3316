"""Few labels on digits: the setting ``tests/test_classifier.py`` asserts its bars in.

Digits scaled to [0, 1], the fast suite's 75/25 split (``tests/conftest.py``);
50 of the 1,347 training rows keep their label (5 per class), over 5 label
draws. ``DenoisingAE(32)`` is pretrained once on every training row; per draw,
``EncoderClassifier`` fine-tunes it, fine-tunes the same network from an
untrained encoder (``max_steps=1``) and trains a head on the frozen pretrained
encoder; logistic regression sees the 50 labelled pixels. Test accuracy per
draw, the mean, and the fine-tuned encoder's paired margins (mean ± standard
error of the differences over the same draws). MNIST at 100 and 1000 labels:
``few_labels_mnist.py``.

    python benchmarks/few_labels_digits.py [--draws 5]

Writes ``results/few_labels_digits.md``.
"""

import argparse

import numpy as np
from _common import digits_split, write_result
from few_labels_mnist import few
from sklearn.linear_model import LogisticRegression

from skae import DenoisingAE, EncoderClassifier

LABELS_PER_CLASS = 5
FINE_TUNED = "EncoderClassifier, pretrained, fine-tuned"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=5)
    args = parser.parse_args()
    X_train, X_test, y_train, y_test = digits_split()
    pretrained = DenoisingAE(32, random_state=0).fit(X_train)
    untrained = DenoisingAE(32, max_steps=1, random_state=0).fit(X_train)
    arms = {
        FINE_TUNED: (pretrained, True),
        "EncoderClassifier, untrained encoder, fine-tuned": (untrained, True),
        "EncoderClassifier, pretrained, frozen": (pretrained, False),
    }
    scores = {name: [] for name in [*arms, "LogisticRegression, labelled pixels"]}
    for draw in range(args.draws):
        y_few, keep = few(y_train, LABELS_PER_CLASS, seed=draw)
        for name, (encoder, fine_tune) in arms.items():
            clf = EncoderClassifier(encoder, fine_tune=fine_tune, random_state=draw)
            scores[name].append(clf.fit(X_train, y_few).score(X_test, y_test))
        baseline = LogisticRegression(max_iter=2000).fit(X_train[keep], y_train[keep])
        scores["LogisticRegression, labelled pixels"].append(baseline.score(X_test, y_test))
        print(draw, {name: round(s[-1], 4) for name, s in scores.items()}, flush=True)
    lines = [
        f"{LABELS_PER_CLASS * 10} labels, {args.draws} draws; test accuracy on "
        f"{len(X_test)} images. Margin: the fine-tuned pretrained encoder's, in points.",
        "",
        "| model | accuracy per draw | mean | fine-tuned's margin |",
        "|---|---|---:|---:|",
    ]
    for name, accuracies in scores.items():
        gain = 100 * (np.array(scores[FINE_TUNED]) - accuracies)
        margin = (
            "–"
            if name == FINE_TUNED
            else f"{gain.mean():+.1f} ± {gain.std(ddof=1) / np.sqrt(len(gain)):.1f}"
        )
        lines.append(
            f"| {name} | {', '.join(f'{a:.3f}' for a in accuracies)} "
            f"| {np.mean(accuracies):.3f} | {margin} |"
        )
    write_result("few_labels_digits", "\n".join(lines))


if __name__ == "__main__":
    main()
