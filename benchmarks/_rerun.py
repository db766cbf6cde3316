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

The run refuses to start without the ``bench`` extra (``pip install -e
".[bench]"``, which ``make bench`` does first): a benchmark that compares with
an optional library leaves its columns out when the library is missing, and a
rerun by hand would otherwise replace a full table with a narrower one.

``--stale`` runs only the commands whose files are out of date (and, as
always, the scripts with no results file yet): a file is current when its run
line names a clean commit at which its figure code (``_paths.figure_code``:
``skae/``, its script and the benchmark modules that script imports) ran the
same statements as it does now; docstrings, comments and layout do not count,
so a reworded docstring that quotes the figures does not send them back for
hours of reruns. A whole ``make bench`` is many hours on 2 cores, longer than one
sitting; this lets it be finished in parts without rerunning what is already
at the code's present state.

``--if-changed PATH ...`` answers the question before a change: which commands
would a change to these files send back (those whose figure code holds one of
them). With ``--dry-run`` the listing ends, on stderr, with what the listed
commands took at their last recorded runs, so the cost of a change to
``skae/`` (every file) or to a shared benchmark module is known in advance.
"""

import argparse
import ast
import importlib.metadata
import re
import shlex
import subprocess
import sys
from functools import partial
from pathlib import Path

from _paths import REPORT, RESULTS, ROOT, figure_code

RECORDED = re.compile(r"^Command: `python (.+)`$", re.MULTILINE)
RUN = re.compile(r"^Run: commit (\S+), (\d+) s", re.MULTILINE)


def recorded() -> list[tuple]:
    """(results file, its command as an argument list, script first), in name order."""
    pairs = []
    for path in sorted(RESULTS.glob("*.md")):
        match = RECORDED.search(path.read_text()) if path != REPORT else None
        if match:
            pairs.append((path, shlex.split(match.group(1))))
    return pairs


def recorded_commands(pairs=None) -> list[list[str]]:
    """Each results file's command, once each (of ``pairs``, ``recorded()`` if None)."""
    commands = []
    for _, argv in recorded() if pairs is None else pairs:
        if argv not in commands:
            commands.append(argv)
    return commands


def statements(source: str) -> str:
    """What a Python file runs, without its docstrings, comments and layout."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):
                    node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _same_statements(old: str, new: str) -> bool:
    try:
        return statements(old) == statements(new)
    except SyntaxError:
        return False


def _is_current(path, script) -> bool:
    """Whether the file's run line names a clean commit whose figure code runs the
    same statements as today's: a reworded docstring or comment, or a reformatted
    line, leaves its figures as they were (a docstring read at run time, as
    ``argparse`` reads the first line, only words ``--help``)."""
    run = RUN.search(path.read_text())
    if run is None or run.group(1).endswith("+"):
        return False
    code = figure_code(script)
    git = partial(subprocess.run, cwd=ROOT, capture_output=True, text=True)
    # 128: a commit this clone does not have.
    changed = git(["git", "diff", "--name-only", run.group(1), "--", *code])
    if changed.returncode:
        return False
    for name in changed.stdout.split():
        old = git(["git", "show", f"{run.group(1)}:{name}"])
        now = ROOT / name
        if not name.endswith(".py") or old.returncode or not now.is_file():
            return False
        if not _same_statements(old.stdout, now.read_text()):
            return False
    return not git(["git", "ls-files", "--others", "--exclude-standard", "--", *code]).stdout


def last_seconds(pairs=None) -> dict[tuple, int]:
    """Each recorded command's seconds at its last runs, summed over its files."""
    seconds = {}
    for path, argv in recorded() if pairs is None else pairs:
        run = RUN.search(path.read_text())
        if run:
            seconds[tuple(argv)] = seconds.get(tuple(argv), 0) + int(run.group(2))
    return seconds


def _within(path: str, spec: str) -> bool:
    return path == spec or path.startswith(spec.rstrip("/") + "/")


def commands_if_changed(paths, pairs=None) -> list[list[str]]:
    """The commands of ``commands()`` whose figure code holds one of ``paths``
    (relative to the repository's root), the ones a change to them makes stale."""
    paths = [Path(p).as_posix() for p in paths]
    return [
        argv
        for argv in commands(pairs)
        if any(_within(p, spec) for p in paths for spec in figure_code(argv[0]))
    ]


def stale_commands(pairs=None) -> list[list[str]]:
    """The commands of ``commands()`` that some file of theirs needs rerun for."""
    pairs = recorded() if pairs is None else pairs
    stale = [argv for path, argv in pairs if not _is_current(path, argv[0])]
    known = recorded_commands(pairs)
    return [argv for argv in commands(pairs) if argv in stale or argv not in known]


def commands(pairs=None) -> list[list[str]]:
    known = recorded_commands(pairs)
    scripts_recorded = {argv[0] for argv in known}
    new = [
        [script]
        for script in (
            str(p.relative_to(ROOT)) for p in sorted((ROOT / "benchmarks").glob("[!_]*.py"))
        )
        if script not in scripts_recorded
    ]
    return known + new


def missing_requirements(extra="bench") -> list[str]:
    """The distributions skae's ``extra`` requires that are not installed."""
    marker = re.compile(rf"extra\s*==\s*[\"']{re.escape(extra)}[\"']")
    missing = []
    for requirement in importlib.metadata.requires("skae") or []:
        if not marker.search(requirement):
            continue
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group()
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    return missing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="list the commands only")
    parser.add_argument(
        "--stale",
        action="store_true",
        help="only the commands whose files predate their code, and new scripts",
    )
    parser.add_argument(
        "--if-changed",
        nargs="+",
        metavar="PATH",
        help="only the commands whose figure code holds one of these files",
    )
    args = parser.parse_args()
    missing = missing_requirements()
    if missing and not args.dry_run:
        sys.exit(
            f"the bench extra is not installed (missing: {', '.join(missing)}); "
            "run `pip install -e '.[bench]'` first (make bench does)"
        )
    pairs = recorded()  # the results files as they stand before any rerun
    selected = stale_commands(pairs) if args.stale else commands(pairs)
    if args.if_changed:
        touched = commands_if_changed(args.if_changed, pairs)
        selected = [argv for argv in selected if argv in touched]
    for argv in selected:
        print("python " + shlex.join(argv), flush=True)
        if not args.dry_run and subprocess.run([sys.executable, *argv], cwd=ROOT).returncode:
            sys.exit(f"failed: python {shlex.join(argv)}")
    if args.dry_run:
        seconds = last_seconds(pairs)
        timed = [seconds[tuple(argv)] for argv in selected if tuple(argv) in seconds]
        print(
            f"{len(selected)} commands; {len(timed)} of them took {sum(timed):,} s "
            f"({sum(timed) / 3600:.1f} h) at their last recorded runs",
            file=sys.stderr,
        )
    else:
        from _report import main as gather

        gather()


if __name__ == "__main__":
    main()
