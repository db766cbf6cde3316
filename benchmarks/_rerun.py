"""Regenerate every results file with the command that made it, then gather REPORT.md.

Run by ``make bench``:

    python benchmarks/_rerun.py [--dry-run]

Each results file records the command that produced it (``write_result``).
Running every script once without arguments would not regenerate them all:
one script writes several files depending on its arguments
(``hinton_salakhutdinov_mnist.py --defaults-only``, the inpainting trials'
``--candidates ... --output ...``), and some files were made with settings
other than the script's defaults (``--jobs 2``, ``--repeats``). So each
recorded command runs once, in the order of the results files' names; then
every script that has no results file yet (a new benchmark, or ``gpu_check``,
which writes one only on a machine with a GPU) runs with its defaults. The
first command that fails stops the run, naming it.
"""

import argparse
import re
import shlex
import subprocess
import sys

from _paths import REPORT, RESULTS, ROOT

RECORDED = re.compile(r"^Command: `python (.+)`$", re.MULTILINE)


def recorded_commands() -> list[list[str]]:
    """Each results file's command as an argument list (script first), once each."""
    commands = []
    for path in sorted(RESULTS.glob("*.md")):
        match = RECORDED.search(path.read_text()) if path != REPORT else None
        if match and (argv := shlex.split(match.group(1))) not in commands:
            commands.append(argv)
    return commands


def commands() -> list[list[str]]:
    recorded = recorded_commands()
    scripts_recorded = {argv[0] for argv in recorded}
    new = [
        [script]
        for script in (
            str(p.relative_to(ROOT)) for p in sorted((ROOT / "benchmarks").glob("[!_]*.py"))
        )
        if script not in scripts_recorded
    ]
    return recorded + new


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="list the commands only")
    args = parser.parse_args()
    for argv in commands():
        print("python " + shlex.join(argv), flush=True)
        if not args.dry_run and subprocess.run([sys.executable, *argv], cwd=ROOT).returncode:
            sys.exit(f"failed: python {shlex.join(argv)}")
    if not args.dry_run:
        from _report import main as gather

        gather()


if __name__ == "__main__":
    main()
