"""How much flatter is a ContractiveAE's encoder, measured relative to its codes' spread?

The raw mean of ‖J_f(x)‖²_F follows the scale of the code, which an untied
decoder can undo for free, so every model here is measured by
:func:`skae._penalties.scale_free_contraction` (‖J‖²_F of the codes whitened
over the held-out rows) and compared with a plain ``Autoencoder`` of the same
layers and budget (``init="random"``, no early stopping), fitted at the same
seed. Digits scaled to [0, 1], the fast suite's 75/25 split
(``tests/conftest.py``).

Part 1, the tests' setting (``tests/test_regularised.py``): ``n_components=8``,
``hidden_layer_sizes=(64, 32)``, 60 epochs, ``lr=3e-3``, seeds 0-2; the tied
default at several λ, tied without the penalty, the untied decoder at λ = 0.1
(the old default) and λ = 1, and Hutchinson's estimate. Besides the two
ratios: the raw ‖J_f‖²_F and the codes' total variance, each over the plain
model's (the escape an untied decoder takes shows there), and the plain model
against itself at the next seed (what the 0.5× bar must not be met by).

Part 2, the default layers ``(256, 64)`` and budget (4,000 steps at
``lr=1e-3``), ``n_components=8``, seeds 0-2: the plain model, the tied default
and the untied λ = 0.1.

    python benchmarks/contraction_trials.py [--jobs 2]

Writes ``results/contraction_trials.md``.
"""

import argparse

import torch
from _common import digits_split, write_result
from joblib import Parallel, delayed

from skae import Autoencoder, ContractiveAE
from skae._penalties import encoder_jacobian_sq_norm, scale_free_contraction

SEEDS = (0, 1, 2)
TEST_SETTING = dict(n_components=8, hidden_layer_sizes=(64, 32), max_epochs=60, lr=3e-3)
DEFAULT_SETTING = dict(n_components=8)
PLAIN = "plain Autoencoder"
MODELS = {
    PLAIN: dict(estimator="plain"),
    "tied, λ = 0": dict(contraction_weight=0.0),
    "tied, λ = 0.02 (the default)": dict(),
    "tied, λ = 0.03": dict(contraction_weight=0.03),
    "tied, λ = 0.1": dict(contraction_weight=0.1),
    "untied, λ = 0.1 (the old default)": dict(tied=False, contraction_weight=0.1),
    "untied, λ = 1": dict(tied=False, contraction_weight=1.0),
    "tied, λ = 0.02, Hutchinson's estimate": dict(jacobian="hutchinson"),
}
DEFAULT_LAYER_MODELS = (PLAIN, "tied, λ = 0.02 (the default)", "untied, λ = 0.1 (the old default)")


def fit_and_measure(name, setting, seed):
    torch.set_num_threads(1)
    X_train, X_test, _, _ = digits_split()
    options = dict(MODELS[name])
    if options.pop("estimator", None) == "plain":
        model = Autoencoder(init="random", early_stopping=False, **setting, random_state=seed)
    else:
        model = ContractiveAE(**options, **setting, random_state=seed)
    model.fit(X_train)
    module = model.net_.module_.eval()
    x = module.standardize(torch.from_numpy(X_test))
    with torch.no_grad():
        codes = model.transform(X_test)
    return {
        "model": name,
        "seed": seed,
        "contraction": scale_free_contraction(module, x),
        "raw": float(encoder_jacobian_sq_norm(module, x).detach().mean()),
        "code variance": float(codes.var(axis=0).sum()),
        "error": -model.score(X_test),
    }


def ratio_range(values) -> str:
    return f"{min(values):.2g}-{max(values):.2g}"


def table(rows, names) -> list[str]:
    plain = {row["seed"]: row for row in rows if row["model"] == PLAIN}
    lines = [
        "| model | contraction / plain, seeds 0, 1, 2 | held-out error / plain "
        "| raw ‖J‖²_F / plain | code variance / plain |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        mine = sorted((row for row in rows if row["model"] == name), key=lambda r: r["seed"])
        ratios = {
            key: [row[key] / plain[row["seed"]][key] for row in mine]
            for key in ("contraction", "error", "raw", "code variance")
        }
        lines.append(
            f"| {name} | {', '.join(f'{r:.2f}' for r in ratios['contraction'])} "
            f"| {', '.join(f'{r:.2f}' for r in ratios['error'])} "
            f"| {ratio_range(ratios['raw'])} | {ratio_range(ratios['code variance'])} |"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    cells = [(name, "test", seed) for name in MODELS for seed in SEEDS]
    cells += [(name, "default", seed) for name in DEFAULT_LAYER_MODELS for seed in SEEDS]
    settings = {"test": TEST_SETTING, "default": DEFAULT_SETTING}
    results = Parallel(n_jobs=args.jobs, verbose=5)(
        delayed(fit_and_measure)(name, settings[part], seed) for name, part, seed in cells
    )
    test_rows = [r for r, (_, part, _) in zip(results, cells, strict=True) if part == "test"]
    default_rows = [r for r, (_, part, _) in zip(results, cells, strict=True) if part == "default"]
    plain = {row["seed"]: row["contraction"] for row in test_rows if row["model"] == PLAIN}
    against_itself = [plain[(seed + 1) % len(SEEDS)] / plain[seed] for seed in SEEDS]
    lines = [
        "Every ratio is the model's over a plain `Autoencoder` with the same layers and "
        "budget, fitted at the same seed, on held-out digits. Contraction is "
        "`scale_free_contraction` (‖J‖²_F of the whitened codes).",
        "",
        "## The tests' setting: `n_components=8`, `hidden_layer_sizes=(64, 32)`, 60 epochs, "
        "`lr=3e-3`",
        "",
        *table(test_rows, MODELS),
        "",
        "The plain model against itself at the next seed (seeds 1/0, 2/1, 0/2): "
        + ", ".join(f"{r:.2f}" for r in against_itself),
        "",
        "## The default layers `(256, 64)` and budget (4,000 steps at `lr=1e-3`), `n_components=8`",
        "",
        *table(default_rows, DEFAULT_LAYER_MODELS),
    ]
    write_result("contraction_trials", "\n".join(lines))


if __name__ == "__main__":
    main()
