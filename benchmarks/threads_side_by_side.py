"""A digits Autoencoder fit timed alone and with two copies running at once in separate processes.

Each fit runs in a fresh Python process (imports and data loading are not
timed, only ``fit``) with torch's default thread pool, one thread per core.
"skae's rule" is skae as shipped: it picks its thread count from the work of
a batch (:mod:`skae._threads`). "every thread" sets the work per thread to one
multiply-add, so that every fit uses torch's whole pool, as skae did before:
the contrast is the cost of busy-waiting threads that share the cores.

    python benchmarks/threads_side_by_side.py [--repeats 3]
"""

import argparse
import subprocess
import sys

from _common import write_result

FIT = """
import sys, time
import skae._threads
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from skae import Autoencoder
if sys.argv[1] == "every":
    skae._threads.WORK_PER_THREAD = 1.0
X = StandardScaler().fit_transform(load_digits().data)
model = Autoencoder(n_components=16, random_state=0)
start = time.perf_counter()
model.fit(X)
print(time.perf_counter() - start)
"""


def fit_times(mode: str, copies: int) -> list[float]:
    processes = [
        subprocess.Popen([sys.executable, "-c", FIT, mode], stdout=subprocess.PIPE, text=True)
        for _ in range(copies)
    ]
    return [float(p.communicate()[0].split()[-1]) for p in processes]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    lines = [
        "`Autoencoder(n_components=16)` at its defaults on standardised digits (1797 × 64). "
        f"Seconds per fit, best of {args.repeats} runs; side by side, the slower of the two "
        "fits of a run.",
        "",
        "| threads | alone (s) | two side by side (s) | side by side / alone |",
        "|---|---:|---:|---:|",
    ]
    for mode, label in (("rule", "skae's rule"), ("every", "every thread of the pool")):
        alone = min(fit_times(mode, 1)[0] for _ in range(args.repeats))
        together = min(max(fit_times(mode, 2)) for _ in range(args.repeats))
        print(label, alone, together, flush=True)
        lines.append(f"| {label} | {alone:.2f} | {together:.2f} | {together / alone:.2f}× |")
    write_result("threads_side_by_side", "\n".join(lines))


if __name__ == "__main__":
    main()
