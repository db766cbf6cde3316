"""Documentation that can drift: README code and the defaults docstrings state."""

import inspect
import re
from pathlib import Path

import pytest

from skae import VAE, Autoencoder, ContractiveAE, ConvAE, DenoisingAE, LinearAE, SparseAE

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})


@pytest.mark.parametrize(
    "Estimator", [Autoencoder, LinearAE, SparseAE, DenoisingAE, ContractiveAE, VAE, ConvAE]
)
def test_docstring_documents_every_parameter_with_its_real_default(Estimator):
    doc = Estimator.__doc__
    for name, param in inspect.signature(Estimator.__init__).parameters.items():
        if name == "self":
            continue
        default = repr(param.default).replace("'", '"')
        pattern = rf"\n    {name} : [^\n]*default={re.escape(default)}\n"
        assert re.search(pattern, doc.replace("\\\n", "")), (name, default)
