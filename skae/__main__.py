"""Command line: ``python -m skae demo``."""

import argparse
import sys


def _positive_int(text: str) -> int:
    """argparse's type for counts: a usage error for 0 or a negative number, which
    sliced rows off the end (--max-train -5) or failed deep inside a fit."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skae", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="compare every skae autoencoder with PCA, print a table, write figures"
    )
    demo.add_argument("--dataset", choices=["digits", "mnist"], default="digits")
    demo.add_argument(
        "--data", default=None, help="MNIST .npz file (default: the SKAE_MNIST variable)"
    )
    demo.add_argument("--out", default="skae-demo", help="folder for the figures")
    demo.add_argument(
        "--sizes", type=_positive_int, nargs="+", default=[2, 8, 16], help="bottleneck sizes"
    )
    demo.add_argument("--max-epochs", type=_positive_int, default=None)
    demo.add_argument(
        "--max-train", type=_positive_int, default=None, help="use the first N training rows"
    )
    demo.add_argument("--random-state", type=int, default=0)
    demo.add_argument("--verbose", type=int, default=0, help="1 prints a line per epoch")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        try:
            run_demo(
                sizes=tuple(args.sizes),
                dataset=args.dataset,
                data=args.data,
                out=args.out,
                max_epochs=args.max_epochs,
                max_train=args.max_train,
                random_state=args.random_state,
                verbose=args.verbose,
            )
        except FileNotFoundError as error:
            print(f"python -m skae demo: {error}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
