"""Gather every benchmark's table and figure into results/REPORT.md.

Run by ``make bench`` after the benchmark scripts:

    python benchmarks/_report.py

Each result file keeps its own command, environment and run lines; the report adds
the machine, library versions and date of the gathering at the top.
"""

import re

from _common import environment
from _paths import REPORT, RESULTS


def main():
    sections = []
    for path in sorted(RESULTS.glob("*.md")):
        if path == REPORT:
            continue
        text = path.read_text().strip()
        # Each result's "# name" becomes a section of the report.
        text = re.sub(r"(?m)^#", "##", text)
        figures = [
            f"![{png.stem}]({png.name})"
            for png in sorted(RESULTS.glob("*.png"))
            if png.name in text
        ]
        sections.append("\n\n".join([text, *figures]))
    header = (
        "# skae benchmark report\n\n"
        f"Gathered: {environment()}\n\n"
        "Every section below is one script in `benchmarks/`; its first line is the "
        "command that produced it, its environment line the machine it ran on, and "
        "its run line (in files made since 2026-12-04) the commit and the seconds it took.\n"
    )
    REPORT.write_text(header + "\n" + "\n\n".join(sections) + "\n")
    print(f"wrote {REPORT} ({len(sections)} benchmarks)")


if __name__ == "__main__":
    main()
