"""Where the benchmarks write: importable without torch (``_rerun.py --dry-run`` needs
only these paths, and runs in the fast suite)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
REPORT = RESULTS / "REPORT.md"
