"""Which command a `python -m server` command line names, read before anything else is imported:
`serve` needs gevent's patches first (server/__main__.py; tests/live.py forks it the same way)."""


def command_name(argv: list[str]) -> str | None:
    """The first word of `argv` that is neither an option nor the value of --config."""
    args = iter(argv)
    for arg in args:
        if arg == "--config":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None
