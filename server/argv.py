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


def said(key: str, /, **params: object) -> str:
    """The catalogue's `cli.argv.<key>`, "Indonesian / English", as argparse's error line quotes it. Imported
    here, when a command line is read: not before gevent's patches (this module is)."""
    from server.i18n import both

    text = both(f"cli.argv.{key}", **params)
    return f"{text.id_text} / {text.en_text}"


def int_between(low: int, high: int):
    """An argparse type: a whole number from `low` to `high` (its refusal in both languages)."""

    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(said("whole_number", low=low, high=high, text=repr(text))) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(said("between", low=low, high=high, value=value))
        return value

    return read
