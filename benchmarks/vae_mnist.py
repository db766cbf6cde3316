"""VAE on MNIST: held-out ELBO and reconstruction, sample validity, sample grids, latent scatter.

Trains VAE(n_components=16) and a plain Autoencoder(n_components=16) on the
60000 training images (Bernoulli likelihood and binary cross-entropy, pixels in
[0, 1]), then

- reports the held-out mean ELBO (nats per image) and squared reconstruction
  error per image (summed over the 784 pixels);
- compares VAE.sample() with the Autoencoder's decodings of random codes drawn
  at the AE's code scale (per-dimension Gaussian with the training codes' mean
  and standard deviation): mean max-probability of a logistic regression
  trained on real MNIST, the share it classifies with probability > 0.9, and the
  mean distance to the nearest held-out image;
- draws both as image grids (vae_samples.png) and, with a second VAE of
  n_components=2, the latent means of the test set coloured by digit
  (vae_latent_2d.png).

    python benchmarks/vae_mnist.py [--epochs 30] [--n-samples 1000]
"""

import argparse
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _common import RESULTS, load_mnist_flat, write_result  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import pairwise_distances  # noqa: E402

from skae import VAE, Autoencoder  # noqa: E402


def fit(model, X):
    start = time.perf_counter()
    model.fit(X)
    return model, time.perf_counter() - start


def sq_error_per_image(model, X):
    return float(np.mean(np.sum((model.inverse_transform(model.transform(X)) - X) ** 2, axis=1)))


def validity(clf, samples, X_test):
    proba = clf.predict_proba(samples).max(axis=1)
    nearest = pairwise_distances(samples, X_test).min(axis=1)
    return proba.mean(), np.mean(proba > 0.9), nearest.mean()


def grid(ax, images, title, n=8):
    tiles = images[: n * n].reshape(n, n, 28, 28).transpose(0, 2, 1, 3).reshape(n * 28, n * 28)
    ax.imshow(tiles, cmap="gray", vmin=0, vmax=1)
    ax.set_title(title)
    ax.axis("off")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--data", default=None, help="MNIST .npz (default: shared/data)")
    args = parser.parse_args()
    X_train, y_train, X_test, y_test = load_mnist_flat(args.data)
    common = dict(max_epochs=args.epochs, batch_size=128, random_state=0, device="cpu")

    vae, vae_time = fit(VAE(n_components=16, likelihood="bernoulli", **common), X_train)
    ae, ae_time = fit(Autoencoder(n_components=16, loss="bce", **common), X_train)
    vae2, vae2_time = fit(VAE(n_components=2, likelihood="bernoulli", **common), X_train)

    rng = np.random.default_rng(0)
    codes = ae.transform(X_train)
    random_codes = rng.normal(codes.mean(0), codes.std(0), (args.n_samples, codes.shape[1]))
    ae_samples = ae.inverse_transform(random_codes.astype(np.float32))
    vae_samples = vae.sample(args.n_samples, random_state=0)

    clf = LogisticRegression(max_iter=300).fit(X_train[:20000], y_train[:20000])
    clf_accuracy = clf.score(X_test, y_test)
    real = validity(clf, X_test[: args.n_samples], X_train[:10000])
    v = validity(clf, vae_samples, X_test)
    a = validity(clf, ae_samples, X_test)

    fig, axes = plt.subplots(1, 2, figsize=(10, 5.4))
    grid(axes[0], vae_samples, "VAE.sample(): decoded draws from the fitted prior")
    grid(axes[1], ae_samples, "Autoencoder: decoded random codes")
    fig.tight_layout()
    fig.savefig(RESULTS / "vae_samples.png", dpi=80)
    plt.close(fig)

    mu = vae2.transform(X_test)
    fig, ax = plt.subplots(figsize=(6.5, 6))
    points = ax.scatter(mu[:, 0], mu[:, 1], c=y_test, cmap="tab10", s=2, alpha=0.6)
    fig.colorbar(points, ax=ax, ticks=range(10), label="digit")
    ax.set_title("VAE(n_components=2): posterior means of the MNIST test set")
    ax.set_xlabel("z1")
    ax.set_ylabel("z2")
    fig.tight_layout()
    fig.savefig(RESULTS / "vae_latent_2d.png", dpi=80)
    plt.close(fig)

    fit_rows = [
        ("VAE(n_components=16)", f"{vae.score(X_test):.1f}", vae, vae_time),
        ("VAE(n_components=2)", f"{vae2.score(X_test):.1f}", vae2, vae2_time),
        ("Autoencoder(n_components=16)", "—", ae, ae_time),
    ]
    fit_table = "\n".join(
        f"| {name} | {elbo} | {sq_error_per_image(model, X_test):.2f} | {seconds:.0f} |"
        for name, elbo, model, seconds in fit_rows
    )
    body = f"""{args.epochs} epochs, batch 128, Bernoulli likelihood / BCE, pixels in [0, 1].

## Held-out fit (10000 test images)

| model | mean ELBO (nats/image) | squared error per image | fit time (s) |
|---|---|---|---|
{fit_table}

## Are generated images digits? ({args.n_samples} each)

Judge: logistic regression trained on 20000 real training images (test accuracy
{clf_accuracy:.3f}). Nearest-neighbour distance: Euclidean, to the test set (real
test images: to 10000 training images).

| source | mean max-probability | share with p > 0.9 | mean NN distance |
|---|---|---|---|
| real test images | {real[0]:.3f} | {real[1]:.3f} | {real[2]:.2f} |
| VAE.sample() | {v[0]:.3f} | {v[1]:.3f} | {v[2]:.2f} |
| Autoencoder, random codes at its code scale | {a[0]:.3f} | {a[1]:.3f} | {a[2]:.2f} |

Figures: `vae_samples.png` (VAE samples beside AE random decodings),
`vae_latent_2d.png` (2-D latent means coloured by digit).
"""
    write_result("vae_mnist", body)


if __name__ == "__main__":
    main()
