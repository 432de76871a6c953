"""docs/api.md covers every API route and every event type the server emits; README.md and docs/*.md (the
admin's guide in Indonesian, docs/panduan-admin.md, first) name only commands, make targets, config keys and
screenshots that exist; README's command line names every command and option."""

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


# -- docs/panduan-admin.md and the other docs: every command, make target and config key they quote is real ----
GUIDE = (ROOT / "docs" / "panduan-admin.md").read_text(encoding="utf-8")
# Every document a reader acts on; docs/performance.md is the measurements' history, as each round found them.
DOCS = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md") if p.name != "performance.md")]
FENCE = re.compile(r"^[ \t]*```([^\n`]*)\n(.*?)^[ \t]*```[ \t]*$", re.S | re.M)
COMMAND = ".venv/bin/python -m server"
# also written without .venv/bin/ ("python -m server serve refuses to start"); not `python -m server.report_job`
RUN = re.compile(r"python -m server(?![\w.])")
# `[section] key`, `[[counters]] printer`, `[printers.kiosk]`, `[printers.*]`; not a list's index (`counters[i]`),
# nor a config error's entry ("[[counters]] ke-3": the third)
SECTION_KEY = re.compile(r"(?<![\w\]])\[\[?([a-z_]+)(?:\.([A-Za-z0-9_*]+))?\]\]?(?:[ \t]+([a-z_]+)(?![\w-]))?")
SCREENSHOT = re.compile(r"\]\((?:docs/)?(screenshots/[^)\s]+)\)")


def code_of(text: str) -> tuple[list[str], list[str]]:
    """The guide's code: every line of its fenced blocks and every inline `span` (one may cross a line), and
    the text of its ```toml blocks. A ```text block is a program's output (the start's banner), not code."""
    lines = [line for info, block in FENCE.findall(text) if info.strip() != "text" for line in block.splitlines()]
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
        for run in RUN.finditer(piece):
            words = []
            for word in piece[run.end() :].split():
                if word in ("#", "|", "||", "&&", ";") or word.startswith("#"):
                    break
                words.append(word)
            if words[:1] in ([], ["…"]) or words[0].startswith(("…", "<")):  # "python -m server …": any command
                continue
            parser, path, rest = _parser(), [], list(words)
            while rest and (subs := [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]):
                name = rest.pop(0).strip("`")  # none left: the group itself ("python -m server users")
                # "users passwd|disable|enable NAME": each of them a command
                if not all(each in subs[0].choices for each in name.split("|")):
                    wrong.append(f"no command {' '.join([*path, name])!r}: {COMMAND} {' '.join(words)}")
                    parser = None
                    break
                name = name.split("|")[0]
                parser, path = subs[0].choices[name], [*path, name]
            if parser is None:
                continue
            for word in rest:
                option = word.strip("[]()`,.;:").split("=")[0]
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


def doc_problems(name: str, text: str) -> list[str]:
    """What a document quotes that does not exist: guide_problems', and each picture it shows that
    docs/screenshots lacks."""
    wrong, _ = guide_problems(text)
    missing = [shot for shot in SCREENSHOT.findall(text) if not (ROOT / "docs" / shot).is_file()]
    return [f"{name}: {problem}" for problem in [*wrong, *(f"no picture docs/{shot}" for shot in missing)]]


def test_every_doc_names_only_real_commands_make_targets_config_keys_and_screenshots():
    """The admin guide's check over README.md and every page of docs/ (but the history of measurements, docs/
    performance.md): every `python -m server COMMAND [--option]`, `make TARGET`, `[section] key` and ```toml
    block is real, and every screenshot shown is in docs/screenshots."""
    wrong = [problem for name in DOCS for problem in doc_problems(name, (ROOT / name).read_text(encoding="utf-8"))]
    assert wrong == []
    assert {"README.md", "docs/admin.md", "docs/api.md", "docs/operations.md", "docs/reports.md"} <= set(DOCS)


