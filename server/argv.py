"""Which command a `python -m server` command line names, read before anything else is imported:
`serve` needs gevent's patches first (server/__main__.py; tests/live.py forks it the same way); and
the command lines' bounded numbers."""

import argparse


def command_name(argv: list[str]) -> str | None:
    """The first word of `argv` that is neither an option nor the value of --config."""
    args = iter(argv)
    for arg in args:
        if arg == "--config":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def int_between(low: int, high: int):
    """An argparse type: a whole number from `low` to `high`."""

    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number {low}-{high}, not {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low}-{high}, not {value}")
        return value

    return read
