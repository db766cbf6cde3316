"""The VAE at its defaults on digits: the figures ``tests/test_vae.py`` asserts bars on.

Digits scaled to [0, 1], the fast suite's 75/25 split (``tests/conftest.py``,
also ``docs/examples/generating_digits.md``'s), at d = 4 and 8 and seeds 0-3:

- **Samples.** 500 draws of ``VAE.sample()`` (the fitted mixture prior), of
  the same VAE with its codes drawn from N(0, I) instead, of an
  ``Autoencoder``'s decodings of random codes drawn at its codes' mean and
  spread, and 500 copies of the mean digit. Judges: the mean max-probability
  of a logistic regression and of an MLP trained on the real training digits,
  and the mean distance to the nearest held-out digit, all on samples clipped
  to [0, 1] (the test's measure) and the distance also unclipped (the example
  page's).
- **Likelihood.** The held-out ELBO (nats per image) under the fitted prior
  and under N(0, I); the learnt noise variance; at d = 4 the unit-variance VAE
  the calibrated one replaced (``FixedVarianceVAE``) and its noise variance.
- **Latent scale.** Each dimension's second moment E[μ² + σ²] over the
  training rows before the closed-form calibration (``code_scale²``; 1 is
  where the ELBO is highest), and the held-out rows' mean posterior σ after.

    python benchmarks/vae_digits.py [--jobs 2]

Writes ``results/vae_digits.md``.
"""

import argparse

import numpy as np
import torch
from _common import digits_split, write_result
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import pairwise_distances
from sklearn.neural_network import MLPClassifier

from skae import VAE, Autoencoder
from skae._vae import FixedVarianceVAE

SEEDS = (0, 1, 2, 3)
DIMENSIONS = (4, 8)
N_SAMPLES = 500
SOURCES = ("VAE.sample()", "VAE, codes from N(0, I)", "Autoencoder, random codes", "mean digit")


def judges(X_train, y_train):
    return {
        "logistic": LogisticRegression(max_iter=2000).fit(X_train, y_train),
        "mlp": MLPClassifier((128,), max_iter=500, random_state=0).fit(X_train, y_train),
    }


def with_standard_normal_prior(vae, X_train, measure):
    """``measure(vae)`` with the prior refitted as N(0, I), the fitted prior restored after."""
    fitted_prior = vae.prior_
    try:
        vae.set_params(prior="normal")._fit_prior(X_train)
        return measure(vae)
    finally:
        vae.set_params(prior="mixture").prior_ = fitted_prior


def cell(d, seed):
    torch.set_num_threads(1)
    X_train, X_test, y_train, _ = digits_split()
    judge = judges(X_train, y_train)
    vae = VAE(n_components=d, random_state=seed).fit(X_train)
    ae = Autoencoder(n_components=d, random_state=seed).fit(X_train)
    codes = ae.transform(X_train)
    random_codes = np.random.default_rng(seed).normal(
        codes.mean(axis=0), codes.std(axis=0), (N_SAMPLES, d)
    )
    normal_samples, normal_elbo = with_standard_normal_prior(
        vae, X_train, lambda m: (m.sample(N_SAMPLES, random_state=seed), m.score(X_test))
    )
    sources = {
        "VAE.sample()": vae.sample(N_SAMPLES, random_state=seed),
        "VAE, codes from N(0, I)": normal_samples,
        "Autoencoder, random codes": ae.inverse_transform(random_codes.astype(np.float32)),
        "mean digit": np.tile(X_train.mean(axis=0), (N_SAMPLES, 1)),
    }
    row = {"d": d, "seed": seed}
    for name, samples in sources.items():
        clipped = np.clip(samples, 0.0, 1.0)
        for judge_name, classifier in judge.items():
            row[name, judge_name] = classifier.predict_proba(clipped).max(axis=1).mean()
        row[name, "nearest"] = pairwise_distances(clipped, X_test).min(axis=1).mean()
        row[name, "nearest, unclipped"] = pairwise_distances(samples, X_test).min(axis=1).mean()
    module = vae.net_.module_.eval()
    with torch.no_grad():
        _, log_var = module.posterior(torch.from_numpy(X_test))
    moment = (module.code_scale**2).numpy()
    row.update(
        {
            "elbo": vae.score(X_test),
            "elbo, N(0, I)": normal_elbo,
            "noise variance": vae.noise_variance_,
            "components": len(vae.prior_.weights),
            "moment": (moment.min(), moment.max()),
            "posterior sigma": float(np.exp(0.5 * log_var.numpy()).mean()),
        }
    )
    if d == 4:
        fixed = FixedVarianceVAE(n_components=d, random_state=seed).fit(X_train)
        row["fixed elbo"], row["fixed noise variance"] = fixed.score(X_test), fixed.noise_variance_
    return row


def samples_table(rows) -> list[str]:
    lines = [
        "| d | seed | source | logistic judge | MLP judge | nearest held-out digit | unclipped |",
        "|---:|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        for name in SOURCES:
            lines.append(
                f"| {row['d']} | {row['seed']} | {name} | {row[name, 'logistic']:.2f} "
                f"| {row[name, 'mlp']:.2f} | {row[name, 'nearest']:.2f} "
                f"| {row[name, 'nearest, unclipped']:.2f} |"
            )
    return lines


def likelihood_table(rows) -> list[str]:
    lines = [
        "| d | seed | held-out ELBO, fitted prior | N(0, I) prior | mixture components "
        "| noise variance | unit-variance VAE: ELBO, noise variance "
        "| E[μ² + σ²] before calibration, per dimension | posterior σ, held out |",
        "|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for row in rows:
        fixed = (
            f"{row['fixed elbo']:.1f}, {row['fixed noise variance']:.3f}"
            if "fixed elbo" in row
            else "–"
        )
        low, high = row["moment"]
        lines.append(
            f"| {row['d']} | {row['seed']} | {row['elbo']:.1f} | {row['elbo, N(0, I)']:.1f} "
            f"| {row['components']} | {row['noise variance']:.3f} | {fixed} "
            f"| {low:.2f}-{high:.2f} | {row['posterior sigma']:.3f} |"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    rows = Parallel(n_jobs=args.jobs, verbose=5)(
        delayed(cell)(d, seed) for d in DIMENSIONS for seed in SEEDS
    )
    lines = [
        f"## Samples: {N_SAMPLES} per source, judged against real digits",
        "",
        *samples_table(rows),
        "",
        "## Likelihood and latent scale",
        "",
        *likelihood_table(rows),
    ]
    write_result("vae_digits", "\n".join(lines))


if __name__ == "__main__":
    main()