def test_the_docs_check_reads_alternatives_brackets_a_bare_python_and_pictures():
    """The check reads the notation README's command line uses ("users passwd|disable|enable", "[--option]"),
    a command written `python -m server` without .venv/bin/, and a picture's path; not `counters[i]` or a
    ```text block (a program's output) as a config key, nor `python -m server.report_job` as a command."""
    made_up = """
`.venv/bin/python -m server users passwd|disbale NAME`, `.venv/bin/python -m server demo [--if-empty] [--people N]`,
the actor is `cli` for `python -m server user`, each `counters[i].paused`, `python -m server.report_job`.
![a page](screenshots/no-such-page.png) ![the kiosk](screenshots/kiosk-welcome.png)

```text
  Printer 'kiosk' menulis ke berkas var/tickets.prn: atur [printers.kiosk] di config.toml
```
"""
    assert doc_problems("x.md", made_up) == [
        f"x.md: no command 'users passwd|disbale': {COMMAND} users passwd|disbale NAME",
        f"x.md: demo has no option --people: {COMMAND} demo [--if-empty] [--people N]",
        f"x.md: no command 'user': {COMMAND} user",
        "x.md: no picture docs/screenshots/no-such-page.png",
    ]


# -- README's command line: every command and option of server/cli.py's parser -------------------------------
# Options kept for old scripts that do nothing: not offered to a new reader.
UNLISTED_OPTIONS = {("restore", "--force")}


def command_line_block() -> str:
    """The fenced block of README's "## Command line"."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    return FENCE.search(section).group(2)


def unlisted(block: str) -> list[str]:
    """Each command (its path, "users passwd") and option of the command line's parser that no line of
    `block` names: a command by its words on one line (`users passwd|disable|enable`), an option on a line
    naming its command."""
    from server.cli import _parser

    lines = [re.split(r"[\s|\[\]]+", line) for line in block.splitlines()]
    out: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if subs:
            for name, sub in subs[0].choices.items():
                walk(sub, [*path, name])
            return
        mine = [words for words in lines if all(word in words for word in path)]
        if not mine:
            out.append(" ".join(path))
            return
        for action in parser._actions:
            if action.help == argparse.SUPPRESS:  # serve --sync: the tests', hidden from --help too
                continue
            for option in action.option_strings:
                if not option.startswith("--") or option in ("--help", "--config"):
                    continue  # --config: said under the block, for every command
                if (path[-1], option) not in UNLISTED_OPTIONS and not any(option in words for words in mine):
                    out.append(f"{' '.join(path)} {option}")

    walk(_parser(), [])
    return out


def test_the_readme_command_line_names_every_command_and_option():
    """README's "Command line" block names every command of `python -m server` and each of its options (but
    --help, --config, said under it, and restore's --force, which does nothing): a command added (repair,
    systemd-unit) or an option (demo --visitors, archive --out) is not left for the reader to find in --help."""
    assert unlisted(command_line_block()) == []


def test_the_command_line_check_finds_a_command_or_option_left_out():
    """The check above fails on README's block as it was: repair and systemd-unit, demo's --visitors and
    archive's --out were missing."""
    old = """.venv/bin/python -m server serve [--host H] [--port P]
.venv/bin/python -m server users add NAME --role officer|frontoffice|admin [--counter N] [--full-name T] [--nip N]
.venv/bin/python -m server users passwd|disable|enable NAME | users list
.venv/bin/python -m server settings show | settings set SECTION JSON | settings reset SECTION
.venv/bin/python -m server demo [--if-empty | --force]
.venv/bin/python -m server archive --month YYYY-MM [--replace] [--unfinished] | retention --months N | backup FILE | restore FILE
.venv/bin/python -m server go-live [--yes] [--force]
.venv/bin/python -m server voice check [--clips FOLDER] [--up-to N]
.venv/bin/python -m server printer test NAME [--local]
"""
    assert unlisted(old) == ["users list --json", "demo --visitors", "archive --out", "repair", "systemd-unit"]


