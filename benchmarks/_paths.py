"""Where the benchmarks write, and what their figures depend on: importable without
torch (``_rerun.py --dry-run`` needs only these, and runs in the fast suite)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
REPORT = RESULTS / "REPORT.md"
_IMPORTED = re.compile(r"^[ \t]*(?:from|import) (\w+)", re.MULTILINE)


def figure_code(script) -> list[str]:
    """Git pathspecs of the code a benchmark script's figures depend on: ``skae/``,
    the script, and the benchmark modules it imports, directly or through another
    (``_common.py``, a sibling's helpers). Editing any other script leaves its
    results current (``_rerun.py --stale``)."""
    benchmarks = ROOT / "benchmarks"
    modules, pending = set(), [Path(script).stem]
    while pending:
        name = pending.pop()
        if name not in modules and (benchmarks / f"{name}.py").is_file():
            modules.add(name)
            pending += _IMPORTED.findall((benchmarks / f"{name}.py").read_text())
    return ["skae", *(f"benchmarks/{name}.py" for name in sorted(modules))]
