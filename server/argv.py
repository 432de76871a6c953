"""Which command a `python -m server` command line names, read before anything else is imported:
`serve` needs gevent's patches first (server/__main__.py; tests/live.py forks it the same way); the
command lines' bounded numbers; and argparse in both languages, for `python -m server` and the print
agent (`python -m kiosk.agent`). The catalogue is imported when a command line is read, not before
gevent's patches (this module is)."""

from __future__ import annotations

import argparse
import re
import string
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
    """The catalogue's `cli.argv.<key>` in English, as argparse's own messages are made: `Parser.error` says
    every one again in Indonesian (`translated`). Imported here, when a command line is read: not before
    gevent's patches (this module is)."""
    from server.i18n import word

    return word(f"cli.argv.{key}", "en", **params)


def int_between(low: int, high: int):
    """An argparse type: a whole number from `low` to `high` (its refusal in English, as argparse's own are:
    `Parser.error` says it in Indonesian first)."""

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


# argparse's messages a command line of Antrian's can get (their %-templates are the English of these
# `cli.argv.*` keys, {placeholders} for %(name)s), and the refusals of `int_between`: most nested first,
# "argument --port: <one of the others>" last. Python 3.11 to 3.13 word them alike but for the choices of an
# invalid choice: quoted ('officer', 'admin') up to 3.12.7 and 3.13.0, bare (officer, admin) from 3.12.8 and
# 3.13.1 (Debian 13's 3.13.5); 3.14's parser with suggest_on_error (3.15's by default) names the closest one
# first ("invalid choice: 'user', maybe you meant 'users'? (choose from …)").
ARGPARSE_SAID = (
    "whole_number",
    "between",
    "invalid_choice_suggested",
    "invalid_choice",
    "invalid_type",
    "expected_one",
    "ignored",
    "required",
    "unrecognized",
    "ambiguous",
    "argument",
)


def _pattern(key: str) -> re.Pattern[str]:
    """The English of `cli.argv.<key>` as a pattern its filled text matches, a group per placeholder."""
    from server.i18n import word

    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(word(f"cli.argv.{key}", "en")):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P<{name}>.*?)")
    return re.compile("".join(parts), re.DOTALL)


# a sub-command named as its usage names it, by its choices: "{add,passwd,list,disable,enable}" (Parser)
_COMMANDS = re.compile(r"\{[^{}\s]+\}")

# the choices of an invalid choice as Python 3.11 lists them: each quoted, ", "-joined
_QUOTED_CHOICES = re.compile(r"""(?:'[^']*'|"[^"]*")(?:, (?:'[^']*'|"[^"]*"))*""")


def _choices(listed: str) -> Localized:
    """The choices argparse listed, in Indonesian as Python 3.11 lists them (each quoted: 'officer', 'admin')
    whatever the Python, in English as this Python's argparse did (bare from 3.12.8 and 3.13.1). Antrian's
    choices are all words: a bare "officer, admin" is the words "officer" and "admin"."""
    from server.errors import Localized

    quoted = listed if _QUOTED_CHOICES.fullmatch(listed) else ", ".join(repr(c) for c in listed.split(", "))
    return Localized(quoted, listed)


def _required(names: str) -> Localized:
    """argparse's ", "-joined names of the missing arguments, a sub-command among them said as "perintah
    {add,passwd,…}" / "command {add,passwd,…}" (its choices are joined by "," alone)."""
    from server.errors import Localized
    from server.i18n import both

    said = [
        both("cli.argv.command_of", choices=name) if _COMMANDS.fullmatch(name) else Localized(name, name)
        for name in names.split(", ")
    ]
    return Localized(", ".join(s.id_text for s in said), ", ".join(s.en_text for s in said))


def translated(message: str) -> Localized:
    """argparse's English `message` in both languages: matched against the English of the catalogue's
    `cli.argv.*` and said again in Indonesian with the same values (an invalid choice's choices as Python
    3.11 lists them, whatever the Python: `_choices`); a message worded otherwise than any of them (a later
    Python's argparse), in English in both."""
    from server.errors import Localized
    from server.i18n import both, catalogue

    for key in ARGPARSE_SAID:
        found = _pattern(key).fullmatch(message)
        if found is None:
            continue
        params: dict[str, object] = dict(found.groupdict())
        if key == "argument":
            params["message"] = translated(found["message"])
            if _COMMANDS.fullmatch(found["name"]):  # a mistyped sub-command: its choices are in the message
                params["name"] = both("cli.argv.command")
        elif key == "required":
            params["names"] = _required(found["names"])
        elif key.startswith("invalid_choice"):
            params["choices"] = _choices(found["choices"])
        elif key == "invalid_type" and f"cli.argv.type.{found['type']}" in catalogue("en"):
            params["type"] = both(f"cli.argv.type.{found['type']}")
        return both(f"cli.argv.{key}", **params)
    return Localized(message, message)


class Parser(argparse.ArgumentParser):
    """argparse in both languages: the headings of --help and its -h line are the catalogue's, and a bad
    command line says its usage, argparse's refusal as the rest of the command line says an error
    ("kesalahan: <in Indonesian>", then "error: <argparse's words>") and where the help is (exit code 2, as
    argparse's). Its sub-commands' parsers are Parsers too (add_subparsers makes its class's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = helped("positionals")
        self._optionals.title = helped("options")
        for action in self._actions:
            if "-h" in action.option_strings:  # argparse's own -h, --help
                action.help = helped("help")

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        # argparse names a missing or mistyped positional by its metavar, else by its dest: a sub-command's
        # dest ("users_command") is the code's, so each is named by its choices, as its usage line names it
        # ("{add,passwd,list,disable,enable}"; the usage and the help read the same). Set here, when its
        # sub-commands are all added; the sub-commands' parsers are Parsers and do the same for theirs.
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and action.metavar is None and action.choices:
                action.metavar = "{" + ",".join(action.choices) + "}"
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        from server.i18n import both

        said, label = translated(message), both("cli.error")
        self.print_usage(sys.stderr)
        self.exit(
            2,
            f"{label.id_text}: {said.id_text}\n{label.en_text}: {said.en_text}\n{_words('see')}: {self.prog} --help\n",
        )
