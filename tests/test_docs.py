"""docs/api.md covers every API route and every event type the server emits; docs/panduan-admin.md (the admin's
guide in Indonesian) names only commands, make targets and config keys that exist."""

from __future__ import annotations

import argparse
import re
import tomllib

from conftest import ROOT

API = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")


def test_every_api_route_is_documented(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule)
        if rule.rule.startswith("/api/counters/"):
            path = "/api/counters/<id>/"
        if path not in API:
            missing.append(path)
    assert missing == []


def test_every_event_type_is_documented():
    from server.store import EVENT_TYPES

    assert sorted(t for t in EVENT_TYPES if f"`{t}`" not in API) == []


# -- docs/panduan-admin.md: every command, make target and config key it quotes is real ------------------------
GUIDE = (ROOT / "docs" / "panduan-admin.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^[ \t]*```([^\n`]*)\n(.*?)^[ \t]*```[ \t]*$", re.S | re.M)
COMMAND = ".venv/bin/python -m server"
# `[section] key`, `[[counters]] printer`, `[printers.kiosk]`, `[printers.*]`
SECTION_KEY = re.compile(r"\[\[?([a-z_]+)(?:\.([A-Za-z0-9_*]+))?\]\]?(?:[ \t]+([a-z_]+))?")


def code_of(text: str) -> tuple[list[str], list[str]]:
    """The guide's code: every line of its fenced blocks and every inline `span` (one may cross a line), and
    the text of its ```toml blocks."""
    lines = [line for _, block in FENCE.findall(text) for line in block.splitlines()]
    spans = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", FENCE.sub("", text))]
    return lines + spans, [block for info, block in FENCE.findall(text) if info.strip() == "toml"]


def config_keys() -> dict[str, set[str] | None]:
    """config.toml's sections and the keys each takes, as server/config.py reads them (its dataclasses);
    None: any key ([agents] names printers)."""
    import dataclasses
    import typing

    from printers import PrinterConfig
    from server import config

    hints = typing.get_type_hints(config.Settings)
    out: dict[str, set[str] | None] = {}
    for f in dataclasses.fields(config.Settings):
        if f.metadata.get("keys") == ():  # `source`: the file read, not a section
            continue
        kind = hints[f.name]
        row = next((a for a in typing.get_args(kind) if dataclasses.is_dataclass(a)), None)  # [[services]]
        cls = kind if dataclasses.is_dataclass(kind) else row
        out[f.name] = config._keys(cls) if cls is not None else None
    out["printers"] = {f.name for f in dataclasses.fields(PrinterConfig)} - {"name"}  # of each [printers.NAME]
    return out


def make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w.-]*)[ \t]*:(?!=)", makefile, re.M))


def guide_problems(text: str) -> tuple[list[str], set[str]]:
    """What the guide quotes that does not exist, and what it quoted ("server go-live --yes", "make run",
    "[server] port"...), for the test to see that it found them."""
    from server.admin import EDITABLE
    from server.cli import _parser

    code, toml_blocks = code_of(text)
    keys, targets = config_keys(), make_targets()
    wrong: list[str] = []
    seen: set[str] = set()
    for piece in code:
        start = piece.find(COMMAND)
        while start != -1:
            words = []
            for word in piece[start + len(COMMAND) :].split():
                if word in ("#", "|", "||", "&&", ";") or word.startswith("#"):
                    break
                words.append(word)
            start = piece.find(COMMAND, start + 1)
            if words[:1] in ([], ["…"]):  # ".venv/bin/python -m server …": any command
                continue
            parser, path, rest = _parser(), [], list(words)
            while subs := [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]:
                name = rest.pop(0) if rest else "(none)"
                if name not in subs[0].choices:
                    wrong.append(f"no command {' '.join([*path, name])!r}: {COMMAND} {' '.join(words)}")
                    parser = None
                    break
                parser, path = subs[0].choices[name], [*path, name]
            if parser is None:
                continue
            for word in rest:
                option = word.split("=")[0]
                if option.startswith("--") and option not in parser._option_string_actions:
                    wrong.append(f"{' '.join(path)} has no option {option}: {COMMAND} {' '.join(words)}")
            section = rest[0] if path[:1] == ["settings"] and path[1:] != ["show"] and rest else None
            if section is not None and section.islower() and section not in EDITABLE:
                wrong.append(f"settings: no section {section!r}: {COMMAND} {' '.join(words)}")
            seen.add(" ".join(["server", *path, *(w for w in rest if w.startswith("--"))]))
        for target in re.findall(r"\bmake[ \t]+([a-z][\w.-]*)", piece):
            seen.add(f"make {target}")
            if target not in targets:
                wrong.append(f"no make target {target!r}: make {target}")
        for section, name, key in SECTION_KEY.findall(piece):
            quoted = f"[{section}{f'.{name}' if name else ''}]{f' {key}' if key else ''}"
            seen.add(quoted)
            if section not in keys:
                wrong.append(f"no config section [{section}]: {quoted}")
            elif key and keys[section] is not None and key not in keys[section]:
                wrong.append(f"[{section}] has no key {key!r}: {quoted}")
    for block in toml_blocks:
        for section, table in tomllib.loads(block).items():
            if section not in keys or not isinstance(table, dict):
                wrong.append(f"toml block: no config section [{section}]")
                continue
            tables = table.values() if section == "printers" else [table]
            for each in tables:
                for key in each:
                    seen.add(f"[{section}] {key}")
                    if keys[section] is not None and key not in keys[section]:
                        wrong.append(f"toml block: [{section}] has no key {key!r}")
    return wrong, seen


def test_the_admin_guide_names_only_real_commands_make_targets_and_config_keys():
    """Every `.venv/bin/python -m server COMMAND [--option]` of docs/panduan-admin.md is a command (and option)
    of server/cli.py's parser, every `make TARGET` a target of the Makefile, every `[section] key` (and every
    key of its ```toml blocks) a key server/config.py reads."""
    wrong, seen = guide_problems(GUIDE)
    assert wrong == []
    assert {
        "server go-live --yes",
        "server restore",
        "server printer test --local",
        "server settings set",
        "server users add --role --counter",
        "server users add --role --full-name --nip",
        "server systemd-unit",
        "make run",
        "make service",
        "[server] port",
        "[office] public_url",
        "[kiosk] addresses",
        "[printers] vendor_id",
    } <= seen, sorted(seen)


def test_the_admin_guide_check_finds_a_command_option_target_or_key_that_does_not_exist():
    """The check above fails on a made-up command, sub-command, option, settings section, make target or key."""
    made_up = """
Jalankan `.venv/bin/python -m server golive --yes`, lalu `.venv/bin/python -m server printer check kiosk`,
`.venv/bin/python -m server backup --all FILE`, `.venv/bin/python -m server settings reset printers` dan
`make install`. Atur `[server] listen_port` dan `[kiosk] adresses`, serta `[display] theme`.

```toml
[printers.kiosk]
type = "usb"
vendor = 0x0416
```
"""
    wrong, _ = guide_problems(made_up)
    assert wrong == [
        f"no command 'golive': {COMMAND} golive --yes",
        f"no command 'printer check': {COMMAND} printer check kiosk",
        f"backup has no option --all: {COMMAND} backup --all FILE",
        f"settings: no section 'printers': {COMMAND} settings reset printers",
        "no make target 'install': make install",
        "[server] has no key 'listen_port': [server] listen_port",
        "[kiosk] has no key 'adresses': [kiosk] adresses",
        "no config section [display]: [display] theme",
        "toml block: [printers] has no key 'vendor'",
    ]
