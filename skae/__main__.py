"""Command line: ``python -m skae demo``."""

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skae", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="compare skae's autoencoders with PCA on digits")
    demo.add_argument("--sizes", type=int, nargs="+", default=[2, 8, 16], help="bottleneck sizes")
    demo.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        run_demo(sizes=tuple(args.sizes), random_state=args.random_state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
