"""Documentation that can drift: README code and the defaults docstrings state."""

import inspect
import re
from pathlib import Path

import pytest

from skae import (
    VAE,
    Autoencoder,
    ContractiveAE,
    ConvAE,
    DenoisingAE,
    EncoderDecoderRegressor,
    LinearAE,
    SparseAE,
    _budget,
)

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# Pages whose code is meant to be run as it stands (one namespace per page).
RUNNABLE_PAGES = [
    README,
    ROOT / "docs" / "getting_started.md",
    ROOT / "docs" / "user_guide" / "conv.md",
    ROOT / "docs" / "user_guide" / "deploying.md",
    ROOT / "docs" / "user_guide" / "paired_targets.md",
    *sorted((ROOT / "docs" / "examples").glob("*.md")),
]
# Pages whose own asserts need a grid search of full fits (16 s), run in the slow
# tier (make test-slow, which CI runs) to keep the fast suite within 5 minutes.
SLOW_PAGES = {"bottleneck_size.md"}


# Pages whose claims, at the settings they show, are asserted by a test (of the
# slow tier, at three seeds, for these two); pages that print figures and
# assert nothing illustrate the same tests' claims (generating_digits.md:
# test_vae.py; the README's comparison with PCA: test_theory.py).
CLAIMS_TESTED_ELSEWHERE = {
    # Swiss roll, Autoencoder(2) < PCA(2); digits, LinearAE(8) at PCA(8)'s error.
    "ae_or_pca.md": "tests/test_theory.py",
    # Digits with noise σ = 0.3: the conv DenoisingAE(16) below PCA(16).
    "denoising_images.md": "tests/test_conv.py",
}


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(page, marks=pytest.mark.slow) if page.name in SLOW_PAGES else page
        for page in RUNNABLE_PAGES
    ],
    ids=lambda p: p.name,
)
def test_python_blocks_of_the_page_run(page, monkeypatch):
    if page.name == "deploying.md":  # needs the optional extras onnx and skops
        for module in ("onnxruntime", "skl2onnx", "skops"):
            pytest.importorskip(module)
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
    assert blocks
    asserts = any(re.search(r"^\s*assert ", block, flags=re.M) for block in blocks)
    claims_tested_elsewhere = page.name in CLAIMS_TESTED_ELSEWHERE
    if not asserts or claims_tested_elsewhere:
        # The page is run for what can drift, its calls, under a short default
        # budget (200 steps a fit, not 4,000); what it illustrates at defaults
        # is asserted by the tests named above, and its own asserts are
        # compiled out.
        monkeypatch.setattr(_budget, "AUTO_EPOCHS", 5)
        monkeypatch.setattr(_budget, "MIN_STEPS", 200)
    optimize = 1 if claims_tested_elsewhere else 0
    namespace = {}
    for block in blocks:
        exec(compile(block, str(page), "exec", optimize=optimize), namespace)


@pytest.mark.parametrize(
    "Estimator",
    [
        Autoencoder,
        LinearAE,
        SparseAE,
        DenoisingAE,
        ContractiveAE,
        VAE,
        ConvAE,
        EncoderDecoderRegressor,
    ],
)
def test_docstring_documents_every_parameter_with_its_real_default(Estimator):
    doc = Estimator.__doc__
    for name, param in inspect.signature(Estimator.__init__).parameters.items():
        if name == "self":
            continue
        default = repr(param.default).replace("'", '"')
        pattern = rf"\n    {name} : [^\n]*default={re.escape(default)}\n"
        assert re.search(pattern, doc.replace("\\\n", "")), (name, default)
