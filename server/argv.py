"""Which command a `python -m server` command line names, read before anything else is imported:
`serve` needs gevent's patches first (server/__main__.py; tests/live.py forks it the same way); the
command lines' bounded numbers; and argparse in both languages, for `python -m server` and the print
agent (`python -m kiosk.agent`). The catalogue is imported when a command line is read, not before
gevent's patches (this module is)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from server.errors import Localized


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


def one_line(text: Localized) -> str:
    """Short words in both languages on one line: "Indonesian / English" (once when the two are the same)."""
    return text.id_text if text.id_text == text.en_text else f"{text.id_text} / {text.en_text}"


def _words(key: str, /, **params: object) -> str:
    """The catalogue's `cli.<key>` on one line, in both languages."""
    from server.i18n import both

    return one_line(both(f"cli.{key}", **params))


def helped(key: str, /, **params: object) -> str:
    """A help text of the command line: the catalogue's `cli.help.<key>`, "Indonesian / English" (a `%`
    escaped: argparse formats help with %-placeholders)."""
    return _words(f"help.{key}", **params).replace("%", "%%")


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help and usage, its "usage:" said in both languages."""

    def add_usage(self, usage, actions, groups, prefix=None):
        if prefix is None:
            prefix = _words("help.usage") + ": "
        super().add_usage(usage, actions, groups, prefix)


class Parser(argparse.ArgumentParser):
    """argparse in both languages: the headings of --help and its -h line are the catalogue's, and a bad
    command line says its usage, "kesalahan / error: <argparse's message>" and where the help is (exit
    code 2, as argparse's). Its sub-commands' parsers are Parsers too (add_subparsers makes its class's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = helped("positionals")
        self._optionals.title = helped("options")
        for action in self._actions:
            if "-h" in action.option_strings:  # argparse's own -h, --help
                action.help = helped("help")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{_words('error')}: {message}\n{_words('see')}: {self.prog} --help\n")