# -- the admin page's sections, in docs/admin.md's table and the admin's guide -----------------------------------
def test_the_admin_docs_name_every_section_of_the_admin_page():
    """Each section heading of the admin page (the catalogue's admin.sec.*, Indonesian) is named in bold in
    docs/admin.md and in italics in docs/panduan-admin.md: the SKM questionnaire's was missing from both."""
    import json

    catalogue = json.loads((ROOT / "server" / "i18n" / "id.json").read_text(encoding="utf-8"))
    headings = sorted(text for key, text in catalogue.items() if key.startswith("admin.sec."))
    admin = (ROOT / "docs" / "admin.md").read_text(encoding="utf-8")
    assert {"Kantor", "Kuesioner SKM", "Loket sekarang"} <= set(headings)
    assert [h for h in headings if f"**{h}**" not in admin] == []
    assert [h for h in headings if f"*{h}*" not in GUIDE] == []


# -- how long a stop waits, as the admin's docs say it -------------------------------------------------------------
def test_the_admin_docs_say_how_long_a_stop_waits():
    """docs/operations.md and the admin's guide say how long `systemctl stop` (or Ctrl+C) may take with a slip or
    a mail on its way: server/cli.py STOP_WAIT_SECONDS, in each document's words (the guide said nothing of it)."""
    from server.cli import STOP_WAIT_SECONDS

    seconds = f"{STOP_WAIT_SECONDS:g}"
    operations = " ".join((ROOT / "docs" / "operations.md").read_text(encoding="utf-8").split())
    assert f"(up to {seconds} s, for a printer slow to answer" in operations
    assert f"paling lama {seconds} detik" in " ".join(GUIDE.split())


# -- README's Layout and docs/architecture.md's rooms: every folder and module that exists ------------------------
def layout_missing(text: str) -> list[str]:
    """The top-level folders (`voices/`, `.ci/`) and the modules and folders of server/ (`serverlock.py`, `data/`)
    that no `span` of `text` names; a span naming a file in one (`.ci/run`, `static/live.js`) names the folder."""
    spans = set(re.findall(r"`([^`]+)`", FENCE.sub("", text)))

    def named(name: str) -> bool:
        return any(s == name or (name.endswith("/") and s.startswith(name)) for s in spans)

    folders = sorted(
        f"{p.name}/"
        for p in ROOT.iterdir()
        if p.is_dir()
        and (not p.name.startswith(".") or p.name == ".ci")  # .git, .venv and the tools' caches are no one's
        and p.name not in ("var", "build")  # the office's data, a build's: .gitignore's
        and not p.name.endswith(".egg-info")
    )
    server = sorted(
        f"{p.name}/" if p.is_dir() else p.name
        for p in (ROOT / "server").iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p.is_dir() and p.name != "__pycache__")
    )
    return [f for f in folders if not named(f)] + [f"server/{n}" for n in server if not named(n)]


def test_the_readme_layout_names_every_folder_and_server_module():
    """README's "## Layout" names every top-level folder of the project and every module and folder of server/:
    voices/, .ci/ and a dozen of server's modules (serverlock.py, xlsx.py, archive.py ...) were missing."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    assert layout_missing(layout) == []
    old = "`server/` (`core.py`; `service/`; `store/`) · `kiosk/` · `display/` · `counter/` · `printers/` · `shared/`"
    assert {"voices/", ".ci/", "server/serverlock.py", "server/xlsx.py", "server/data/"} <= set(layout_missing(old))


def test_the_architecture_names_every_module_in_its_rooms():
    """docs/architecture.md names (in a `span`) every module of server/, its service/ and store/, printers/ and
    shared/, and the print agent: the store's drafts, serverlock.py, xlsx.py and printers' transport were missing."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    spans = re.findall(r"`([^`]+)`", FENCE.sub("", text))
    files = [
        *(ROOT / "server").glob("*.py"),
        *(ROOT / "server" / "service").glob("*.py"),
        *(ROOT / "server" / "store").glob("*.py"),
        *(ROOT / "printers").glob("*.py"),
        *(ROOT / "shared").glob("*.py"),
        ROOT / "kiosk" / "agent.py",
    ]
    stems = sorted({p.stem for p in files if p.name != "__init__.py"})
    assert {"drafts", "serverlock", "transport", "words"} <= set(stems)
    missing = [s for s in stems if not any(re.search(rf"(?<!\w){re.escape(s)}(?:\.py)?(?!\w)", x) for x in spans)]
    assert missing == []
