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


@pytest.mark.parametrize("page", RUNNABLE_PAGES, ids=lambda p: p.name)
def test_python_blocks_of_the_page_run(page, monkeypatch):
    if page.name == "deploying.md":  # needs the optional extras onnx and skops
        for module in ("onnxruntime", "skl2onnx", "skops"):
            pytest.importorskip(module)
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
    assert blocks
    if not any(re.search(r"^\s*assert ", block, flags=re.M) for block in blocks):
        # A page that prints its figures and asserts none is run for what can
        # drift, its calls, under a short default budget (200 steps a fit, not
        # 4,000): what it illustrates is asserted at defaults elsewhere
        # (generating_digits.md by test_vae.py, the README's PCA comparison
        # by test_theory.py). Pages that assert run as they stand.
        monkeypatch.setattr(_budget, "AUTO_EPOCHS", 5)
        monkeypatch.setattr(_budget, "MIN_STEPS", 200)
    namespace = {}
    for block in blocks:
        exec(compile(block, str(page), "exec"), namespace)


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
